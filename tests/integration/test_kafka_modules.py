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

import kafka_lab
import pytest
from kafka import KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient
from playbook_run import run_task

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


# --- bad input: each refused with its message, the broker unchanged --------------------

EXISTING = "bad-input-target"


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


@pytest.mark.parametrize(
    ("module", "args", "message"),
    [pytest.param(m, a, msg, id=case) for case, m, a, msg in bad_input_cases()],
)
def test_bad_input_is_refused_and_changes_nothing(broker, module, args, message):
    if EXISTING not in broker.topics():
        broker.create(EXISTING, partitions=2, config={"retention.ms": "3600000"})
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
    assert f"Kafka refused the SASL PLAIN login of user '{kafka_lab.SASL_USER}'" in outcome.msg
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
