"""The lab's distributions are real: they run a broker that kafka-python can use.

Each test runs against a KRaft broker of the current Kafka line and against a
ZooKeeper-mode broker of Kafka 3.9, both started from the archives the lab
assembled from Maven Central.
"""

from __future__ import annotations

import subprocess
import uuid

import kafka_lab
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer


def test_broker_creates_a_topic_and_round_trips_messages(any_broker):
    topic = f"lab-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=any_broker.bootstrap_servers)
    try:
        # A KRaft broker learns of the topic from its controller a moment later:
        # describing it at once could find no such topic yet (seen on a busy CI).
        admin.create_topics(
            {topic: {"num_partitions": 2, "replication_factor": 1}}, wait_for_metadata=True
        )
        described = admin.describe_topics([topic])
    finally:
        admin.close()
    assert described[0]["error_code"] == 0
    assert len(described[0]["partitions"]) == 2

    sent = [f"message {n} for {topic}".encode() for n in range(10)]
    producer = KafkaProducer(bootstrap_servers=any_broker.bootstrap_servers, acks="all")
    for value in sent:
        producer.send(topic, value=value, partition=0).get(timeout=30)
    producer.close()

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=any_broker.bootstrap_servers,
        auto_offset_reset="earliest",
        group_id=f"lab-{topic}",
        consumer_timeout_ms=20000,
    )
    received = []
    for record in consumer:
        received.append(record.value)
        if len(received) == len(sent):
            break
    consumer.close()
    assert received == sent


def test_kraft_broker_is_its_own_controller(kraft_broker):
    admin = KafkaAdminClient(bootstrap_servers=kraft_broker.bootstrap_servers)
    try:
        cluster = admin.describe_cluster()
    finally:
        admin.close()
    assert [b["broker_id"] for b in cluster["brokers"]] == [1]
    assert cluster["controller_id"] == 1
    assert cluster["cluster_id"]


def test_kraft_quorum_tool_reports_a_leader(kraft_broker):
    result = subprocess.run(
        [
            str(kraft_broker.home / "bin" / "kafka-metadata-quorum.sh"),
            "--bootstrap-server",
            kraft_broker.bootstrap_servers,
            "describe",
            "--status",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "LeaderId:" in result.stdout
    assert "CurrentVoters:" in result.stdout


def test_zookeeper_mode_broker_is_registered_in_zookeeper(zookeeper_and_broker):
    zookeeper, broker = zookeeper_and_broker
    assert kafka_lab.four_letter_word(zookeeper.client_port, "ruok") == "imok"
    assert "Mode: standalone" in kafka_lab.four_letter_word(zookeeper.client_port, "srvr")
    result = subprocess.run(
        [str(broker.home / "bin" / "zookeeper-shell.sh"), zookeeper.connect, "ls", "/brokers/ids"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "[0]" in result.stdout


def test_archives_match_their_published_checksums():
    import hashlib

    from conftest import KAFKA_VERSION, KAFKA_ZK_VERSION, ZOOKEEPER_VERSION

    archives = [
        kafka_lab.kafka_archive(KAFKA_VERSION),
        kafka_lab.kafka_archive(KAFKA_ZK_VERSION),
        kafka_lab.zookeeper_archive(ZOOKEEPER_VERSION),
    ]
    for archive in archives:
        published = archive.with_name(archive.name + ".sha512").read_text()
        assert (
            kafka_lab.apache_checksum(published) == hashlib.sha512(archive.read_bytes()).hexdigest()
        ), archive.name
