#!/usr/bin/python
# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

DOCUMENTATION = r"""
module: kafka_consumer_group_info
short_description: Describe Kafka consumer groups and their lag
version_added: 0.13.0
description:
  - Reports consumer groups (all, named ones, or those matching a pattern) with their state,
    their members and the partitions each member is assigned, and, per partition of every
    topic the group has committed offsets for, the committed offset, the end offset and the
    lag, with totals per topic and per group.
  - The lag of a partition is its end offset (the offset the next record will get) minus the
    group's committed offset. A partition of such a topic that the group never committed to
    is reported with C(committed_offset) and C(lag) null and counted in
    C(uncommitted_partitions), not in the totals.
  - Never changes anything.
author:
  - datapipe maintainers (!UNKNOWN)
extends_documentation_fragment:
  - datapipe.kafka_pipeline.kafka_connection
options:
  groups:
    description:
      - Groups to describe. Names Kafka does not know are listed in RV(missing).
      - Omit (and omit O(pattern)) to describe every group.
    type: list
    elements: str
  pattern:
    description:
      - A Python regular expression; groups whose whole name matches are described.
    type: str
  topics:
    description:
      - Report offsets and lag only for these topics.
    type: list
    elements: str
  include_offsets:
    description:
      - Read the committed and end offsets and work out the lag. Without them only the
        groups' states and members are read.
    type: bool
    default: true
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
seealso:
  - module: datapipe.kafka_pipeline.kafka_consumer_group
  - module: datapipe.kafka_pipeline.kafka_topic_info
"""

EXAMPLES = r"""
- name: Read the Logstash consumer's group
  datapipe.kafka_pipeline.kafka_consumer_group_info:
    bootstrap_servers: ["kafka1.internal:9092"]
    groups: [twitter_log_to_es]
  register: consumer

- name: Fail when the consumer is more than 100,000 records behind
  ansible.builtin.assert:
    that: consumer.groups.twitter_log_to_es.lag <= 100000
    fail_msg: "{{ consumer.groups.twitter_log_to_es.lag }} records behind"
"""

RETURN = r"""
groups:
  description: Per group.
  returned: always
  type: dict
  sample:
    twitter_log_to_es:
      state: Stable
      protocol_type: consumer
      members:
        - member_id: logstash-0-6f2a
          client_id: logstash-0
          client_host: 10.0.1.20
          assignment: {twitter: [0, 1, 2]}
      lag: 42
      topics:
        twitter:
          lag: 42
          uncommitted_partitions: 0
          partitions:
            - {partition: 0, committed_offset: 1200, end_offset: 1230, lag: 30}
            - {partition: 1, committed_offset: 980, end_offset: 992, lag: 12}
            - {partition: 2, committed_offset: 1005, end_offset: 1005, lag: 0}
  contains:
    state:
      description: The group's state as Kafka names it (C(Stable), C(Empty),
        C(PreparingRebalance), C(CompletingRebalance)).
      type: str
    protocol_type:
      description: C(consumer) for consumers; empty for a group that only committed offsets.
      type: str
    members:
      description: Members with C(member_id), C(client_id), C(client_host) and C(assignment)
        (topic to assigned partitions).
      type: list
      elements: dict
    lag:
      description: The group's total lag (absent when O(include_offsets) is false).
      type: int
    topics:
      description: Per topic the group committed offsets for (absent when O(include_offsets)
        is false).
      type: dict
missing:
  description: Groups named in O(groups) that Kafka does not know.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.consumer_groups import (
    lag_report,
    read_committed,
    read_groups,
    read_partition_offsets,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_admin import (
    compile_pattern,
    fail_on_kafka_error,
    kafka_module,
    open_admin_client,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_reads import (
    read_topics,
)

try:
    from kafka.admin import OffsetSpec
except ImportError:  # reported by kafka_admin.ensure_kafka_python
    OffsetSpec = None


def member_report(member):
    """One member as returned: who it is and what it is assigned."""
    assignment = member.get("member_assignment") or {}
    assigned = {}
    if isinstance(assignment, dict):
        for entry in assignment.get("assigned_partitions") or []:
            assigned[entry["topic"]] = sorted(entry["partitions"])
    return dict(
        member_id=member.get("member_id"),
        client_id=member.get("client_id"),
        client_host=(member.get("client_host") or "").lstrip("/"),
        assignment=assigned,
    )


def main():
    module = kafka_module(
        dict(
            groups=dict(type="list", elements="str"),
            pattern=dict(type="str"),
            topics=dict(type="list", elements="str"),
            include_offsets=dict(type="bool", default=True),
        ),
        mutually_exclusive=[("groups", "pattern")],
    )
    params = module.params
    pattern = compile_pattern(module)
    timeout_s = params["request_timeout"]

    with open_admin_client(module) as admin:
        try:
            groups = read_groups(admin, params["groups"], timeout_s)
            if pattern is not None:
                groups = dict((n, g) for n, g in groups.items() if pattern.fullmatch(n))
            committed = {}
            partitions_by_group = {}
            end_offsets = {}
            if params["include_offsets"] and groups:
                committed = read_committed(admin, sorted(groups), timeout_s)
                wanted = set(params["topics"] or [])
                topics_needed = sorted(
                    set(
                        topic
                        for offsets in committed.values()
                        for topic, _partition in offsets
                        if not wanted or topic in wanted
                    )
                )
                layout = read_topics(admin, topics_needed)
                partitions = [
                    (topic, index) for topic in layout for index in layout[topic]["replicas"]
                ]
                end_offsets = read_partition_offsets(
                    admin, partitions, OffsetSpec.LATEST, timeout_s
                )
                for name, offsets in committed.items():
                    partitions_by_group[name] = dict(
                        (topic, sorted(layout[topic]["replicas"]))
                        for topic in sorted(set(topic for topic, _partition in offsets))
                        if topic in layout
                    )
        except Exception as error:
            fail_on_kafka_error(module, error, "Could not describe the consumer groups")

    report = {}
    for name, group in sorted(groups.items()):
        entry = dict(
            state=group.get("group_state"),
            protocol_type=group.get("protocol_type") or "",
            members=[member_report(member) for member in group.get("members") or []],
        )
        if params["include_offsets"]:
            entry.update(
                lag_report(partitions_by_group.get(name, {}), committed.get(name, {}), end_offsets)
            )
        report[name] = entry
    module.exit_json(
        changed=False,
        groups=report,
        missing=sorted(set(params["groups"] or []) - set(groups)),
    )


if __name__ == "__main__":
    main()
