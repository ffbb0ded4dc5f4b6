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
  - Before lowering either value it works out, per topic, how many bytes the new value would
    let Kafka delete, and when that exceeds O(max_delete_bytes) the task fails without
    changing anything, unless O(allow_data_loss=true). Check mode reports the same figures.
  - For C(retention.bytes), which applies to each partition on its own, the figure is what lies
    beyond the new limit in each partition (sizes from DescribeLogDirs). For C(retention.ms)
    (since version 0.2.0) it is estimated per partition from the offset of the first record at
    or after the new cut-off time (now minus the new C(retention.ms), ListOffsets by
    timestamp), the partition's first and next offsets and its size, taking records to be of
    even size. When both go down, each partition counts the larger of the two.
  - Every option is checked before the first request to Kafka; a value that could be misread
    is refused with the spellings that are accepted.
  - When Kafka refuses the change for some topics after applying it to others, the task fails
    and reports only the changes it reads back from the brokers.
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
        between them. Units are taken exactly as written, as a letter whose case changes its
        meaning (V(b) bit, V(B) byte; V(m) milli, V(M) mega) is never guessed - V(B) byte;
        V(kB) or V(KB), V(MB), V(GB), V(TB) are 1000, 1000^2, 1000^3, 1000^4 bytes; V(KiB),
        V(MiB), V(GiB), V(TiB) are 1024, 1024^2, 1024^3, 1024^4 bytes. So V(100MB) is
        100000000 and V(10GiB) is 10737418240.
      - Refused, naming the accepted spellings - other cases of these units (V(100mb),
        V(5b), V(1Kib); accepted case-insensitively before version 0.2.0), a negative zero
        (V(-0), which reads as a typo of V(0) or V(-1)), negative values other than V(-1),
        fractions, and values above 9223372036854775807 (what Kafka can hold).
    type: raw
  retention_ms:
    description:
      - How long records are kept, or V(-1) for ever.
      - A whole number of milliseconds, or a whole number with a unit, with at most one space
        between them. Units - V(ms) millisecond; V(s) second; V(m) or V(min) minute; V(h)
        hour; V(d) day of 24 hours; V(w) week of 7 days. V(S), V(H), V(D) and V(W) are
        accepted too; V(ms), V(m) and V(min) only in lowercase, because V(M) reads as month
        or mega (V(30M), V(5MS) are refused; accepted case-insensitively before version
        0.2.0). So V(7d) is 604800000 and V(12h) is 43200000. There are no months or years.
      - A negative zero, negative values other than V(-1), fractions and values above
        9223372036854775807 are refused.
    type: raw
  max_delete_bytes:
    description:
      - How many bytes per topic a lower C(retention.bytes) or C(retention.ms) may make
        eligible for deletion before the task refuses. Same syntax as O(retention_bytes),
        except that V(-1) is refused (use O(allow_data_loss)). The default V(0) refuses any
        deletion.
    type: raw
    default: 0
  allow_data_loss:
    description:
      - Apply a lower C(retention.bytes) or C(retention.ms) even when it lets Kafka delete more
        than O(max_delete_bytes). The figures are still reported.
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
  - The figures are upper bounds; Kafka deletes whole segments only, and a compacted topic
    keeps the latest record of each key.
  - The C(retention.ms) estimate uses the record timestamps Kafka keeps (the producer's
    CreateTime unless the topic uses LogAppendTime) and the clock of the host running the
    module.
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

- name: Keep a day of the clicks topic, refused if that deletes more than 1 GB
  datapipe.kafka_pipeline.kafka_retention:
    bootstrap_servers: ["kafka1.internal:9092"]
    name: clicks
    retention_ms: 1d
    max_delete_bytes: 1GB

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
    - When the task fails part way, only the changes read back from the brokers after the
      failure.
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
    - Per topic whose C(retention.bytes) or C(retention.ms) goes down, the bytes the new values
      would let Kafka delete (see the description for how each is worked out). Topics that
      would lose nothing are left out. Before version 0.2.0 only C(retention.bytes) was
      weighed, and topics with nothing to delete were listed with V(0).
  returned: always
  type: dict
  sample: {twitter: 73400320}
"""

from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_admin import (
    compile_pattern,
    describe_kafka_error,
    fail_on_kafka_error,
    kafka_module,
    open_admin_client,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_reads import (
    alter_results_problems,
    read_deletion_preview,
    read_topic_configs,
    read_topics,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.retention import (
    guard_message,
    lowered_retention,
    over_guard,
    parse_duration,
    parse_max_delete,
    parse_size,
    plan_retention,
    retention_changes_made,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.topic_plan import (
    matching_topics,
    topic_name_problems,
)

try:
    from kafka.admin import ConfigResource, ConfigResourceType
except ImportError:  # reported by open_admin_client
    pass


def option_problems(params):
    """({key: number} asked for, max_delete_bytes in bytes, problems), before any request."""
    desired, problems, max_delete = {}, [], 0
    for option, key, parse in (
        ("retention_bytes", "retention.bytes", parse_size),
        ("retention_ms", "retention.ms", parse_duration),
    ):
        if params[option] is None:
            continue
        try:
            desired[key] = parse(params[option], option)
        except ValueError as error:
            problems.append(str(error))
    try:
        max_delete = parse_max_delete(params["max_delete_bytes"])
    except ValueError as error:
        problems.append(str(error))
    names = [params["name"]] if params["name"] is not None else list(params["topics"] or [])
    seen = set()
    for name in names:
        problems.extend(topic_name_problems(name, params["allow_internal"]))
        if name in seen:
            problems.append(f"topic {name} is listed more than once")
        seen.add(name)
    return desired, max_delete, problems


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


def retention_diff(changes):
    return dict(
        before=dict(
            (name, dict((k, v["before"]) for k, v in change.items()))
            for name, change in changes.items()
        ),
        after=dict(
            (name, dict((k, v["after"]) for k, v in change.items()))
            for name, change in changes.items()
        ),
    )


def fail_part_way(module, admin, changes, reason, result):
    """Report only what the brokers show was changed, then fail."""
    keys = sorted(set(key for change in changes.values() for key in change))
    try:
        made = retention_changes_made(changes, current_retention(admin, list(changes), keys))
        told = (
            "; ".join(
                f"{name}: " + ", ".join(f"{key}={value['after']}" for key, value in done.items())
                for name, done in made.items()
            )
            or "nothing"
        )
    except Exception as error:  # the report must still go out
        made = {}
        why = describe_kafka_error(error, module.params)
        told = f"unknown, as reading it back failed too ({why}); check with kafka_topic_info"
    result.update(changed=bool(made), topics=made)
    if module._diff:
        result["diff"] = retention_diff(made)
    module.fail_json(
        msg=f"Changing retention failed part way: {reason}. Changed, read back from the"
        f" brokers: {told}",
        **result,
    )


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
    desired, max_delete, problems = option_problems(params)
    if problems:
        module.fail_json(msg="Nothing was changed: " + "; ".join(problems))
    compile_pattern(module)  # a bad pattern fails here, before any request

    with open_admin_client(module) as admin:
        try:
            names = resolve_topics(module, admin)
            current = current_retention(admin, names, desired)
        except Exception as error:
            fail_on_kafka_error(module, error, "Could not read the topics")
        changes = plan_retention(desired, current)

        lowered = {}
        for name, change in changes.items():
            keys = lowered_retention(
                dict((key, value["before"]) for key, value in change.items()),
                dict((key, value["after"]) for key, value in change.items()),
            )
            if keys:
                lowered[name] = keys
        preview = {}
        if lowered:
            try:
                preview = read_deletion_preview(admin, lowered)
            except Exception as error:
                fail_on_kafka_error(module, error, "Could not read partition sizes and offsets")

        result = dict(
            changed=bool(changes),
            topics=changes,
            matched=names,
            deletion_preview=preview,
        )
        if module._diff:
            result["diff"] = retention_diff(changes)
        too_much = over_guard(preview, max_delete)
        if too_much and not params["allow_data_loss"]:
            result["changed"] = False
            reasons = dict(
                (name, " and ".join(f"{key}={value}" for key, value in keys.items()))
                for name, keys in lowered.items()
            )
            module.fail_json(msg=guard_message(too_much, max_delete, reasons), **result)
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
        except Exception as error:
            result["changed"] = False
            fail_on_kafka_error(module, error, "Could not validate the retention", **result)
        if refused:
            result["changed"] = False
            module.fail_json(msg="Nothing was changed: " + "; ".join(refused), **result)
        if not module.check_mode:
            try:
                failed = alter_results_problems(
                    admin.alter_configs(resources, raise_on_unknown=False, incremental=True),
                    "Kafka did not change the retention of",
                )
            except Exception as error:
                failed = [describe_kafka_error(error, params)]
            if failed:
                fail_part_way(module, admin, changes, "; ".join(failed), result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
