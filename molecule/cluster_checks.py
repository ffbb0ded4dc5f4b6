"""Checks the cluster scenarios share, run from the controller with kafka-python:
every broker registered, a replicated topic served through any broker, and the
rolling restart under load lost no acknowledged message."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

import docker
import yaml
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

EXPECTED_BROKER_IDS = [1, 2, 3]


def broker_addresses() -> list[str]:
    """host:9092 of each broker container of this scenario, in platform order."""
    scenario = Path(os.environ["MOLECULE_SCENARIO_DIRECTORY"])
    platforms = yaml.safe_load((scenario / "molecule.yml").read_text())["platforms"]
    client = docker.from_env()
    addresses = []
    for platform in platforms:
        if "kafka_broker" not in platform.get("groups", []):
            continue
        networks = client.containers.get(platform["name"]).attrs["NetworkSettings"]["Networks"]
        addresses.append(f"{next(iter(networks.values()))['IPAddress']}:9092")
    return addresses


def test_every_broker_is_registered():
    admin = KafkaAdminClient(bootstrap_servers=broker_addresses())
    try:
        brokers = admin.describe_cluster()["brokers"]
    finally:
        admin.close()
    assert sorted(b["broker_id"] for b in brokers) == EXPECTED_BROKER_IDS


def test_replicated_topic_produced_through_one_broker_consumed_through_another():
    addresses = broker_addresses()
    first, second = addresses[0], addresses[1]
    topic = f"verify-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=first)
    try:
        admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=3)])
        partitions = admin.describe_topics([topic])[0]["partitions"]
    finally:
        admin.close()
    assert all(len(p["replica_nodes"]) == 3 for p in partitions)

    assert round_trip(first, second, topic, b"through the first broker") == [
        b"through the first broker"
    ]


def round_trip(producer_bootstrap: str, consumer_bootstrap: str, topic: str, value: bytes):
    """Produce `value` (acks=all) through one bootstrap server and return every value
    a new consumer reads from the topic through another."""
    producer = KafkaProducer(bootstrap_servers=producer_bootstrap, acks="all")
    producer.send(topic, value=value).get(timeout=30)
    producer.close()
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=consumer_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=20000,
    )
    values = [record.value for record in consumer]
    consumer.close()
    return values


def read_topic(bootstrap: list[str], topic: str) -> dict[tuple[int, int], tuple[bytes, bytes]]:
    """Every record of `topic`, by (partition, offset), read up to the end offsets."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        records = {}
        deadline = time.monotonic() + 120
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            assert time.monotonic() < deadline, "could not read the topic to its end in 120 s"
            for batch in consumer.poll(timeout_ms=1000).values():
                for record in batch:
                    records[(record.partition, record.offset)] = (record.key, record.value)
        return records
    finally:
        consumer.close()


def test_rolling_restart_under_load_lost_no_acknowledged_message():
    work = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])
    report = json.loads((work / "load-report.json").read_text())
    restart_seconds = json.loads((work / "restart-seconds.json").read_text())
    records = read_topic(broker_addresses(), report["topic"])

    missing_or_changed = [
        (number, partition, offset)
        for number, partition, offset in report["acknowledged"]
        if records.get((partition, offset))
        != (str(number).encode(), f"load-test message {number:08d}".encode())
    ]
    keys = [key_and_value[0] for key_and_value in records.values()]
    print(
        f"\nload test: sent {report['sent']}, acknowledged {len(report['acknowledged'])}, "
        f"errors {len(report['errors'])}, consumed {len(records)}, "
        f"partitions seen without a leader {len(report['offline_observations'])} times "
        f"in {report['leader_checks']} checks; restart seconds per broker {restart_seconds}"
    )
    assert len(restart_seconds) == 3, restart_seconds
    assert report["sent"] > 1000
    assert len(report["acknowledged"]) > 0.99 * report["sent"]
    assert not missing_or_changed, missing_or_changed[:10]
    assert len(keys) == len(set(keys)), "a message was written twice"
    assert report["offline_observations"] == []
    assert report["leader_checks"] > 10
