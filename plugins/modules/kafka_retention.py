#!/usr/bin/python
# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

DOCUMENTATION = r"""
module: kafka_retention
short_description: Set retention.bytes and retention.ms on Kafka topics, guarding against data loss
version_added: 0.1.0
description:
  - Sets C(retention.bytes) and/or C(retention.ms) on one topic, a list of topics, or every
    topic whose name matches a pattern, changing only those two keys (IncrementalAlterConfigs)
    and only on topics where they differ.
  - Before lowering C(retention.bytes) it reads the size of every partition (DescribeLogDirs)
    and works out, per topic, how many bytes lie beyond the new limit; C(retention.bytes)
    applies to each partition on its own. When that exceeds O(max_delete_bytes) the task
    fails without changing anything, unless O(allow_data_loss=true). Check mode reports the
    same figures.
author:
  - datapipe maintainers (!UNKNOWN)
extends_documentation_fragment:
  - datapipe.kafka_pipeline.kafka_connection
options:
  name:
    description:
      - One topic.
    type: str
  topics:
    description:
      - Several topics by name. Each must exist.
    type: list
    elements: str
  pattern:
    description:
      - A Python regular expression; every topic whose whole name matches is changed.
        Kafka's internal topics are left out unless O(allow_internal=true). A pattern that
        matches no topic fails the task.
    type: str
  retention_bytes:
    description:
      - Largest size of each partition before old segments are deleted, or V(-1) for no limit.
      - A whole number of bytes, or a whole number with a unit, with at most one space
        between them. Units, case-insensitive - V(B) byte; V(KB), V(MB), V(GB), V(TB) are
        1000, 1000^2, 1000^3, 1000^4 bytes; V(KiB), V(MiB), V(GiB), V(TiB) are 1024,
        1024^2, 1024^3, 1024^4 bytes. So V(100MB) is 100000000 and V(10GiB) is 10737418240.
    type: raw
  retention_ms:
    description:
      - How long records are kept, or V(-1) for ever.
      - A whole number of milliseconds, or a whole number with a unit, with at most one space
        between them. Units, case-insensitive - V(ms) millisecond; V(s) second; V(m) or V(min)
        minute; V(h) hour; V(d) day of 24 hours; V(w) week of 7 days. So V(7d) is 604800000
        and V(12h) is 43200000. There are no months or years.
    type: raw
  max_delete_bytes:
    description:
      - How many bytes per topic a lower C(retention.bytes) may make eligible for deletion
        before the task refuses. Same syntax as O(retention_bytes). The default V(0) refuses
        any deletion.
    type: raw
    default: 0
  allow_data_loss:
    description:
      - Apply a lower C(retention.bytes) even when it lets Kafka delete more than
        O(max_delete_bytes). The figures are still reported.
    type: bool
    default: false
  allow_internal:
    description:
      - Allow changing Kafka's internal topics (names starting with C(__)).
    type: bool
    default: false
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying
      target.
    support: full
    details: Reads sizes and current values, reports the changes and the deletion preview;
      writes nothing.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in
      check_mode), when in diff mode.
    support: full
notes:
  - The guard weighs C(retention.bytes) only. Lowering C(retention.ms) also lets Kafka delete
    older data; the module shows the change in the diff but cannot size it.
  - The figure is an upper bound; Kafka deletes whole closed segments and never the active one.
seealso:
  - module: datapipe.kafka_pipeline.kafka_topic
  - module: datapipe.kafka_pipeline.kafka_topic_info
"""

EXAMPLES = r"""
- name: Cap the twitter topic at 100 MB per partition
  datapipe.kafka_pipeline.kafka_retention:
    bootstrap_servers: ["kafka1.internal:9092"]
    name: twitter
    retention_bytes: 100MB

- name: Keep a week of every events.* topic, and no size limit
  datapipe.kafka_pipeline.kafka_retention:
    bootstrap_servers: ["kafka1.internal:9092"]
    pattern: 'events\..*'
    retention_ms: 7d
    retention_bytes: -1

- name: Shrink retention even though it deletes up to 5 GiB per topic
  datapipe.kafka_pipeline.kafka_retention:
    bootstrap_servers: ["kafka1.internal:9092"]
    topics: [clicks, views]
    retention_bytes: 1GiB
    max_delete_bytes: 5GiB
"""

RETURN = r"""
topics:
  description:
    - Topics whose retention changed (or would in check mode), with before and after
      in bytes and milliseconds.
  returned: always
  type: dict
  sample:
    twitter:
      retention.bytes: {before: -1, after: 100000000}
matched:
  description: Every topic the task looked at (named, or matched by O(pattern)).
  returned: always
  type: list
  elements: str
deletion_preview:
  description:
    - Per topic whose C(retention.bytes) goes down, the bytes lying beyond the new per-partition
      limit, which Kafka may delete.
  returned: always
  type: dict
  sample: {twitter: 73400320}
"""

from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_admin import (
    compile_pattern,
    fail_on_kafka_error,
    kafka_module,
    open_admin_client,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_reads import (
    alter_results_problems,
    read_partition_sizes,
    read_topic_configs,
    read_topics,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.retention import (
    bytes_over_limit,
    is_lower_limit,
    parse_duration,
    parse_size,
    plan_retention,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.topic_plan import (
    is_internal_topic,
    matching_topics,
)

try:
    from kafka.admin import ConfigResource, ConfigResourceType
except ImportError:  # reported by open_admin_client
    pass


def desired_retention(params):
    """{key: number} from the options, or raise ValueError naming the option."""
    desired = {}
    if params["retention_bytes"] is not None:
        desired["retention.bytes"] = parse_size(params["retention_bytes"], "retention_bytes")
    if params["retention_ms"] is not None:
        desired["retention.ms"] = parse_duration(params["retention_ms"], "retention_ms")
    return desired


def resolve_topics(module, admin):
    """The topic names the task applies to; fails for missing topics or an empty match."""
    params = module.params
    pattern = compile_pattern(module)
    if pattern is not None:
        names = matching_topics(admin.list_topics(), pattern, params["allow_internal"])
        if not names:
            module.fail_json(
                msg="Nothing was changed: pattern {!r} matches no topic".format(params["pattern"])
            )
        return names
    names = [params["name"]] if params["name"] is not None else list(params["topics"])
    refused = [name for name in names if is_internal_topic(name) and not params["allow_internal"]]
    if refused:
        module.fail_json(
            msg=f"Nothing was changed: {', '.join(refused)} internal to Kafka;"
            " set allow_internal=true to change it"
        )
    existing = read_topics(admin, names)
    missing = [name for name in names if name not in existing]
    if missing:
        module.fail_json(msg="Nothing was changed: no such topic: {}".format(", ".join(missing)))
    return names


def current_retention(admin, names, keys):
    configs = read_topic_configs(admin, dict((name, list(keys)) for name in names))
    current = {}
    for name in names:
        current[name] = dict(
            (key, int(entry["value"])) for key, entry in configs.get(name, {}).items()
        )
    return current


def main():
    module = kafka_module(
        dict(
            name=dict(type="str"),
            topics=dict(type="list", elements="str"),
            pattern=dict(type="str"),
            retention_bytes=dict(type="raw"),
            retention_ms=dict(type="raw"),
            max_delete_bytes=dict(type="raw", default=0),
            allow_data_loss=dict(type="bool", default=False),
            allow_internal=dict(type="bool", default=False),
        ),
        mutually_exclusive=[("name", "topics", "pattern")],
        required_one_of=[("name", "topics", "pattern"), ("retention_bytes", "retention_ms")],
    )
    params = module.params
    try:
        desired = desired_retention(params)
        max_delete = parse_size(params["max_delete_bytes"], "max_delete_bytes")
    except ValueError as error:
        module.fail_json(msg=f"Nothing was changed: {error}")
    if max_delete < 0:
        module.fail_json(
            msg="Nothing was changed: max_delete_bytes cannot be unlimited (-1);"
            " use allow_data_loss"
        )

    with open_admin_client(module) as admin:
        try:
            names = resolve_topics(module, admin)
            current = current_retention(admin, names, desired)
        except Exception as error:
            fail_on_kafka_error(module, error, "Could not read the topics")
        changes = plan_retention(desired, current)

        preview = {}
        shrinking = [
            name
            for name, change in changes.items()
            if "retention.bytes" in change
            and is_lower_limit(
                change["retention.bytes"]["after"], change["retention.bytes"]["before"]
            )
        ]
        if shrinking:
            try:
                sizes = read_partition_sizes(admin, shrinking)
            except Exception as error:
                fail_on_kafka_error(module, error, "Could not read partition sizes")
            for name in shrinking:
                preview[name] = bytes_over_limit(sizes.get(name, {}), desired["retention.bytes"])

        result = dict(
            changed=bool(changes),
            topics=changes,
            matched=names,
            deletion_preview=preview,
        )
        if module._diff:
            result["diff"] = dict(
                before=dict(
                    (name, dict((k, v["before"]) for k, v in change.items()))
                    for name, change in changes.items()
                ),
                after=dict(
                    (name, dict((k, v["after"]) for k, v in change.items()))
                    for name, change in changes.items()
                ),
            )
        too_much = dict((name, size) for name, size in preview.items() if size > max_delete)
        if too_much and not params["allow_data_loss"]:
            result["changed"] = False
            over_limit = ", ".join(
                f"{size} bytes of {name}" for name, size in sorted(too_much.items())
            )
            module.fail_json(
                msg=f"Nothing was changed: retention.bytes={desired['retention.bytes']} would let"
                f" Kafka delete up to {over_limit} (more than max_delete_bytes={max_delete});"
                " set allow_data_loss=true or raise max_delete_bytes if that is intended",
                **result,
            )
        if not changes:
            module.exit_json(**result)

        resources = [
            ConfigResource(
                ConfigResourceType.TOPIC,
                name,
                dict((key, str(value["after"])) for key, value in change.items()),
            )
            for name, change in sorted(changes.items())
        ]
        try:
            refused = alter_results_problems(
                admin.alter_configs(
                    resources, validate_only=True, raise_on_unknown=False, incremental=True
                ),
                "Kafka refuses the retention of",
            )
            if refused:
                result["changed"] = False
                module.fail_json(msg="Nothing was changed: " + "; ".join(refused), **result)
            if not module.check_mode:
                failed = alter_results_problems(
                    admin.alter_configs(resources, raise_on_unknown=False, incremental=True),
                    "Could not change the retention of",
                )
                if failed:
                    module.fail_json(msg="; ".join(failed), **result)
        except Exception as error:
            fail_on_kafka_error(module, error, "Changing retention failed", **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
