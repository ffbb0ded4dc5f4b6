"""One KRaft node: installed from a verified archive, running under systemd as
its own user, serving clients; a topic round-trips a message through it."""

import uuid

# Imported so pytest runs it as this scenario's check-mode test (once, no host).
from check_mode import (  # noqa: F401  # pylint: disable=unused-import
    test_check_mode_on_the_converged_hosts_changes_nothing,
)
from cluster_checks import round_trip
from hardening_checks import (  # noqa: F401  # pylint: disable=unused-import
    test_services_are_hardened,
)
from kafka import KafkaAdminClient
from kafka.admin import NewTopic


def test_release_is_installed_behind_the_stable_link(host):
    link = host.file("/opt/kafka")
    assert link.is_symlink
    assert link.linked_to.startswith("/opt/kafka_2.13-")
    marker = host.file(f"{link.linked_to}/.datapipe-installed-from").content_string
    assert marker.split()[1].startswith("sha512:")


def test_service_runs_enabled_as_the_kafka_user(host):
    assert host.service("kafka").is_running
    assert host.service("kafka").is_enabled
    assert [p.user for p in host.process.filter(comm="java")] == ["kafka"]


def test_unit_runs_java_directly_and_is_hardened(host):
    unit = host.file("/etc/systemd/system/kafka.service").content_string
    assert "-cp /opt/kafka/libs/* kafka.Kafka /etc/kafka/server.properties" in unit
    for setting in (
        "User=kafka",
        "NoNewPrivileges=true",
        "ProtectSystem=strict",
        "ProtectHome=true",
        "PrivateTmp=true",
        "LimitNOFILE=100000",
        "ReadWritePaths=/var/lib/kafka/data /var/log/kafka",
    ):
        assert setting in unit


def test_server_properties_for_a_single_combined_node(host):
    config = host.file("/etc/kafka/server.properties")
    assert config.mode == 0o640
    assert config.group == "kafka"
    lines = set(config.content_string.splitlines())
    address = host.interface("eth0").addresses[0]
    assert {
        "process.roles=broker,controller",
        "node.id=1",
        f"controller.quorum.voters=1@{address}:9093",
        f"advertised.listeners=PLAINTEXT://{address}:9092",
        "auto.create.topics.enable=false",
        "default.replication.factor=1",
        "min.insync.replicas=1",
    } <= lines


def test_storage_is_formatted_once_for_one_cluster(host):
    meta = host.file("/var/lib/kafka/data/meta.properties")
    assert meta.user == "kafka"
    assert "cluster.id=" in meta.content_string
    assert "node.id=1" in meta.content_string


def test_listeners_listen(host):
    address = host.interface("eth0").addresses[0]
    assert host.socket(f"tcp://{address}:9092").is_listening
    assert host.socket(f"tcp://{address}:9093").is_listening


def test_logs_go_to_the_log_directory(host):
    assert host.file("/var/log/kafka/server.log").size > 0


def test_a_topic_round_trips_a_message_with_kafka_python(kafka_address):
    topic = f"verify-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=kafka_address)
    try:
        assert [b["broker_id"] for b in admin.describe_cluster()["brokers"]] == [1]
        admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        admin.close()
    values = round_trip(kafka_address, kafka_address, topic, b"hello from the verifier")
    assert values == [b"hello from the verifier"]
