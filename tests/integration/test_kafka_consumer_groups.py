"""kafka_consumer_group_info and kafka_consumer_group against real brokers.

The group's lag and offsets are made with plain kafka-python (records produced to known
partitions, offsets committed through the admin API, a real consumer joining the group)
and read back the same way after each module task: a test never trusts the module's own
report for what Kafka holds. The reading and resetting tests run on a Kafka 4 KRaft broker
and on a Kafka 3.9 broker in ZooKeeper mode; the refusals on the KRaft one.
"""

from __future__ import annotations

import itertools
import time

import kafka_lab
import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.structs import OffsetAndMetadata, TopicPartition
from playbook_run import run_task

_names = itertools.count()
# Records per partition of every topic these tests make.
RECORDS = [10, 20, 0]
T1_MS = 1_700_000_000_000  # the first half of partition 0's records
T2_MS = T1_MS + 3_600_000  # the second half


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_names)}"


def retried(call, *args, timeout_s: float = 60):
    """Admin calls to a group's coordinator, again while it is being elected (the first
    group of a broker's life creates __consumer_offsets)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return call(*args)
        except Exception as error:
            if not getattr(error, "retriable", False) or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


class GroupView:
    """Topics, records and a group's committed offsets, as plain kafka-python sees them."""

    def __init__(self, bootstrap_servers: str):
        self.bootstrap_servers = bootstrap_servers
        self.admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=15000)

    def topic_with_records(self) -> str:
        """A topic of three partitions holding RECORDS[i] records in partition i; partition
        0's first half stamped T1_MS, its second half T2_MS."""
        topic = unique("orders")
        self.admin.create_topics([NewTopic(topic, len(RECORDS), 1)])
        kafka_lab.wait_until_led(self.admin, topic, len(RECORDS))
        producer = KafkaProducer(bootstrap_servers=self.bootstrap_servers, acks="all")
        for partition, count in enumerate(RECORDS):
            for index in range(count):
                stamp = (T1_MS if index < count // 2 else T2_MS) if partition == 0 else None
                producer.send(topic, b"x", partition=partition, timestamp_ms=stamp)
        producer.flush(timeout=30)
        producer.close()
        return topic

    def commit(self, group: str, offsets: dict[tuple[str, int], int]) -> None:
        request = {
            TopicPartition(t, p): OffsetAndMetadata(o, "", None) for (t, p), o in offsets.items()
        }
        deadline = time.monotonic() + 60
        while True:
            results = retried(self.admin.alter_group_offsets, group, request)
            errors = [e for e in results.values() if e.__name__ != "NoError"]
            if not errors:
                return
            # Kafka answers per partition; the coordinator may still be being elected.
            assert all(e.retriable for e in errors), results
            assert time.monotonic() < deadline, results
            time.sleep(0.5)

    def committed(self, group: str) -> dict[tuple[str, int], int]:
        offsets = retried(self.admin.list_group_offsets, {group: None})[group]
        return {(tp.topic, tp.partition): entry.offset for tp, entry in offsets.items()}


@pytest.fixture
def view(any_broker):
    found = GroupView(any_broker.bootstrap_servers)
    yield found
    found.admin.close()


@pytest.fixture
def kraft_view(kraft_broker):
    found = GroupView(kraft_broker.bootstrap_servers)
    yield found
    found.admin.close()


def test_info_reports_each_partitions_lag_exactly(view):
    topic = view.topic_with_records()
    group = unique("lagging")
    view.commit(group, {(topic, 0): 4, (topic, 1): 20})
    args = {"bootstrap_servers": [view.bootstrap_servers], "groups": [group, "no-such-group"]}

    outcome = run_task("kafka_consumer_group_info", args, check=True)

    assert not outcome.failed, outcome.result
    assert not outcome.changed
    assert outcome.result["missing"] == ["no-such-group"]
    report = outcome.result["groups"][group]
    assert report["state"] == "Empty"
    assert report["members"] == []
    assert report["lag"] == 6
    assert report["topics"] == {
        topic: {
            "lag": 6,
            "uncommitted_partitions": 1,
            "partitions": [
                {"partition": 0, "committed_offset": 4, "end_offset": 10, "lag": 6},
                {"partition": 1, "committed_offset": 20, "end_offset": 20, "lag": 0},
                {"partition": 2, "committed_offset": None, "end_offset": 0, "lag": None},
            ],
        }
    }
    # A pattern finds the same group; without offsets only its state is read.
    by_pattern = run_task(
        "kafka_consumer_group_info",
        {
            "bootstrap_servers": [view.bootstrap_servers],
            "pattern": "lagging-.*",
            "include_offsets": False,
        },
    )
    assert group in by_pattern.result["groups"], by_pattern.result
    assert "lag" not in by_pattern.result["groups"][group]
    assert view.committed(group) == {(topic, 0): 4, (topic, 1): 20}


def test_reset_moves_only_what_differs_and_shows_it_first(view):
    topic = view.topic_with_records()
    group = unique("replay")
    view.commit(group, {(topic, 0): 4, (topic, 1): 20})
    args = {
        "bootstrap_servers": [view.bootstrap_servers],
        "group": group,
        "topics": [topic],
        "reset_to": "earliest",
    }

    preview = run_task("kafka_consumer_group", args, check=True)
    assert preview.changed and not preview.failed, preview.result
    assert view.committed(group) == {(topic, 0): 4, (topic, 1): 20}
    assert preview.result["moves"] == [
        {"topic": topic, "partition": 0, "from": 4, "to": 0},
        {"topic": topic, "partition": 1, "from": 20, "to": 0},
        {"topic": topic, "partition": 2, "from": None, "to": 0},
    ]
    assert preview.result["diff"] == {
        "before": {topic: {"0": 4, "1": 20, "2": None}},
        "after": {topic: {"0": 0, "1": 0, "2": 0}},
    }

    applied = run_task("kafka_consumer_group", args)
    assert applied.changed and not applied.failed, applied.result
    assert applied.result["moved_partitions"] == 3
    assert view.committed(group) == {(topic, 0): 0, (topic, 1): 0, (topic, 2): 0}

    again = run_task("kafka_consumer_group", args)
    assert not again.changed and not again.failed, again.result
    assert again.result["moved_partitions"] == 0
    assert view.committed(group) == {(topic, 0): 0, (topic, 1): 0, (topic, 2): 0}


def test_reset_to_a_time_and_to_an_offset_within_what_each_partition_holds(kraft_view):
    view = kraft_view
    topic = view.topic_with_records()
    group = unique("rewind")
    base = {"bootstrap_servers": [view.bootstrap_servers], "group": group, "topics": [topic]}

    # T2 in partition 0 is its sixth record (offset 5); partition 1's records carry the
    # time they were sent (later than T2), so it goes to its first; partition 2 is empty.
    by_time = run_task(
        "kafka_consumer_group",
        {**base, "reset_to": "timestamp", "timestamp": "2023-11-15T00:13:20+01:00"},
    )
    assert not by_time.failed, by_time.result
    assert view.committed(group) == {(topic, 0): 5, (topic, 1): 0, (topic, 2): 0}

    # 15: within partition 1's 20 records; past partition 0's end (10) and partition 2's (0).
    by_offset = run_task("kafka_consumer_group", {**base, "reset_to": "offset", "offset": 15})
    assert by_offset.changed and not by_offset.failed, by_offset.result
    assert view.committed(group) == {(topic, 0): 10, (topic, 1): 15, (topic, 2): 0}

    to_end = run_task("kafka_consumer_group", {**base, "reset_to": "latest"})
    assert not to_end.failed, to_end.result
    assert view.committed(group) == {(topic, 0): 10, (topic, 1): 20, (topic, 2): 0}


def test_reset_is_refused_while_the_group_has_members(kraft_view):
    view = kraft_view
    topic = view.topic_with_records()
    group = unique("busy")
    view.commit(group, {(topic, 0): 3})
    consumer = KafkaConsumer(
        topic, bootstrap_servers=view.bootstrap_servers, group_id=group, enable_auto_commit=False
    )
    try:
        deadline = time.monotonic() + 60
        while not consumer.assignment():
            assert time.monotonic() < deadline, "the consumer never joined its group"
            consumer.poll(timeout_ms=500)
        # `topics` limits the offsets read: the group's commit on this topic is left out.
        info = run_task(
            "kafka_consumer_group_info",
            {"bootstrap_servers": [view.bootstrap_servers], "groups": [group], "topics": ["x"]},
        )
        [member] = info.result["groups"][group]["members"]
        assert member["assignment"] == {topic: [0, 1, 2]}, member
        assert info.result["groups"][group]["topics"] == {}, info.result
        assert info.result["groups"][group]["lag"] == 0

        outcome = run_task(
            "kafka_consumer_group",
            {
                "bootstrap_servers": [view.bootstrap_servers],
                "group": group,
                "topics": [topic],
                "reset_to": "earliest",
            },
        )
    finally:
        consumer.close(autocommit=False)
    assert outcome.failed and not outcome.changed, outcome.result
    assert f"consumer group {group} is Stable with 1 member(s)" in outcome.msg, outcome.msg
    assert "Stop its consumers first" in outcome.msg
    assert view.committed(group) == {(topic, 0): 3}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            {"reset_to": "timestamp", "timestamp": "2026-11-28T10:00:00"},
            "has no time zone",
            id="time without zone",
        ),
        pytest.param({"reset_to": "offset", "offset": -3}, "offset must be 0 or more", id="neg"),
        pytest.param({"reset_to": "earliest", "offset": 3}, "use reset_to: offset", id="mixed"),
        pytest.param(
            {"reset_to": "earliest", "topics": ["no-such-topic"]},
            "topic(s) no-such-topic do not exist",
            id="missing topic",
        ),
        pytest.param({"reset_to": "sideways"}, "value of reset_to must be one of", id="choice"),
    ],
)
def test_bad_reset_input_is_refused_and_moves_nothing(kraft_view, args, message):
    view = kraft_view
    topic = view.topic_with_records()
    group = unique("guarded")
    view.commit(group, {(topic, 0): 7})
    outcome = run_task(
        "kafka_consumer_group",
        {"bootstrap_servers": [view.bootstrap_servers], "group": group, "topics": [topic], **args},
    )
    assert outcome.failed and not outcome.changed, outcome.result
    assert message in outcome.msg, outcome.msg
    assert "Traceback" not in outcome.msg
    assert view.committed(group) == {(topic, 0): 7}
