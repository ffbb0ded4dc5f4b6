#!/usr/bin/python
# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

DOCUMENTATION = r"""
module: managed_files
short_description: Write several small files in one step, each only where it differs
version_added: 0.2.0
description:
  - Compares each file's content, owner, group and mode with what is asked, and writes only the
    files that differ, each atomically (a temporary file in the same directory, then a rename).
  - One call for a role's whole set of configuration files. M(ansible.builtin.template) and
    M(ansible.builtin.copy) cost two module runs per file even when nothing changes (a C(stat), then
    M(ansible.builtin.file) for the attributes); a role with five files pays ten. Render the
    content on the controller (the P(ansible.builtin.template#lookup) lookup) and give it here.
  - Reports which files changed, so that a role can tell which change needs a restart.
  - Check mode reports what would change and writes nothing; diff mode shows each file's content
    before and after (unless O(files[].diff=false)) and the attributes that change.
author:
  - datapipe maintainers (!UNKNOWN)
options:
  files:
    description:
      - The files, in the order they are written.
    type: list
    elements: dict
    required: true
    suboptions:
      dest:
        description:
          - Absolute path of the file. Its directory must exist.
        type: path
        required: true
      content:
        description:
          - The whole content, as text (written as UTF-8).
        type: str
        required: true
      owner:
        description:
          - Owner of the file. Omitted, a new file belongs to the user the module runs as and an
            existing file keeps its owner.
        type: str
      group:
        description:
          - Group of the file, as O(files[].owner).
        type: str
      mode:
        description:
          - Permissions, as an octal string such as V("0640") (quote it in YAML). Omitted, a new
            file gets the default for the umask and an existing file keeps its mode.
        type: raw
      diff:
        description:
          - Show this file's content in diff mode. Set to V(false) for a file whose content must not
            appear in a log; its diff then only says that the content changed.
        type: bool
        default: true
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying
      target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in
      check_mode), when in diff mode.
    support: full
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
notes:
  - For files with secrets, set C(no_log) on the task as well as O(files[].diff=false), because the
    content is an argument of the task.
  - Does not create directories; M(ansible.builtin.file) does, once.
  - Every file is checked before any is written (absolute paths, each named once, existing
    directories, known owners and groups, octal modes), so a wrong value stops the task with nothing
    written.
seealso:
  - module: ansible.builtin.template
  - module: ansible.builtin.copy
"""

EXAMPLES = r"""
- name: Write Kafka's configuration, rendered on the controller
  datapipe.kafka_pipeline.managed_files:
    files:
      - dest: /etc/kafka/server.properties
        content: "{{ lookup('ansible.builtin.template', 'server.properties.j2') }}"
        owner: root
        group: kafka
        mode: "0640"
      - dest: /etc/kafka/log4j2.yaml
        content: "{{ lookup('ansible.builtin.template', 'log4j2.yaml.j2') }}"
        owner: root
        group: kafka
        mode: "0640"
  register: kafka_files

- name: Restart Kafka when server.properties changed
  ansible.builtin.systemd_service:
    name: kafka
    state: restarted
  when: "'/etc/kafka/server.properties' in kafka_files.changed_files"
"""

RETURN = r"""
changed_files:
  description: The files whose content or attributes changed (or would, in check mode), in the
    order of O(files).
  returned: always
  type: list
  elements: str
  sample: [/etc/kafka/server.properties]
content_changed_files:
  description: The files whose content changed (or would); a subset of RV(changed_files).
  returned: always
  type: list
  elements: str
  sample: [/etc/kafka/server.properties]
"""

import grp
import os
import pwd
import re
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native


def _read(path):
    """The file's bytes, or None when there is no file."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _problems(files, check_mode):
    """What is wrong with the files asked for; checked before anything is written."""
    problems = []
    destinations = [entry["dest"] for entry in files]
    repeated = sorted({dest for dest in destinations if destinations.count(dest) > 1})
    if repeated:
        problems.append(f"each file can be given once; named more than once: {', '.join(repeated)}")
    for entry in files:
        dest = entry["dest"]
        if not os.path.isabs(dest):
            problems.append(f"{dest}: dest must be an absolute path")
            continue
        mode = entry.get("mode")
        if (
            mode is not None
            and not isinstance(mode, int)
            and not re.fullmatch(r"0?[0-7]{3,4}", str(mode))
        ):
            problems.append(f"{dest}: mode {mode!r} is not an octal mode such as '0640'")
        # In check mode a directory, user or group that an earlier task would have
        # created may be missing: only a real run needs them.
        if check_mode:
            continue
        if not os.path.isdir(os.path.dirname(dest)):
            problems.append(f"{dest}: the directory {os.path.dirname(dest)} does not exist")
        for key, lookup in (("owner", pwd.getpwnam), ("group", grp.getgrnam)):
            name = entry.get(key)
            if name is None or name.isdigit():
                continue
            try:
                lookup(name)
            except KeyError:
                problems.append(f"{dest}: no such {'user' if key == 'owner' else 'group'} {name!r}")
    return problems


def _write_atomically(module, dest, data):
    directory = os.path.dirname(dest)
    descriptor, temporary = tempfile.mkstemp(prefix=".managed-", dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        # atomic_move keeps the existing file's owner, group and mode (and SELinux context);
        # the attributes asked for are set after.
        module.atomic_move(temporary, dest, unsafe_writes=False)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            files=dict(
                type="list",
                elements="dict",
                required=True,
                options=dict(
                    dest=dict(type="path", required=True),
                    content=dict(type="str", required=True),
                    owner=dict(type="str"),
                    group=dict(type="str"),
                    mode=dict(type="raw"),
                    diff=dict(type="bool", default=True),
                ),
            ),
        ),
        supports_check_mode=True,
    )
    files = module.params["files"]
    problems = _problems(files, module.check_mode)
    if problems:
        module.fail_json(msg="Nothing was written: " + "; ".join(problems) + ".")

    changed_files, content_changed_files, diffs = [], [], []
    for entry in files:
        dest = entry["dest"]
        wanted = to_bytes(entry["content"], errors="surrogate_or_strict")
        current = _read(dest)
        diff = {"before_header": dest, "after_header": dest, "before": {}, "after": {}}
        content_changed = current != wanted
        if content_changed:
            if entry["diff"]:
                diff["before"] = (
                    "" if current is None else to_native(current, errors="surrogate_or_replace")
                )
                diff["after"] = entry["content"]
            else:
                diff["before"] = "(content hidden)\n" if current is not None else ""
                diff["after"] = "(content hidden, changed)\n"
            if not module.check_mode:
                _write_atomically(module, dest, wanted)
        if module.check_mode and current is None:
            # Nothing to compare attributes with: a new file gets them when written.
            attributes_changed = any(
                entry.get(key) is not None for key in ("owner", "group", "mode")
            )
        else:
            attribute_diff = {"before": {}, "after": {}}
            file_args = module.load_file_common_arguments(
                {key: entry.get(key) for key in ("owner", "group", "mode")}, path=dest
            )
            attributes_changed = module.set_fs_attributes_if_different(
                file_args, False, attribute_diff, expand=False
            )
            if isinstance(diff["before"], dict):
                diff["before"].update(attribute_diff["before"])
                diff["after"].update(attribute_diff["after"])
        if content_changed or attributes_changed:
            changed_files.append(dest)
            diffs.append(diff)
        if content_changed:
            content_changed_files.append(dest)

    module.exit_json(
        changed=bool(changed_files),
        changed_files=changed_files,
        content_changed_files=content_changed_files,
        diff=diffs,
    )


if __name__ == "__main__":
    main()
