#!/usr/bin/python
# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

DOCUMENTATION = r"""
module: service_restart_pending
short_description: Tell whether a running systemd service predates the files it runs with
version_added: 0.1.0
description:
  - Compares the start time of a systemd service's main process with the modification time of
    the files it was started with (configuration, unit file, the link to the installed release)
    and reports the files written since the process started.
  - A service whose files are newer than its process still runs the old configuration and has
    to restart. Because the answer comes from the host itself and not from "a file changed in
    this run", a rolling change that stopped part way (a refused health gate, an interrupted
    run) is finished by the next run, and check mode reports the nodes still waiting.
  - Also reports whether systemd needs a C(daemon-reload) because a unit file changed since it
    last read it.
  - Never changes anything.
author:
  - datapipe maintainers (!UNKNOWN)
options:
  name:
    description:
      - The systemd unit, with or without the C(.service) suffix.
    type: str
    required: true
  paths:
    description:
      - Files the service reads at start. Links are judged by the link itself (when it was
        pointed at another release), not by what it points to. A path that does not exist is
        ignored.
    type: list
    elements: path
    default: []
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying
      target.
    support: full
    details: The module only reads; it behaves the same in check mode.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in
      check_mode), when in diff mode.
    support: none
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
notes:
  - Needs systemd on the host. Clocks are the host's own, so a controller in another time zone
    or with a skewed clock does not matter.
seealso:
  - module: ansible.builtin.systemd_service
"""

EXAMPLES = r"""
- name: Find out whether Kafka still runs an older configuration
  datapipe.kafka_pipeline.service_restart_pending:
    name: kafka
    paths:
      - /etc/kafka/server.properties
      - /etc/systemd/system/kafka.service
      - /opt/kafka
  register: kafka_freshness

- name: Restart Kafka when it does
  ansible.builtin.systemd_service:
    name: kafka
    state: restarted
  when: kafka_freshness.restart_pending
"""

RETURN = r"""
running:
  description: Whether the service's main process runs.
  returned: always
  type: bool
  sample: true
started:
  description: When the main process started, in seconds since the epoch; null when not running.
  returned: always
  type: float
  sample: 1795834120.52
changed_since_start:
  description: The paths written after the process started, oldest first; empty when not running.
  returned: always
  type: list
  elements: str
  sample: [/etc/kafka/server.properties]
restart_pending:
  description: The service runs and at least one of O(paths) is newer than its process.
  returned: always
  type: bool
  sample: true
daemon_reload_pending:
  description: systemd reports that a unit file changed since it last read it (C(NeedDaemonReload)).
  returned: always
  type: bool
  sample: false
enabled:
  description:
    - Whether the service starts at boot (C(UnitFileState) is C(enabled)). With RV(running), a role
      can skip M(ansible.builtin.systemd_service) where the service runs and is enabled already.
  returned: always
  type: bool
  sample: true
  version_added: 0.3.0
"""

import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.restart_pending import (
    newer_than_start,
    parse_systemctl_show,
    started_at,
)

PROPERTIES = [
    "ActiveState",
    "MainPID",
    "ExecMainStartTimestampMonotonic",
    "NeedDaemonReload",
    "UnitFileState",
]


def _mtime(path):
    try:
        return os.lstat(path).st_mtime
    except FileNotFoundError:
        return None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            paths=dict(type="list", elements="path", default=[]),
        ),
        supports_check_mode=True,
    )
    systemctl = module.get_bin_path("systemctl", required=True)
    argv = [systemctl, "show", module.params["name"]]
    for name in PROPERTIES:
        argv += ["-p", name]
    rc, out, err = module.run_command(argv)
    if rc != 0:
        module.fail_json(
            msg=f"Could not read the state of {module.params['name']} from systemd "
            f"(systemctl show exited {rc}: {err.strip()}). Is systemd running on this host?"
        )
    # Read both clocks together, then the files: the start time is then exact to
    # well under a millisecond, and a file written before the start stays older.
    wall_now, monotonic_now = time.time(), time.clock_gettime(time.CLOCK_MONOTONIC)
    properties = parse_systemctl_show(out)
    start = started_at(properties, wall_now, monotonic_now)
    newer = newer_than_start({path: _mtime(path) for path in module.params["paths"]}, start)
    module.exit_json(
        changed=False,
        running=start is not None,
        started=start,
        changed_since_start=newer,
        restart_pending=bool(newer),
        daemon_reload_pending=properties.get("NeedDaemonReload") == "yes",
        enabled=properties.get("UnitFileState") == "enabled",
    )


if __name__ == "__main__":
    main()
