"""kafka_topic, kafka_retention and kafka_topic_info against real brokers.

Each test runs once on a Kafka 4 KRaft broker and once on a Kafka 3.9 broker in
ZooKeeper mode (the ``any_broker`` fixture). Module tasks go through
ansible-playbook; what they did is checked by reading the broker with plain
kafka-python, never by trusting the module's own report. Sequence per case:
check mode (nothing changes), apply, apply again (changed false), check mode
again (changed false), clean up.
"""

from __future__ import annotations

import itertools
import re
import time

import kafka_lab
import pytest
from kafka import KafkaProducer
from kafka.admin import AlterConfigOp, ConfigResource, ConfigResourceType, KafkaAdminClient
from kafka.structs import TopicPartition
from playbook_run import run_task

DAY_MS = 24 * 3600 * 1000

_names = itertools.count()


def unique(prefix: str) -> str:
    """Topic names unique in this session, as both brokers live the whole session."""
    return f"{prefix}-{next(_names)}"


class BrokerView:
    """The broker as plain kafka-python sees it."""

    def __init__(self, bootstrap_servers: str):
        self.admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=15000)

    def topics(self) -> set[str]:
        return set(self.admin.list_topics())

    def partitions(self, topic: str) -> int:
        [described] = self.admin.describe_topics([topic])
        return len(described["partitions"])

    def overrides(self, topic: str) -> dict[str, str]:
        resource = ConfigResource(ConfigResourceType.TOPIC, topic)
        configs = self.admin.describe_configs([resource], config_filter="modified")
        return {key: entry["value"] for key, entry in configs["topic"][topic].items()}

    def snapshot(self) -> dict:
        """Every user topic with its partition count and overrides: to prove nothing changed."""
        return {
            topic: (self.partitions(topic), self.overrides(topic))
            for topic in sorted(self.topics())
            if not topic.startswith("__")
        }

    def create(self, topic: str, partitions: int = 1, config: dict | None = None) -> None:
        self.admin.create_topics(
            {
                topic: {
                    "num_partitions": partitions,
                    "replication_factor": 1,
                    "configs": config or {},
                }
            },
            wait_for_metadata=True,
        )
        kafka_lab.wait_until_led(self.admin, topic, partitions)

    def delete(self, *topics: str) -> None:
        present = [topic for topic in topics if topic in self.topics()]
        if present:
            self.admin.delete_topics(present)


@pytest.fixture
def broker(any_broker):
    view = BrokerView(any_broker.bootstrap_servers)
    view.bootstrap_servers = [any_broker.bootstrap_servers]
    view.server = any_broker
    yield view
    view.admin.close()


def fill(bootstrap_servers: str, topic: str, partitions: int, bytes_per_partition: int) -> None:
    """Write about ``bytes_per_partition`` of 1 KB records into each partition."""
    producer = KafkaProducer(bootstrap_servers=bootstrap_servers, acks="all", linger_ms=5)
    record = b"x" * 1000
    for index in range(partitions * bytes_per_partition // 1000):
        producer.send(topic, record, partition=index % partitions)
    producer.flush(timeout=30)
    producer.close()


def fill_at(
    bootstrap_servers: str, topic: str, partition: int, records: int, timestamp_ms: int
) -> None:
    """Write ``records`` 1 KB records stamped ``timestamp_ms`` (CreateTime) into one partition."""
    producer = KafkaProducer(bootstrap_servers=bootstrap_servers, acks="all", linger_ms=5)
    for _index in range(records):
        producer.send(topic, b"x" * 1000, partition=partition, timestamp_ms=timestamp_ms)
    producer.flush(timeout=30)
    producer.close()


def sizes(view: BrokerView, topic: str) -> dict[int, int]:
    """Bytes on disk per partition, as the broker reports them."""
    found = {}
    for broker in view.admin.describe_log_dirs([topic]):
        for log_dir in broker["log_dirs"]:
            for entry in log_dir["topics"]:
                for partition in entry["partitions"]:
                    index = partition["partition_index"]
                    found[index] = max(found.get(index, 0), partition["partition_size"])
    return found


def test_three_topics_created_in_one_task(broker):
    names = [unique("three") for _index in range(3)]
    args = {
        "bootstrap_servers": broker.bootstrap_servers,
        "replication_factor": 1,
        "topics": [
            {"name": names[0], "partitions": 1},
            {"name": names[1], "partitions": 2, "config": {"cleanup.policy": "compact"}},
            {"name": names[2], "partitions": 3, "config": {"retention.ms": 86400000}},
        ],
    }

    checked = run_task("kafka_topic", args, check=True)
    assert checked.changed and not checked.failed, checked.result
    assert sorted(checked.result["created"]) == sorted(names)
    assert checked.result["diff"]["before"][names[1]] == "absent"
    assert broker.topics().isdisjoint(names), "check mode created a topic"

    applied = run_task("kafka_topic", args)
    assert applied.changed and not applied.failed, applied.result
    assert [broker.partitions(name) for name in names] == [1, 2, 3]
    assert broker.overrides(names[1]) == {"cleanup.policy": "compact"}
    assert broker.overrides(names[2]) == {"retention.ms": "86400000"}

    again = run_task("kafka_topic", args)
    assert not again.changed and not again.failed, again.result
    assert again.result["created"] == []
    assert not run_task("kafka_topic", args, check=True).changed

    delete = {**args, "state": "absent"}
    checked_delete = run_task("kafka_topic", delete, check=True)
    assert sorted(checked_delete.result["deleted"]) == sorted(names)
    assert set(names) <= broker.topics(), "check mode deleted a topic"
    assert run_task("kafka_topic", delete).changed
    assert broker.topics().isdisjoint(names)
    assert not run_task("kafka_topic", delete).changed


def test_partition_increase(broker):
    name = unique("grow")
    broker.create(name, partitions=1)
    args = {"bootstrap_servers": broker.bootstrap_servers, "name": name, "partitions": 4}

    checked = run_task("kafka_topic", args, check=True)
    assert checked.changed
    assert checked.result["topics"][name]["partitions"] == {"before": 1, "after": 4}
    assert broker.partitions(name) == 1

    assert run_task("kafka_topic", args).changed
    assert broker.partitions(name) == 4
    assert not run_task("kafka_topic", args).changed
    assert not run_task("kafka_topic", args, check=True).changed
    broker.delete(name)


def test_config_change_leaves_unrelated_override_intact(broker):
    """The legacy AlterConfigs call would reset max.message.bytes here; ours must not."""
    name = unique("keep")
    broker.create(name, config={"max.message.bytes": "2000000", "retention.ms": "3600000"})
    args = {
        "bootstrap_servers": broker.bootstrap_servers,
        "name": name,
        "config": {"retention.ms": 7200000},
    }

    checked = run_task("kafka_topic", args, check=True)
    assert checked.changed
    assert checked.result["diff"]["before"][name]["config"] == {"retention.ms": "3600000"}
    assert checked.result["diff"]["after"][name]["config"] == {"retention.ms": "7200000"}
    assert broker.overrides(name)["retention.ms"] == "3600000"

    assert run_task("kafka_topic", args).changed
    assert broker.overrides(name) == {"max.message.bytes": "2000000", "retention.ms": "7200000"}
    assert not run_task("kafka_topic", args).changed
    # Kafka normalises values: the same number as a string is no change.
    same_as_string = {**args, "config": {"retention.ms": "7200000"}}
    assert not run_task("kafka_topic", same_as_string, check=True).changed
    broker.delete(name)


def test_exclusive_mode_resets_overrides_not_listed(broker):
    name = unique("exclusive")
    broker.create(name, config={"max.message.bytes": "2000000", "retention.ms": "3600000"})
    args = {
        "bootstrap_servers": broker.bootstrap_servers,
        "name": name,
        "config": {"retention.ms": 3600000},
        "config_exclusive": True,
    }

    checked = run_task("kafka_topic", args, check=True)
    assert checked.changed
    assert checked.result["topics"][name]["config_reset"] == ["max.message.bytes"]
    assert checked.result["diff"]["after"][name]["config"]["max.message.bytes"] == (
        "(reset to broker default)"
    )
    assert "max.message.bytes" in broker.overrides(name)

    assert run_task("kafka_topic", args).changed
    assert broker.overrides(name) == {"retention.ms": "3600000"}
    assert not run_task("kafka_topic", args).changed
    assert not run_task("kafka_topic", args, check=True).changed
    broker.delete(name)


def test_retention_guard_blocks_then_allows_data_loss(broker):
    name = unique("guard")
    broker.create(name, partitions=2)
    fill(broker.server.bootstrap_servers, name, partitions=2, bytes_per_partition=100_000)
    args = {"bootstrap_servers": broker.bootstrap_servers, "name": name, "retention_bytes": "20KB"}

    blocked = run_task("kafka_retention", args)
    assert blocked.failed and not blocked.changed
    assert "would let Kafka delete up to" in blocked.msg
    assert "allow_data_loss" in blocked.msg
    # retention.bytes applies per partition: about 80 KB over the limit in each of two.
    assert blocked.result["deletion_preview"][name] > 150_000
    assert "retention.bytes" not in broker.overrides(name)

    allowed = {**args, "allow_data_loss": True}
    checked = run_task("kafka_retention", allowed, check=True)
    assert checked.changed and not checked.failed
    assert checked.result["deletion_preview"] == blocked.result["deletion_preview"]
    assert checked.result["topics"][name]["retention.bytes"] == {"before": -1, "after": 20000}
    assert "retention.bytes" not in broker.overrides(name)

    assert run_task("kafka_retention", allowed).changed
    assert broker.overrides(name) == {"retention.bytes": "20000"}
    assert not run_task("kafka_retention", allowed).changed
    assert not run_task("kafka_retention", allowed, check=True).changed
    # Raising the limit deletes nothing, so no guard applies.
    assert run_task("kafka_retention", {**args, "retention_bytes": "10GiB"}).changed
    assert broker.overrides(name) == {"retention.bytes": str(10 * 1024**3)}
    broker.delete(name)


def test_retention_by_pattern_changes_only_retention(broker):
    prefix = unique("logs")
    names = [f"{prefix}.a", f"{prefix}.b"]
    other = unique("other")
    for name in names:
        broker.create(name, config={"cleanup.policy": "delete,compact"})
    broker.create(other)
    args = {
        "bootstrap_servers": broker.bootstrap_servers,
        "pattern": f"{prefix}\\..*",
        "retention_ms": "12h",
        "retention_bytes": -1,
    }

    checked = run_task("kafka_retention", args, check=True)
    assert checked.changed and checked.result["matched"] == names
    assert set(checked.result["topics"]) == set(names)
    assert checked.result["deletion_preview"] == {}
    assert all("retention.ms" not in broker.overrides(name) for name in names)

    assert run_task("kafka_retention", args).changed
    for name in names:
        assert broker.overrides(name) == {
            "cleanup.policy": "delete,compact",
            "retention.ms": "43200000",
        }
    assert broker.overrides(other) == {}
    assert not run_task("kafka_retention", args).changed
    assert not run_task("kafka_retention", args, check=True).changed
    broker.delete(*names, other)


def test_topic_info_reports_layout_config_and_size(broker):
    name = unique("info")
    broker.create(name, partitions=2, config={"retention.ms": "3600000"})
    fill(broker.server.bootstrap_servers, name, partitions=2, bytes_per_partition=20_000)
    args = {"bootstrap_servers": broker.bootstrap_servers, "topics": [name, "no-such-topic"]}

    for check in (False, True):
        info = run_task("kafka_topic_info", args, check=check)
        assert not info.changed and not info.failed, info.result
        topic = info.result["topics"][name]
        assert topic["partitions"] == 2
        assert topic["replication_factor"] == 1
        assert topic["under_replicated_partitions"] == 0
        assert topic["offline_partitions"] == 0
        assert topic["config"] == {"retention.ms": "3600000"}
        assert topic["size_bytes"] >= 40_000
        assert [p["partition"] for p in topic["partition_details"]] == [0, 1]
        assert info.result["missing"] == ["no-such-topic"]
        assert len(info.result["cluster"]["brokers"]) == 1
        assert info.result["cluster"]["cluster_id"]

    everything = run_task("kafka_topic_info", {"bootstrap_servers": broker.bootstrap_servers})
    assert name in everything.result["topics"]
    assert not any(topic.startswith("__") for topic in everything.result["topics"])
    broker.delete(name)


def test_sasl_login_with_the_right_password_works(broker):
    info = run_task(
        "kafka_topic_info",
        {
            "bootstrap_servers": [broker.server.sasl_bootstrap_servers],
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": "PLAIN",
            "sasl_username": kafka_lab.SASL_USER,
            "sasl_password": kafka_lab.SASL_PASSWORD,
            "include_size": False,
        },
    )
    assert not info.failed, info.result
    assert kafka_lab.SASL_PASSWORD not in str(info.result)


# --- the data-loss guard on every path ---------------------------------------------------


def test_lowering_retention_ms_is_weighed_from_offsets_by_timestamp(broker):
    """Partition 0 holds 100 records from ten days ago and 100 from now, partition 1 only old
    ones: keeping one day lets Kafka delete about half of 0 and all of 1."""
    name = unique("by-time")
    broker.create(name, partitions=2, config={"retention.ms": "-1"})
    now = int(time.time() * 1000)
    fill_at(broker.server.bootstrap_servers, name, 0, 100, now - 10 * DAY_MS)
    fill_at(broker.server.bootstrap_servers, name, 0, 100, now)
    fill_at(broker.server.bootstrap_servers, name, 1, 100, now - 10 * DAY_MS)
    on_disk = sizes(broker, name)
    expected = on_disk[0] / 2 + on_disk[1]
    args = {"bootstrap_servers": broker.bootstrap_servers, "name": name, "retention_ms": "1d"}

    blocked = run_task("kafka_retention", args)
    assert blocked.failed and not blocked.changed, blocked.result
    assert "retention.ms=86400000 would let Kafka delete up to" in blocked.msg
    assert f"bytes of {name}" in blocked.msg and "allow_data_loss" in blocked.msg
    preview = blocked.result["deletion_preview"][name]
    assert 0.95 * expected <= preview <= 1.05 * expected, (preview, on_disk)
    assert broker.overrides(name) == {"retention.ms": "-1"}

    # A threshold above the estimate lets it through without the opt-in.
    roomy = {**args, "max_delete_bytes": 2 * sum(on_disk.values())}
    checked = run_task("kafka_retention", roomy, check=True)
    assert checked.changed and not checked.failed, checked.result
    assert checked.result["deletion_preview"] == blocked.result["deletion_preview"]
    assert broker.overrides(name) == {"retention.ms": "-1"}

    allowed = {**args, "allow_data_loss": True}
    assert run_task("kafka_retention", allowed, check=True).changed
    assert broker.overrides(name) == {"retention.ms": "-1"}
    applied = run_task("kafka_retention", allowed)
    assert applied.changed and not applied.failed, applied.result
    assert broker.overrides(name) == {"retention.ms": str(DAY_MS)}
    assert not run_task("kafka_retention", allowed).changed
    assert not run_task("kafka_retention", allowed, check=True).changed
    # Keeping longer deletes nothing: no guard.
    assert run_task("kafka_retention", {**args, "retention_ms": "30d"}).changed
    broker.delete(name)


def test_retention_in_kafka_topic_config_is_guarded(broker):
    name = unique("config-guard")
    broker.create(name, partitions=2)
    fill(broker.server.bootstrap_servers, name, partitions=2, bytes_per_partition=100_000)
    args = {
        "bootstrap_servers": broker.bootstrap_servers,
        "name": name,
        "config": {"retention.bytes": 20000},
    }

    blocked = run_task("kafka_topic", args)
    assert blocked.failed and not blocked.changed, blocked.result
    assert "retention.bytes=20000 would let Kafka delete up to" in blocked.msg
    assert blocked.result["deletion_preview"][name] > 150_000
    assert broker.overrides(name) == {}

    allowed = {**args, "allow_data_loss": True}
    checked = run_task("kafka_topic", allowed, check=True)
    assert checked.changed and not checked.failed, checked.result
    assert checked.result["deletion_preview"] == blocked.result["deletion_preview"]
    assert broker.overrides(name) == {}
    assert run_task("kafka_topic", {**args, "max_delete_bytes": "1MB"}, check=True).changed

    assert run_task("kafka_topic", allowed).changed
    assert broker.overrides(name) == {"retention.bytes": "20000"}
    assert not run_task("kafka_topic", allowed).changed
    assert not run_task("kafka_topic", allowed, check=True).changed

    # Lowering retention.ms from the default of 7 days to an hour deletes nothing written
    # just now: the estimate, not the direction of the change, decides.
    fresh = {**args, "config": {"retention.bytes": 20000, "retention.ms": 3_600_000}}
    shorter = run_task("kafka_topic", fresh)
    assert shorter.changed and not shorter.failed, shorter.result
    assert shorter.result["deletion_preview"] == {}
    assert broker.overrides(name) == {"retention.bytes": "20000", "retention.ms": "3600000"}
    broker.delete(name)


def test_resetting_retention_to_a_lower_broker_default_is_guarded(broker):
    """config_exclusive removes the override retention.ms=-1; the broker default of 7 days
    would let Kafka delete the records written ten days ago."""
    name = unique("reset-guard")
    broker.create(name, partitions=1, config={"retention.ms": "-1"})
    fill_at(broker.server.bootstrap_servers, name, 0, 100, int(time.time() * 1000) - 10 * DAY_MS)
    args = {
        "bootstrap_servers": broker.bootstrap_servers,
        "name": name,
        "config": {},
        "config_exclusive": True,
    }

    blocked = run_task("kafka_topic", args)
    assert blocked.failed and not blocked.changed, blocked.result
    assert "resetting retention.ms to the broker default 604800000 would let Kafka delete" in (
        blocked.msg
    )
    assert blocked.result["deletion_preview"][name] >= 100_000
    assert broker.overrides(name) == {"retention.ms": "-1"}

    allowed = {**args, "allow_data_loss": True}
    checked = run_task("kafka_topic", allowed, check=True)
    assert checked.changed and checked.result["topics"][name]["config_reset"] == ["retention.ms"]
    assert broker.overrides(name) == {"retention.ms": "-1"}
    assert run_task("kafka_topic", allowed).changed
    assert broker.overrides(name) == {}
    assert not run_task("kafka_topic", allowed).changed
    assert not run_task("kafka_topic", allowed, check=True).changed
    broker.delete(name)


def test_retention_that_could_fill_a_disk_is_refused_or_warned(broker):
    """What retention lets a new topic keep (1 PB per partition here) against the size of
    the broker's log directories, which Kafka reports: refused with storage_check=refuse,
    changing nothing; warned by default; topics without a size limit named."""
    huge, plain = unique("huge"), unique("unbounded")
    args = {
        "bootstrap_servers": broker.bootstrap_servers,
        "name": huge,
        "partitions": 2,
        "replication_factor": 1,
        "config": {"retention.bytes": 10**15},
    }
    refused = run_task("kafka_topic", {**args, "storage_check": "refuse"})
    assert refused.failed and not refused.changed
    assert refused.msg.startswith("Nothing was changed: broker "), refused.msg
    # Two partitions, each its retention plus a segment (the broker default, 1 GiB).
    bound = 2 * (10**15 + 1024**3)
    assert f"could have to hold {bound} bytes" in refused.msg, refused.msg
    assert f"most from {huge} ({bound} bytes)" in refused.msg, refused.msg
    assert huge not in broker.topics()

    warned = run_task("kafka_topic", args, check=True)
    assert warned.changed and not warned.failed, warned.result
    assert any("could have to hold" in w for w in warned.result["warnings"]), warned.result

    ignored = run_task("kafka_topic", {**args, "storage_check": "ignore"}, check=True)
    assert not ignored.failed and not ignored.result.get("warnings"), ignored.result

    unbounded = run_task(
        "kafka_topic",
        {"bootstrap_servers": broker.bootstrap_servers, "name": plain, "replication_factor": 1},
        check=True,
    )
    assert unbounded.result["warnings"] == [
        "topic(s) without a size limit (retention.bytes -1), which only retention.ms bounds: "
        + plain
    ]
    bad = run_task("kafka_topic", {**args, "storage_headroom": 100})
    assert bad.failed and "storage_headroom is a percentage from 0 to 99, got 100" in bad.msg
    assert huge not in broker.topics()


def test_deleting_a_topic_that_holds_data_needs_an_opt_in(broker):
    name = unique("delete-guard")
    broker.create(name, partitions=2)
    fill(broker.server.bootstrap_servers, name, partitions=2, bytes_per_partition=20_000)
    held = sum(sizes(broker, name).values())
    args = {"bootstrap_servers": broker.bootstrap_servers, "name": name, "state": "absent"}

    blocked = run_task("kafka_topic", args)
    assert blocked.failed and not blocked.changed, blocked.result
    assert f"deleting topic {name} would let Kafka delete up to {held} bytes of {name}" in (
        blocked.msg
    )
    assert name in broker.topics()

    allowed = {**args, "allow_data_loss": True}
    checked = run_task("kafka_topic", allowed, check=True)
    assert checked.changed and not checked.failed, checked.result
    assert checked.result["deleted"] == [name]
    assert checked.result["deletion_preview"] == {name: held}
    assert checked.result["diff"]["before"][name]["size_bytes"] == held
    assert name in broker.topics(), "check mode deleted the topic"

    applied = run_task("kafka_topic", allowed)
    assert applied.changed and applied.result["deleted"] == [name], applied.result
    assert name not in broker.topics()
    assert not run_task("kafka_topic", allowed).changed
    assert not run_task("kafka_topic", allowed, check=True).changed


# --- bad input: each refused with its message, the broker unchanged --------------------

EXISTING = "bad-input-target"
EXISTING_DOTTED = "bad.input.dotted"


def bad_input_cases():
    yield (
        "partitions zero",
        "kafka_topic",
        {"name": "new-topic", "partitions": 0},
        ("partitions must be 1 or more, got 0"),
    )
    yield (
        "partitions negative",
        "kafka_topic",
        {"name": EXISTING, "partitions": -2},
        ("partitions must be 1 or more, got -2"),
    )
    yield (
        "partition decrease",
        "kafka_topic",
        {"name": EXISTING, "partitions": 1},
        ("Kafka cannot remove partitions"),
    )
    yield (
        "replication factor above brokers",
        "kafka_topic",
        {"name": "new-topic", "replication_factor": 3},
        ("replication_factor 3 is more than the 1 broker(s)"),
    )
    yield (
        "unknown config key, existing topic",
        "kafka_topic",
        {"name": EXISTING, "config": {"retention.mss": 1}},
        ("retention.mss is not a topic config Kafka knows"),
    )
    yield (
        "unknown config key, batch of new topics",
        "kafka_topic",
        {"topics": [{"name": "new-topic"}, {"name": "new-topic-2", "config": {"bogus.key": 1}}]},
        "Kafka refuses to create topic new-topic-2",
    )
    yield (
        "wrongly typed config value",
        "kafka_topic",
        {"name": EXISTING, "config": {"segment.ms": "soon"}},
        ("config segment.ms takes a whole number, got 'soon'"),
    )
    yield (
        "internal topic",
        "kafka_topic",
        {"name": "__consumer_offsets", "partitions": 99},
        ("is internal to Kafka"),
    )
    yield "illegal topic name", "kafka_topic", {"name": "no spaces please"}, "is not legal"
    yield (
        "non-numeric retention",
        "kafka_retention",
        {"name": EXISTING, "retention_bytes": "lots"},
        ("retention_bytes 'lots' is not a whole number"),
    )
    yield (
        "unit typo",
        "kafka_retention",
        {"name": EXISTING, "retention_bytes": "10 GBs"},
        ("unknown unit 'GBs'"),
    )
    yield (
        "duration unit typo",
        "kafka_retention",
        {"name": EXISTING, "retention_ms": "7 days"},
        ("unknown unit 'days'"),
    )
    yield (
        "pattern matching nothing",
        "kafka_retention",
        {"pattern": "nothing-.*", "retention_ms": "1d"},
        ("pattern 'nothing-.*' matches no topic"),
    )
    yield (
        "missing topic",
        "kafka_retention",
        {"name": "no-such-topic", "retention_ms": "1d"},
        ("no such topic: no-such-topic"),
    )
    yield (
        "internal topic retention",
        "kafka_retention",
        {"name": "__consumer_offsets", "retention_ms": 1},
        ("internal to Kafka"),
    )
    # Spellings that could be misread are refused, naming what to write.
    yield (
        "size unit whose case changes its meaning",
        "kafka_retention",
        {"name": EXISTING, "retention_bytes": "100mb"},
        "has the unit 'mb', which is refused because its case changes its meaning",
    )
    yield (
        "minutes or months",
        "kafka_retention",
        {"name": EXISTING, "retention_ms": "30M"},
        "write m or min",
    )
    yield (
        "negative zero retention",
        "kafka_retention",
        {"name": EXISTING, "retention_ms": "-0"},
        "is a negative zero",
    )
    yield (
        "negative zero threshold",
        "kafka_retention",
        {"name": EXISTING, "retention_ms": "2h", "max_delete_bytes": "-0"},
        "max_delete_bytes '-0' is a negative zero",
    )
    yield (
        "beyond what Kafka holds",
        "kafka_retention",
        {"name": EXISTING, "retention_bytes": "10000000TB"},
        "more than Kafka can hold",
    )
    yield (
        "illegal name in retention",
        "kafka_retention",
        {"topics": ["no spaces please"], "retention_ms": "1d"},
        "is not legal",
    )
    yield (
        "retention unit in config",
        "kafka_topic",
        {"name": EXISTING, "config": {"retention.ms": "7d"}},
        "units such as 100MB or 7d are taken by retention_ms",
    )
    yield (
        "negative zero in config",
        "kafka_topic",
        {"name": EXISTING, "config": {"retention.ms": "-0"}},
        "negative zero",
    )
    yield (
        "nested mapping in config",
        "kafka_topic",
        {"name": EXISTING, "config": {"cleanup.policy": {"delete": True}}},
        "config cleanup.policy takes a value or a list of values",
    )
    yield (
        "list item with a comma",
        "kafka_topic",
        {"name": EXISTING, "config": {"cleanup.policy": ["delete,compact"]}},
        "with a comma, which Kafka would read as two items",
    )
    yield (
        "null taken for not given",
        "kafka_topic",
        {"topics": [{"name": EXISTING, "partitions": None}]},
        "partitions is empty (null)",
    )
    yield (
        "count beyond a 32-bit integer",
        "kafka_topic",
        {"name": EXISTING, "partitions": 2**31},
        "partitions must be at most 2147483647",
    )
    yield (
        "names that collide in one task",
        "kafka_topic",
        {"topics": [{"name": "new.metric"}, {"name": "new_metric"}]},
        "topics new.metric and new_metric collide",
    )
    yield (
        "name that collides with an existing topic",
        "kafka_topic",
        {"name": EXISTING_DOTTED.replace(".", "_")},
        f"would collide with the existing topic {EXISTING_DOTTED}",
    )
    yield (
        "throttle of zero",
        "kafka_topic",
        {"name": EXISTING, "replication_factor": 1, "reassignment_throttle": 0},
        "reassignment_throttle must be 1 (byte/s) or more, got 0",
    )
    yield (
        "threshold of unlimited",
        "kafka_topic",
        {"name": EXISTING, "state": "absent", "max_delete_bytes": -1},
        "max_delete_bytes cannot be unlimited (-1); use allow_data_loss",
    )
    yield (
        "server without a port",
        "kafka_topic",
        {"bootstrap_servers": ["127.0.0.1"], "name": EXISTING},
        "bootstrap_servers entry '127.0.0.1' is not host:port",
    )
    yield (
        "SASL options without SASL",
        "kafka_retention",
        {"name": EXISTING, "retention_ms": "2h", "sasl_username": "u"},
        "sasl_username given, but security_protocol=PLAINTEXT does not use SASL",
    )
    yield (
        "timeout of zero",
        "kafka_topic_info",
        {"request_timeout": 0},
        "request_timeout must be 1 (second) or more, got 0",
    )


@pytest.mark.parametrize(
    ("module", "args", "message"),
    [pytest.param(m, a, msg, id=case) for case, m, a, msg in bad_input_cases()],
)
def test_bad_input_is_refused_and_changes_nothing(broker, module, args, message):
    if EXISTING not in broker.topics():
        broker.create(EXISTING, partitions=2, config={"retention.ms": "3600000"})
    if EXISTING_DOTTED not in broker.topics():
        broker.create(EXISTING_DOTTED)
    before = broker.snapshot()
    outcome = run_task(module, {"bootstrap_servers": broker.bootstrap_servers, **args})
    assert outcome.failed, outcome.result
    assert not outcome.changed
    assert message in outcome.msg, outcome.msg
    assert "Traceback" not in outcome.msg
    assert broker.snapshot() == before


def test_unreachable_bootstrap_fails_within_the_timeout():
    port = kafka_lab.free_port()  # nothing listens there
    outcome = run_task(
        "kafka_topic",
        {"bootstrap_servers": [f"127.0.0.1:{port}"], "request_timeout": 3, "name": "x"},
        timeout_s=60,
    )
    assert outcome.failed
    assert (
        f"Could not reach any Kafka broker at 127.0.0.1:{port} within request_timeout=3s"
        in outcome.msg
    )
    # ansible-playbook start-up takes a few seconds; the wait itself is bounded by the 3 s.
    assert outcome.seconds < 30


def test_wrong_sasl_password_is_refused_clearly(broker):
    before = broker.snapshot()
    outcome = run_task(
        "kafka_retention",
        {
            "bootstrap_servers": [broker.server.sasl_bootstrap_servers],
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": "PLAIN",
            "sasl_username": kafka_lab.SASL_USER,
            "sasl_password": "not-the-password",
            # Room for the first login attempt on a busy test machine; the refusal is
            # reported when the wait ends.
            "request_timeout": 10,
            "pattern": ".*",
            "retention_ms": 1,
        },
    )
    assert outcome.failed
    # kafka-python sees either the refusal or, racing it, the broker closing the connection.
    assert re.search(
        f"Kafka (refused|closed the connection during) the SASL PLAIN login of user"
        f" '{kafka_lab.SASL_USER}'.*check sasl_username and sasl_password",
        outcome.msg,
    ), outcome.msg
    assert "not-the-password" not in str(outcome.result)
    assert broker.snapshot() == before


# --- replication factor changes need brokers to move replicas to ---------------------


def replica_sets(view: BrokerView, topic: str) -> dict[int, tuple[list[int], list[int]]]:
    [described] = view.admin.describe_topics([topic])
    return {
        p["partition_index"]: (sorted(p["replica_nodes"]), sorted(p["isr_nodes"]))
        for p in described["partitions"]
    }


def throttle_settings(view: BrokerView, topic: str, broker_ids: list[int]) -> dict:
    resources = [ConfigResource(ConfigResourceType.TOPIC, topic)] + [
        ConfigResource(ConfigResourceType.BROKER, str(broker)) for broker in broker_ids
    ]
    described = view.admin.describe_configs(resources, config_filter="modified")
    return {
        (kind, name): key
        for kind, by_name in described.items()
        for name, configs in by_name.items()
        for key in configs
        if "throttled" in key
    }


def test_replication_factor_change_moves_replicas(kraft_cluster):
    first = kraft_cluster[0]
    view = BrokerView(first.bootstrap_servers)
    name = unique("replicas")
    view.create(name, partitions=3)
    fill(first.bootstrap_servers, name, partitions=3, bytes_per_partition=50_000)
    args = {
        "bootstrap_servers": [first.bootstrap_servers],
        "name": name,
        "replication_factor": 3,
        "reassignment_throttle": 10_000_000,
        "reassignment_timeout": 120,
    }
    try:
        checked = run_task("kafka_topic", args, check=True)
        assert checked.changed and not checked.failed, checked.result
        assert checked.result["topics"][name]["replication_factor"] == {"before": 1, "after": 3}
        assert all(len(replicas) == 1 for replicas, _isr in replica_sets(view, name).values())

        applied = run_task("kafka_topic", args)
        assert applied.changed and not applied.failed, applied.result
        assert replica_sets(view, name) == {i: ([1, 2, 3], [1, 2, 3]) for i in range(3)}
        assert throttle_settings(view, name, [1, 2, 3]) == {}, "throttle left behind"
        assert not run_task("kafka_topic", args).changed
        assert not run_task("kafka_topic", args, check=True).changed

        shrink = {**args, "replication_factor": 2}
        assert run_task("kafka_topic", shrink).changed
        assert all(len(replicas) == 2 for replicas, _isr in replica_sets(view, name).values())
        assert not run_task("kafka_topic", shrink).changed

        too_many = run_task("kafka_topic", {**args, "replication_factor": 4})
        assert too_many.failed
        assert (
            "replication_factor 4 is more than the 3 broker(s) in the cluster (1, 2, 3)"
            in too_many.msg
        )
        assert all(len(replicas) == 2 for replicas, _isr in replica_sets(view, name).values())
    finally:
        view.delete(name)
        view.admin.close()


def wait_for(condition, what: str, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not {what} within {timeout_s} s")
        time.sleep(0.5)


def live_brokers(view: BrokerView) -> int:
    """Brokers registered and not fenced (a stopped KRaft broker is fenced, still listed)."""
    brokers = view.admin.describe_cluster()["brokers"]
    return sum(1 for broker in brokers if not broker.get("is_fenced"))


def test_growing_and_changing_the_factor_in_one_task_leaves_every_partition_at_it(
    kraft_cluster,
):
    first = kraft_cluster[0]
    view = BrokerView(first.bootstrap_servers)
    name = unique("grow-and-replicate")
    view.create(name, partitions=1)
    args = {
        "bootstrap_servers": [first.bootstrap_servers],
        "name": name,
        "partitions": 3,
        "replication_factor": 2,
        "reassignment_timeout": 120,
    }
    try:
        checked = run_task("kafka_topic", args, check=True)
        assert checked.changed and not checked.failed, checked.result
        assert checked.result["topics"][name]["partitions"] == {"before": 1, "after": 3}
        assert checked.result["topics"][name]["replication_factor"] == {"before": 1, "after": 2}
        assert len(replica_sets(view, name)) == 1

        applied = run_task("kafka_topic", args)
        assert applied.changed and not applied.failed, applied.result
        layout = replica_sets(view, name)
        assert sorted(layout) == [0, 1, 2]
        assert {i: len(replicas) for i, (replicas, _isr) in layout.items()} == {0: 2, 1: 2, 2: 2}
        assert not run_task("kafka_topic", args).changed
        assert not run_task("kafka_topic", args, check=True).changed
    finally:
        view.delete(name)
        view.admin.close()


def test_a_topic_whose_partitions_differ_is_reported_and_repaired(kraft_cluster):
    first = kraft_cluster[0]
    view = BrokerView(first.bootstrap_servers)
    name = unique("mixed")
    view.create(name, partitions=3)
    try:
        # What an interrupted change leaves behind: one partition moved to two replicas.
        [leader] = replica_sets(view, name)[0][0]
        other = next(broker for broker in (1, 2, 3) if broker != leader)
        view.admin.alter_partition_reassignments({TopicPartition(name, 0): [leader, other]})
        wait_for(
            lambda: replica_sets(view, name)[0] == (sorted([leader, other]),) * 2,
            "moved by hand",
        )
        info_args = {"bootstrap_servers": [first.bootstrap_servers], "topics": [name]}
        info = run_task("kafka_topic_info", info_args)
        assert not info.failed, info.result
        assert info.result["topics"][name]["replication_factors"] == [1, 2]
        assert info.result["topics"][name]["replication_factor"] == 1
        assert any("different replication factors (1, 2)" in w for w in info.result["warnings"])

        args = {
            "bootstrap_servers": [first.bootstrap_servers],
            "name": name,
            "replication_factor": 2,
            "reassignment_timeout": 120,
        }
        checked = run_task("kafka_topic", args, check=True)
        assert checked.changed and not checked.failed, checked.result
        assert checked.result["topics"][name]["replication_factor"] == {
            "before": [1, 2],
            "after": 2,
        }
        assert run_task("kafka_topic", args).changed
        assert all(len(replicas) == 2 for replicas, _isr in replica_sets(view, name).values())
        assert replica_sets(view, name)[0][0] == sorted([leader, other]), "partition 0 moved"
        assert not run_task("kafka_topic", args).changed
        assert not run_task("kafka_topic", args, check=True).changed
        repaired = run_task("kafka_topic_info", info_args)
        assert repaired.result["topics"][name]["replication_factors"] == [2]
        assert not repaired.result.get("warnings")
    finally:
        view.delete(name)
        view.admin.close()


def restart(node: kafka_lab.KafkaServer) -> None:
    """Start a stopped node again on its own data (the fixture's start() would format it)."""
    node.launch(
        [str(node.home / "bin" / "kafka-server-start.sh"), str(node.properties)],
        {"KAFKA_HEAP_OPTS": kafka_lab.SERVER_HEAP, "LOG_DIR": str(node.work_dir / "logs")},
    )
    node.wait_until(node._serves_metadata, "serving metadata again")


def test_a_topic_that_needs_no_change_is_not_refused_while_a_broker_is_down(kraft_cluster):
    first, third = kraft_cluster[0], kraft_cluster[2]
    view = BrokerView(first.bootstrap_servers)
    kept, grown = unique("three-replicas"), unique("one-replica")
    view.admin.create_topics(
        {
            kept: {"num_partitions": 3, "replication_factor": 3},
            grown: {"num_partitions": 1, "replication_factor": 1},
        },
        wait_for_metadata=True,
    )
    servers = [first.bootstrap_servers]
    try:
        third.stop()
        wait_for(lambda: live_brokers(view) == 2, "down to two brokers")
        unchanged = {"bootstrap_servers": servers, "name": kept, "replication_factor": 3}
        for check in (True, False):
            outcome = run_task("kafka_topic", {**unchanged, "partitions": 3}, check=check)
            assert not outcome.failed and not outcome.changed, outcome.result

        # Other changes to such a topic go ahead.
        configured = {**unchanged, "config": {"retention.ms": 3_600_000}}
        assert run_task("kafka_topic", configured, check=True).changed
        assert run_task("kafka_topic", configured).changed
        assert view.overrides(kept) == {"retention.ms": "3600000"}
        assert not run_task("kafka_topic", configured).changed
        assert not run_task("kafka_topic", configured, check=True).changed

        # Changing a factor to more than the brokers that are up is still refused.
        before = view.snapshot()
        refused = run_task(
            "kafka_topic", {"bootstrap_servers": servers, "name": grown, "replication_factor": 3}
        )
        assert refused.failed and not refused.changed
        assert (
            "replication_factor 3 is more than the 2 broker(s) in the cluster (1, 2) that are up"
            in refused.msg
        )
        assert view.snapshot() == before
    finally:
        if third.process is None or third.process.poll() is not None:
            restart(third)
        wait_for(lambda: live_brokers(view) == 3, "back to three brokers")
        view.admin.close()
        # A client that saw the broker leave may still send to it by its old address.
        fresh = BrokerView(first.bootstrap_servers)
        fresh.delete(kept, grown)
        fresh.admin.close()


def test_a_task_that_fails_part_way_reports_what_the_brokers_show(kraft_cluster):
    """Create one topic, change another's config and replication factor, delete a third: the
    creation and the config change happen, the throttled move outlasts its timeout, and the
    deletion (which comes last) never runs. The task reports exactly that."""
    first = kraft_cluster[0]
    view = BrokerView(first.bootstrap_servers)
    new, moved, kept = unique("made"), unique("moving"), unique("not-deleted")
    view.create(moved, partitions=1)
    view.create(kept, partitions=1)
    fill(first.bootstrap_servers, moved, partitions=1, bytes_per_partition=5_000_000)
    args = {
        "bootstrap_servers": [first.bootstrap_servers],
        "topics": [
            {"name": new, "partitions": 1, "replication_factor": 1},
            {"name": moved, "replication_factor": 3, "config": {"retention.ms": 3_600_000}},
            {"name": kept, "state": "absent"},
        ],
        # 1 byte/s: the 5 MB partition cannot be copied within the 2 s allowed.
        "reassignment_throttle": 1,
        "reassignment_timeout": 2,
    }
    try:
        checked = run_task("kafka_topic", args, check=True)
        assert checked.changed and not checked.failed, checked.result
        assert (checked.result["created"], checked.result["deleted"]) == ([new], [kept])

        outcome = run_task("kafka_topic", args)
        assert outcome.failed, outcome.result
        assert "Changing the topics failed part way" in outcome.msg
        assert "still moving" in outcome.msg
        assert outcome.changed
        assert outcome.result["created"] == [new]
        assert outcome.result["updated"] == [moved]
        assert outcome.result["deleted"] == [], "a deletion that never ran was reported"
        done = outcome.result["topics"][moved]
        assert done["config_set"] == {"retention.ms": "3600000"}
        assert done["replication_factor"] is None  # not there yet
        assert done["reassigning"] == [0]
        assert outcome.result["topics"][kept]["action"] == "none"
        # What the brokers hold agrees.
        assert {new, moved, kept} <= view.topics()
        assert view.overrides(moved)["retention.ms"] == "3600000"
    finally:
        view.admin.alter_partition_reassignments({TopicPartition(moved, 0): None})
        wait_for(lambda: not view.admin.list_partition_reassignments(None), "move cancelled")
        delete = (AlterConfigOp.DELETE, None)
        view.admin.alter_configs(
            [
                ConfigResource(
                    ConfigResourceType.BROKER,
                    str(broker),
                    {
                        "leader.replication.throttled.rate": delete,
                        "follower.replication.throttled.rate": delete,
                    },
                )
                for broker in (1, 2, 3)
            ],
            incremental=True,
        )
        view.delete(new, moved, kept)
        view.admin.close()
