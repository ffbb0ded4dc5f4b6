#!/usr/bin/python
# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

DOCUMENTATION = r"""
module: kafka_consumer_group
short_description: Reset a Kafka consumer group's committed offsets
version_added: 0.13.0
description:
  - Moves a consumer group's committed offsets on every partition of the named topics to
    the earliest offset the partition still holds, to its end, to the first record at or
    after a time, or to a given offset.
  - Every target is kept within what the partition holds (a given offset below the earliest
    becomes the earliest, one past the end becomes the end); a time later than a partition's
    last record moves that partition to its end. This is what Kafka's own
    C(kafka-consumer-groups.sh --reset-offsets) does.
  - Refuses while the group has members (its consumers would overwrite the new offsets with
    their own). Stop the consumers first (for the pipeline, the Logstash consumer). A group
    Kafka does not know yet is created with the offsets.
  - Changes only the partitions whose committed offset differs from the target, and nothing
    when none does. Check mode reports every move without making it; diff mode shows the
    committed offsets before and after, per topic and partition.
author:
  - datapipe maintainers (!UNKNOWN)
extends_documentation_fragment:
  - datapipe.kafka_pipeline.kafka_connection
options:
  group:
    description:
      - The consumer group.
    type: str
    required: true
  topics:
    description:
      - Topics whose offsets the group moves, on every partition. Each must exist.
    type: list
    elements: str
    required: true
  reset_to:
    description:
      - C(earliest) the oldest record each partition still holds (the group reads everything
        again); C(latest) the end (the group skips everything written so far); C(timestamp) the
        first record at or after O(timestamp); C(offset) the offset O(offset) on every
        partition.
    type: str
    required: true
    choices: [earliest, latest, timestamp, offset]
  timestamp:
    description:
      - With O(reset_to=timestamp), the time to move to, as an ISO 8601 time with its time zone
        (V(2026-11-28T10:00:00Z), V(2026-11-28T11:00:00+01:00)), or milliseconds since the
        epoch. Kafka compares it with the records' timestamps.
    type: str
  offset:
    description:
      - With O(reset_to=offset), the offset every partition moves to (0 or more).
    type: int
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying
      target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in
      check_mode), when in diff mode.
    support: full
seealso:
  - module: datapipe.kafka_pipeline.kafka_consumer_group_info
"""

EXAMPLES = r"""
- name: Read the twitter topic again from the records of this morning (consumers stopped)
  datapipe.kafka_pipeline.kafka_consumer_group:
    bootstrap_servers: ["kafka1.internal:9092"]
    group: twitter_log_to_es
    topics: [twitter]
    reset_to: timestamp
    timestamp: "2026-11-28T06:00:00Z"

- name: Skip everything written so far
  datapipe.kafka_pipeline.kafka_consumer_group:
    bootstrap_servers: ["kafka1.internal:9092"]
    group: twitter_log_to_es
    topics: [twitter]
    reset_to: latest
"""

RETURN = r"""
moves:
  description:
    - Every partition of O(topics), moved or not, with the committed offset before (C(from),
      null where the group had not committed) and the target (C(to)). In check mode, what
      would be done.
  returned: always
  type: list
  elements: dict
  sample:
    - {topic: twitter, partition: 0, from: 1200, to: 0}
    - {topic: twitter, partition: 1, from: null, to: 0}
moved_partitions:
  description: How many partitions' committed offsets changed (or would, in check mode).
  returned: always
  type: int
group_state:
  description: The group's state before the reset (C(Empty), or C(Dead) for a group Kafka
    did not know).
  returned: always
  type: str
"""

from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.consumer_groups import (
    STATES_WITHOUT_MEMBERS,
    commit_offsets,
    members_summary,
    moved,
    offsets_by_topic,
    parse_timestamp,
    read_committed,
    read_groups,
    read_partition_offsets,
    reset_moves,
    reset_problems,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_admin import (
    fail_on_kafka_error,
    kafka_module,
    open_admin_client,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_reads import (
    read_topics,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.topic_plan import (
    topic_name_problems,
)

try:
    from kafka.admin import OffsetSpec
except ImportError:  # reported by kafka_admin.ensure_kafka_python
    OffsetSpec = None


def group_state(admin, group, timeout_s):
    """The group's state and members (Dead and none for a group Kafka does not know)."""
    found = read_groups(admin, [group], timeout_s).get(group)
    return (found["group_state"], found.get("members") or []) if found else ("Dead", [])


def refuse_active_group(module, group, state, members, result):
    module.fail_json(
        msg=(
            f"Nothing was changed: consumer group {group} is {state} with"
            f" {len(members)} member(s) ({members_summary(members)}), whose commits would"
            " overwrite the new offsets. Stop its consumers first (the group must be Empty)."
        ),
        **result,
    )


def main():
    module = kafka_module(
        dict(
            group=dict(type="str", required=True),
            topics=dict(type="list", elements="str", required=True),
            reset_to=dict(
                type="str", required=True, choices=["earliest", "latest", "timestamp", "offset"]
            ),
            timestamp=dict(type="str"),
            offset=dict(type="int"),
        ),
    )
    params = module.params
    problems = reset_problems(params) + [
        problem for name in params["topics"] or [] for problem in topic_name_problems(name)
    ]
    if problems:
        module.fail_json(msg="Nothing was changed: " + "; ".join(problems))
    group = params["group"]
    timeout_s = params["request_timeout"]
    result = dict(changed=False, moves=[], moved_partitions=0, group_state=None)

    with open_admin_client(module) as admin:
        try:
            layout = read_topics(admin, params["topics"])
            absent = sorted(set(params["topics"]) - set(layout))
            if absent:
                module.fail_json(
                    msg=f"Nothing was changed: topic(s) {', '.join(absent)} do not exist",
                    **result,
                )
            state, members = group_state(admin, group, timeout_s)
            result["group_state"] = state
            if state not in STATES_WITHOUT_MEMBERS:
                refuse_active_group(module, group, state, members, result)
            partitions_by_topic = dict(
                (topic, sorted(layout[topic]["replicas"])) for topic in layout
            )
            partitions = [(t, p) for t in partitions_by_topic for p in partitions_by_topic[t]]
            committed = read_committed(admin, [group], timeout_s).get(group, {})
            earliest = read_partition_offsets(admin, partitions, OffsetSpec.EARLIEST, timeout_s)
            latest = read_partition_offsets(admin, partitions, OffsetSpec.LATEST, timeout_s)
            target = params["reset_to"]
            if target == "earliest":
                resolved = earliest
            elif target == "latest":
                resolved = latest
            elif target == "offset":
                resolved = dict((key, params["offset"]) for key in partitions)
            else:
                resolved = read_partition_offsets(
                    admin, partitions, parse_timestamp(params["timestamp"]), timeout_s
                )
            moves = reset_moves(partitions_by_topic, committed, earliest, latest, resolved)
            changes = moved(moves)
            result.update(
                changed=bool(changes),
                moves=moves,
                moved_partitions=len(changes),
                diff=dict(
                    before=offsets_by_topic(moves, "from"), after=offsets_by_topic(moves, "to")
                ),
            )
            if changes and not module.check_mode:
                # A consumer may have joined since the state was read: ask again, as late
                # as can be; Kafka also refuses a commit for a group with members.
                state, members = group_state(admin, group, timeout_s)
                if state not in STATES_WITHOUT_MEMBERS:
                    result.update(changed=False, moved_partitions=0)
                    refuse_active_group(module, group, state, members, result)
                refused = commit_offsets(
                    admin,
                    group,
                    dict(((m["topic"], m["partition"]), m["to"]) for m in changes),
                    timeout_s,
                )
                if refused:
                    module.fail_json(
                        msg=(
                            f"Kafka refused the new offsets of consumer group {group} on"
                            f" {len(refused)} of {len(changes)} partitions: "
                            + ", ".join(f"{t}-{p}: {e}" for (t, p), e in sorted(refused.items()))
                            + ". The other partitions moved; read the group with"
                            " kafka_consumer_group_info."
                        ),
                        **result,
                    )
        except Exception as error:
            fail_on_kafka_error(module, error, f"Could not reset consumer group {group}", **result)

    module.exit_json(**result)


if __name__ == "__main__":
    main()
