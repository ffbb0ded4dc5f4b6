"""playbooks/topics.yml (the topics stage of site.yml) against a real KRaft broker:
the inventory's kafka_topics applied once, nothing to change the second time or in
check mode, wrong values refused before anything changes, connection options and the
retention guard taken from the inventory."""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

import kafka_lab
import pytest
from kafka import KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient
from playbook_run import run_playbook

REPO_ROOT = Path(__file__).resolve().parents[2]
TOPICS_PLAYBOOK = REPO_ROOT / "playbooks" / "topics.yml"
_names = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{os.getpid()}-{next(_names)}"


def run_topics_playbook(tmp_path: Path, broker, inventory_vars: dict, *extra: str) -> dict:
    """Run topics.yml on a one-broker inventory; return the JSON callback's report."""
    inventory = {
        "all": {
            "children": {
                "kafka_broker": {
                    "hosts": {
                        "broker-1": {
                            "ansible_connection": "local",
                            "ansible_python_interpreter": sys.executable,
                            # The addresses come from the inventory, as on EC2.
                            "kafka_broker_advertised_host": "127.0.0.1",
                            "kafka_broker_port": int(broker.bootstrap_servers.rsplit(":", 1)[1]),
                        }
                    }
                }
            },
            "vars": inventory_vars,
        }
    }
    report = run_playbook(
        TOPICS_PLAYBOOK, inventory, tmp_path / f"inventory-{next(_names)}.yml", *extra
    )
    stats = report["stats"]
    report["changed"] = sum(host["changed"] for host in stats.values())
    report["failed"] = sum(host["failures"] + host["unreachable"] for host in stats.values())
    report["messages"] = [
        str(outcome.get("msg", ""))
        for play in report["plays"]
        for task in play["tasks"]
        for result in task["hosts"].values()
        for outcome in [result, *result.get("results", [])]
        if outcome.get("failed")
    ]
    return report


def topic_state(bootstrap_servers: str, names: list[str]) -> dict:
    """Partitions and the config overrides of each named topic that exists."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=10000)
    try:
        existing = [name for name in names if name in admin.list_topics()]
        if not existing:
            return {}
        partitions = {
            name: len(admin.describe_topics([name])[0]["partitions"]) for name in existing
        }
        configs = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name) for name in existing],
            config_filter="modified",
        )["topic"]
        state = {}
        for name in existing:
            overrides = {key: entry["value"] for key, entry in configs[name].items()}
            state[name] = {"partitions": partitions[name], **overrides}
        return state
    finally:
        admin.close()


def test_declared_topics_applied_once_then_nothing_to_change(tmp_path, kraft_broker):
    twitter, audit = unique("twitter"), unique("audit")
    declared = {
        "kafka_topics": [
            {
                "name": twitter,
                "partitions": 3,
                "replication_factor": 1,
                "config": {"min.insync.replicas": 1},
                "retention_bytes": 100000000,
            },
            {"name": audit, "partitions": 1, "retention_ms": "3d"},
        ]
    }

    checked = run_topics_playbook(tmp_path, kraft_broker, declared, "--check", "--diff")
    assert checked["failed"] == 0, checked["messages"]
    assert topic_state(kraft_broker.bootstrap_servers, [twitter, audit]) == {}

    applied = run_topics_playbook(tmp_path, kraft_broker, declared)
    assert applied["failed"] == 0, applied["messages"]
    assert applied["changed"] >= 1
    assert topic_state(kraft_broker.bootstrap_servers, [twitter, audit]) == {
        twitter: {
            "partitions": 3,
            "retention.bytes": "100000000",
            "min.insync.replicas": "1",
        },
        audit: {"partitions": 1, "retention.ms": "259200000"},
    }

    again = run_topics_playbook(tmp_path, kraft_broker, declared)
    assert (again["failed"], again["changed"]) == (0, 0)
    rechecked = run_topics_playbook(tmp_path, kraft_broker, declared, "--check", "--diff")
    assert (rechecked["failed"], rechecked["changed"]) == (0, 0)


@pytest.mark.parametrize(
    ("wrong_entry", "message"),
    [
        ({"retention_bytes": "10 GBs"}, "retention_bytes '10 GBs' has an unknown unit"),
        ({"retention_ms": "7 days"}, "retention_ms '7 days' has an unknown unit"),
        ({"partition": 3}, "unknown key(s) partition"),
        ({"partitions": "three"}, "partitions must be a whole number"),
        # The same key twice would flip between the two values on every run.
        (
            {"config": {"retention.ms": 3600000}, "retention_ms": "7d"},
            "sets retention.ms twice, in config (3600000) and as retention_ms ('7d')",
        ),
        ({"retention_bytes": "100mb"}, "refused because its case changes its meaning"),
        ({"retention_ms": "-0"}, "negative zero"),
        ({"retention_bytes": None}, "retention_bytes is empty (null)"),
        ({"config": {"retention.bytes": "1GB"}}, "units such as 100MB or 7d"),
    ],
)
def test_a_wrong_entry_changes_nothing(tmp_path, kraft_broker, wrong_entry, message):
    good, bad = unique("good"), unique("bad")
    declared = {"kafka_topics": [{"name": good, "partitions": 1}, {"name": bad, **wrong_entry}]}
    report = run_topics_playbook(tmp_path, kraft_broker, declared)
    assert report["failed"] == 1
    assert any(message in text for text in report["messages"]), report["messages"]
    # The valid topic listed before the wrong one was not created either.
    assert topic_state(kraft_broker.bootstrap_servers, [good, bad]) == {}


def test_connection_options_come_from_the_inventory(tmp_path, kraft_broker):
    name = unique("sasl")
    declared = {
        "kafka_topics": [{"name": name, "partitions": 2, "retention_bytes": "1GB"}],
        "kafka_topics_bootstrap_servers": [kraft_broker.sasl_bootstrap_servers],
        "kafka_topics_connection": {
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": "PLAIN",
            "sasl_username": kafka_lab.SASL_USER,
            "sasl_password": kafka_lab.SASL_PASSWORD,
        },
    }
    report = run_topics_playbook(tmp_path, kraft_broker, declared)
    assert report["failed"] == 0, report["messages"]
    state = topic_state(kraft_broker.bootstrap_servers, [name])
    assert state[name]["partitions"] == 2
    assert state[name]["retention.bytes"] == "1000000000"


def test_lowering_retention_below_the_data_needs_the_inventory_to_allow_it(tmp_path, kraft_broker):
    name = unique("guard")
    declared = {"kafka_topics": [{"name": name, "partitions": 1}]}
    assert run_topics_playbook(tmp_path, kraft_broker, declared)["failed"] == 0
    producer = KafkaProducer(bootstrap_servers=kraft_broker.bootstrap_servers, acks="all")
    for _index in range(200):
        producer.send(name, b"x" * 1000)
    producer.flush(timeout=30)
    producer.close()

    declared["kafka_topics"][0]["retention_bytes"] = "20KB"
    blocked = run_topics_playbook(tmp_path, kraft_broker, declared)
    assert blocked["failed"] == 1
    assert any("allow_data_loss" in text for text in blocked["messages"]), blocked["messages"]
    assert "retention.bytes" not in topic_state(kraft_broker.bootstrap_servers, [name])[name]

    allowed = run_topics_playbook(
        tmp_path, kraft_broker, {**declared, "kafka_topics_allow_data_loss": True}
    )
    assert allowed["failed"] == 0, allowed["messages"]
    assert topic_state(kraft_broker.bootstrap_servers, [name])[name]["retention.bytes"] == "20000"


def fill(bootstrap_servers: str, topic: str, records: int) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap_servers, acks="all")
    for _index in range(records):
        producer.send(topic, b"x" * 1000)
    producer.flush(timeout=30)
    producer.close()


def test_the_guard_covers_retention_in_config_and_deleted_topics(tmp_path, kraft_broker):
    """kafka_topics_max_delete_bytes / kafka_topics_allow_data_loss reach kafka_topic too: a
    retention.bytes in config and a topic with state absent are guarded like retention_bytes."""
    name = unique("config-guard")
    servers = kraft_broker.bootstrap_servers
    declared = {"kafka_topics": [{"name": name, "partitions": 1}]}
    assert run_topics_playbook(tmp_path, kraft_broker, declared)["failed"] == 0
    fill(servers, name, 200)

    declared["kafka_topics"][0]["config"] = {"retention.bytes": 20000}
    blocked = run_topics_playbook(tmp_path, kraft_broker, declared)
    assert blocked["failed"] == 1
    assert any("retention.bytes=20000 would let Kafka delete" in m for m in blocked["messages"]), (
        blocked["messages"]
    )
    assert "retention.bytes" not in topic_state(servers, [name])[name]

    allowed = {**declared, "kafka_topics_allow_data_loss": True}
    checked = run_topics_playbook(tmp_path, kraft_broker, allowed, "--check", "--diff")
    assert (checked["failed"], checked["changed"]) == (0, 1), checked["messages"]
    assert "retention.bytes" not in topic_state(servers, [name])[name]
    applied = run_topics_playbook(tmp_path, kraft_broker, allowed)
    assert applied["failed"] == 0, applied["messages"]
    assert topic_state(servers, [name])[name]["retention.bytes"] == "20000"
    again = run_topics_playbook(tmp_path, kraft_broker, allowed)
    assert (again["failed"], again["changed"]) == (0, 0)
    rechecked = run_topics_playbook(tmp_path, kraft_broker, allowed, "--check", "--diff")
    assert (rechecked["failed"], rechecked["changed"]) == (0, 0)

    # Deleting it: refused while it holds data, unless the inventory allows it.
    gone = {"kafka_topics": [{"name": name, "state": "absent"}]}
    refused = run_topics_playbook(tmp_path, kraft_broker, gone)
    assert refused["failed"] == 1
    assert any(f"deleting topic {name} would let Kafka delete" in m for m in refused["messages"])
    assert name in topic_state(servers, [name])
    roomy = {**gone, "kafka_topics_max_delete_bytes": "10MB"}
    checked_delete = run_topics_playbook(tmp_path, kraft_broker, roomy, "--check", "--diff")
    assert (checked_delete["failed"], checked_delete["changed"]) == (0, 1)
    assert name in topic_state(servers, [name])
    assert run_topics_playbook(tmp_path, kraft_broker, roomy)["failed"] == 0
    assert topic_state(servers, [name]) == {}
    assert run_topics_playbook(tmp_path, kraft_broker, roomy)["changed"] == 0
