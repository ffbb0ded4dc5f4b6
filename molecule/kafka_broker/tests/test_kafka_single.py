"""One KRaft node: installed from a verified archive, running under systemd as
its own user, serving clients; a topic round-trips a message through it.
The broker registers the rack its host variable names.
Secured with client certificates (SSL) from the operator's own PKI
(kafka_broker_tls_source: files): the broker serves the operator's certificate,
takes the admin's, refuses a client without one or from another CA, and gives a
principal with no ACL nothing. Its data lives on a data volume of its own (a loop
device standing in for EBS): formatted and mounted by playbooks/data_volume.yml,
never reformatted, grown by playbooks/grow_data_volume.yml while Kafka runs under
the acks=all load producer."""

import hashlib
import os
import re
import socket
import ssl
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

# Imported so pytest runs it as this scenario's check-mode test (once, no host).
from check_mode import (  # noqa: F401  # pylint: disable=unused-import
    test_check_mode_on_the_converged_hosts_changes_nothing,
)
from cluster_checks import (
    client_settings,
    consume,
    lost_messages,
    produce,
    read_topic,
    refused,
    round_trip,
    self_signed_client_certificate,
)
from hardening_checks import (  # noqa: F401  # pylint: disable=unused-import
    test_services_are_hardened,
)
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from scale_checks import PLAYBOOKS, finish_load, run_playbook, service_state, start_load

# The scenario's second cluster (kafka-dynamic) has tests of its own (test_kafka_dynamic.py).
testinfra_hosts = ["kafka_broker"]


def operator_pki() -> Path:
    """Where the converge made the operator's CA and certificates (resources/operator_pki.yml)."""
    return Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "operator-pki"


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
        f"advertised.listeners=CLIENT://{address}:9092,INTERNAL://{address}:9094",
        "listener.security.protocol.map=CLIENT:SSL,INTERNAL:SSL,CONTROLLER:SSL",
        "listener.name.client.ssl.client.auth=required",
        "auto.create.topics.enable=false",
        "default.replication.factor=1",
        "min.insync.replicas=1",
        "broker.session.timeout.ms=4500",
        "broker.heartbeat.interval.ms=1000",
        "broker.rack=lab-zone-a",
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
    assert host.socket(f"tcp://{address}:9094").is_listening


def test_logs_go_to_the_log_directory(host):
    assert host.file("/var/log/kafka/server.log").size > 0


def test_a_topic_round_trips_a_message_with_kafka_python(kafka_address):
    topic = f"verify-{uuid.uuid4().hex[:8]}"
    settings = client_settings()
    assert settings["security_protocol"] == "SSL"
    assert "sasl_plain_password" not in settings
    admin = KafkaAdminClient(bootstrap_servers=kafka_address, **settings)
    try:
        brokers = admin.describe_cluster()["brokers"]
        assert [b["broker_id"] for b in brokers] == [1]
        # kafka_broker_rack (the scenario's host variable) is what the broker registered.
        assert [b["rack"] for b in brokers] == ["lab-zone-a"]
        admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        admin.close()
    values = round_trip(kafka_address, kafka_address, topic, b"hello from the verifier")
    assert values == [b"hello from the verifier"]


def new_topic(kafka_address: str, prefix: str) -> str:
    """A new one-partition topic, made as the admin principal; its name."""
    topic = f"{prefix}-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=kafka_address, **client_settings())
    try:
        admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        admin.close()
    return topic


# kafka_broker_metrics_enabled: the metric families the exporter's rules keep
# (templates/jmx-exporter.yml.j2); no other kafka_* family may appear.
KEPT_METRIC_FAMILIES = {
    *(
        f"kafka_server_replicamanager_{name}"
        for name in (
            "underreplicatedpartitions",
            "underminisrpartitioncount",
            "atminisrpartitioncount",
            "offlinereplicacount",
            "partitioncount",
            "leadercount",
            "isrshrinks_total",
            "isrexpands_total",
        )
    ),
    *(
        f"kafka_controller_kafkacontroller_{name}"
        for name in (
            "offlinepartitionscount",
            "activecontrollercount",
            "globalpartitioncount",
            "globaltopiccount",
            "activebrokercount",
            "fencedbrokercount",
            "preferredreplicaimbalancecount",
        )
    ),
    *(
        f"kafka_server_brokertopicmetrics_{name}_total"
        for name in (
            "messagesin",
            "bytesin",
            "bytesout",
            "failedproducerequests",
            "failedfetchrequests",
        )
    ),
    "kafka_network_requestmetrics_requests_total",
    "kafka_network_requestmetrics_totaltimems",
    "kafka_log_log_size_bytes",
}


def scrape(url: str) -> dict[str, float]:
    """The samples of a Prometheus text exposition: {name{labels}: value}."""
    with urllib.request.urlopen(url, timeout=10) as response:
        text = response.read().decode()
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


def test_metrics_endpoint_serves_the_kept_metrics_on_the_node_address(host, kafka_address):
    """kafka_broker_metrics_enabled: the JMX exporter's agent, from the pinned jar, serves
    on the node's address (not on every interface) what operators watch: nothing
    under-replicated or offline, one active controller, a partition's log size, request
    rates; and no Kafka metric the rules do not keep."""
    jar = host.file("/opt/jmx_prometheus_javaagent/jmx_prometheus_javaagent-1.0.1.jar")
    assert jar.user == "root" and jar.mode == 0o644
    assert jar.sha256sum == "7d61f737fd661610ccc14aea79764faa1ea94a340cbc8f0029b3d2edea3d80c1"
    command_line = host.file("/etc/systemd/system/kafka.service").content_string
    address = kafka_address.rsplit(":", 1)[0]
    assert f"-javaagent:{jar.path}={address}:9404:/etc/kafka/jmx-exporter.yml" in command_line

    topic = new_topic(kafka_address, "metrics")
    assert round_trip(kafka_address, kafka_address, topic, b"measured") == [b"measured"]

    samples = scrape(f"http://{address}:9404/metrics")
    assert samples["kafka_server_replicamanager_underreplicatedpartitions"] == 0
    assert samples["kafka_server_replicamanager_underminisrpartitioncount"] == 0
    assert samples["kafka_controller_kafkacontroller_offlinepartitionscount"] == 0
    assert samples["kafka_controller_kafkacontroller_activecontrollercount"] == 1
    log_sizes = [
        value
        for name, value in samples.items()
        if name.startswith("kafka_log_log_size_bytes{")
        and f'topic="{topic}"' in name
        and 'partition="0"' in name
    ]
    assert len(log_sizes) == 1 and log_sizes[0] > 0, log_sizes
    assert samples['kafka_network_requestmetrics_requests_total{request="Produce"}'] >= 1
    assert samples["kafka_server_brokertopicmetrics_messagesin_total"] >= 1
    assert any(name.startswith("jvm_memory_") for name in samples)
    families = {re.sub(r"\{.*", "", name) for name in samples if name.startswith("kafka_")}
    assert families <= KEPT_METRIC_FAMILIES, families - KEPT_METRIC_FAMILIES

    # Not on the loopback address: the agent listens on the node's address only.
    loopback = host.run(
        "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", 9404), 3)'"
    )
    assert loopback.rc != 0, "the metrics endpoint answers on 127.0.0.1 as well"


def test_the_node_holds_the_operators_certificate_and_key(host):
    """kafka_broker_tls_source files: the operator's PEM files, as given, key root only."""
    cert = host.file("/etc/kafka/tls/cert.pem")
    given = (operator_pki() / "kafka-single.cert.pem").read_text()
    assert cert.content_string.strip() == given.strip()
    key = host.file("/etc/kafka/tls/key.pem")
    assert (key.user, key.mode) == ("root", 0o600)
    assert host.file("/etc/kafka/tls/ca.pem").content_string.strip() == (
        (operator_pki() / "ca.pem").read_text().strip()
    )


@pytest.mark.parametrize("port", [9092, 9094, 9093])
def test_every_listener_serves_the_operators_certificate(kafka_address, port):
    expected = ssl.PEM_cert_to_DER_cert((operator_pki() / "kafka-single.cert.pem").read_text())
    context = ssl.create_default_context(cafile=str(operator_pki() / "ca.pem"))
    address = kafka_address.split(":")[0]
    with socket.create_connection((address, port), timeout=10) as raw:
        # Hostname verification on: the certificate names the address.
        with context.wrap_socket(raw, server_hostname=address) as tls:
            served = tls.getpeercert(binary_form=True)
    assert hashlib.sha256(served).hexdigest() == hashlib.sha256(expected).hexdigest()


def test_a_client_without_a_certificate_is_refused():
    settings = client_settings()
    assert refused(**settings) == ""  # the admin's certificate gets in
    without = {key: settings[key] for key in ("security_protocol", "ssl_cafile")}
    assert refused(**without) != ""


def test_a_client_certificate_from_another_ca_is_refused(tmp_path):
    cert, key = self_signed_client_certificate(tmp_path, "admin")
    stranger = {**client_settings(), "ssl_certfile": str(cert), "ssl_keyfile": str(key)}
    assert refused(**stranger) != ""


def test_a_principal_without_acls_may_neither_write_nor_read(kafka_address):
    """CN=verifier-client,OU=kafka-client is User:verifier-client: its certificate gets it
    in, but with no ACL it may neither write to a topic nor read from it, while the admin
    (CN=admin, a super user) may do both."""
    pki = operator_pki()
    stranger = {
        **client_settings(),
        "ssl_certfile": str(pki / "verifier-client.cert.pem"),
        "ssl_keyfile": str(pki / "verifier-client.key.pem"),
    }
    assert refused(**stranger) == ""  # authenticated: metadata needs no ACL
    topic = new_topic(kafka_address, "verify-acl")
    assert produce(client_settings(), topic, b"from the admin") == ""
    assert "TopicAuthorizationFailed" in produce(stranger, topic, b"from a stranger")
    values, _error = consume(stranger, topic, None)
    assert values == []
    values, error = consume(client_settings(), topic, None, wanted=b"from the admin")
    assert values == [b"from the admin"], error


def test_each_logstash_principal_logs_in_with_its_certificate_and_may_do_its_job_only(
    kafka_address,
):
    """principals.yml on an SSL cluster: User:logstash-producer (CN=logstash-producer,
    OU=kafka-client) writes the topic `twitter` and cannot read it or make topics;
    User:logstash-consumer reads it through the group `twitter_log_to_es` and cannot
    write. No SCRAM user exists: certificates are the only logins."""
    pki = operator_pki()

    def as_client(name: str) -> dict:
        return {
            **client_settings(),
            "ssl_certfile": str(pki / f"{name}.cert.pem"),
            "ssl_keyfile": str(pki / f"{name}.key.pem"),
        }

    admin = KafkaAdminClient(bootstrap_servers=kafka_address, **client_settings())
    try:
        if "twitter" not in admin.list_topics():
            admin.create_topics([NewTopic("twitter", num_partitions=1, replication_factor=1)])
        scram_users = admin.describe_user_scram_credentials()
    finally:
        admin.close()
    assert not scram_users, scram_users
    producer, consumer = as_client("logstash-producer"), as_client("logstash-consumer")
    value = f"certificate principal check {uuid.uuid4().hex[:8]}".encode()

    assert produce(producer, "twitter", value) == ""
    read, error = consume(producer, "twitter", "twitter_log_to_es")
    assert not read and "Authorization" in error, (read, error)
    made = f"made-by-producer-{uuid.uuid4().hex[:6]}"
    assert "Authorization" in produce(producer, made, b"x")

    read, error = consume(consumer, "twitter", "twitter_log_to_es", wanted=value)
    assert value in read, (read, error)
    assert "Authorization" in produce(consumer, "twitter", b"written by the consumer")


# --- the data volume (a loop device of the docker host, see resources/create.yml) ----

DATA_DEVICE = "/dev/xvdf"
GIB = 1024**3


def data_volume_size(host) -> int:
    """The mounted filesystem's size in bytes, as df reports it."""
    result = host.run("df --block-size=1 --output=size /var/lib/kafka")
    assert result.rc == 0, result.stderr
    return int(result.stdout.split()[-1])


def test_kafka_keeps_its_data_on_the_data_volume(host):
    mount = host.mount_point("/var/lib/kafka")
    assert mount.exists
    assert mount.device == DATA_DEVICE
    assert mount.filesystem == "xfs"
    assert "noatime" in mount.options
    source = host.run("findmnt --noheadings --output SOURCE --target /var/lib/kafka/data")
    assert source.stdout.strip() == DATA_DEVICE
    assert host.file("/var/lib/kafka/data/meta.properties").exists
    fstab = host.file("/etc/fstab").content_string
    assert re.search(rf"^{DATA_DEVICE}\s+/var/lib/kafka\s+xfs\s+noatime,nofail", fstab, re.M)


def test_a_data_volume_holding_another_filesystem_is_refused_and_left_as_it_is(host):
    """data_volume.yml asked for ext4 on the xfs volume that holds the broker's data:
    refused before anything changes; the volume, its data and the broker stay."""
    pid = service_state("kafka-single", "kafka")["MainPID"]
    _seconds, output = run_playbook(
        PLAYBOOKS / "data_volume.yml", [], "-e", "kafka_data_fstype=ext4", expect_failure=True
    )
    message = " ".join(output.split())
    assert f"{DATA_DEVICE} on kafka-single holds a xfs filesystem, not the ext4" in message
    assert "it is never reformatted" in message and "Nothing was changed" in message
    assert host.run(f"blkid --output value --match-tag TYPE {DATA_DEVICE}").stdout.strip() == "xfs"
    assert host.file("/var/lib/kafka/data/meta.properties").exists
    assert service_state("kafka-single", "kafka")["MainPID"] == pid


@pytest.mark.parametrize(
    ("playbook", "variables", "expected"),
    [
        (
            "data_volume.yml",
            ["kafka_data_fstype=btrfs"],
            "kafka_data_fstype xfs or ext4 (is btrfs)",
        ),
        (
            "data_volume.yml",
            ["kafka_data_mount_point=var/lib/kafka"],
            "an absolute path (is var/lib/kafka)",
        ),
        (
            "data_volume.yml",
            ["kafka_data_device=/etc/hostname"],
            "a device path under /dev (is /etc/hostname)",
        ),
        (
            "data_volume.yml",
            ["kafka_data_device=/dev/xvdz"],
            "/dev/xvdz on kafka-single is not a block device (it does not exist)",
        ),
        (
            "data_volume.yml",
            ["kafka_data_device=/dev/null"],
            "/dev/null on kafka-single is not a block device (it is another kind of file)",
        ),
        (
            "grow_data_volume.yml",
            ["grow_data_volume_hosts=kafka-single", "grow_data_volume_size_gib=1.5"],
            "a whole number of GiB (asked: 1.5)",
        ),
        (
            "grow_data_volume.yml",
            ["grow_data_volume_hosts=kafka-single"],
            "a whole number of GiB (asked: nothing)",
        ),
        (
            "grow_data_volume.yml",
            ["grow_data_volume_hosts=kafka-single,kafka-typo", "grow_data_volume_size_gib=5"],
            "not brokers: ['kafka-typo']",
        ),
        (
            "grow_data_volume.yml",
            ["grow_data_volume_size_gib=5"],
            "asked: nothing; not brokers: []",
        ),
    ],
    ids=[
        "unknown filesystem",
        "relative mount point",
        "not a device path",
        "missing device",
        "character device",
        "fraction of a GiB",
        "no size",
        "a host that is not a broker",
        "no hosts",
    ],
)
def test_bad_data_volume_settings_are_refused_before_anything_changes(
    host, playbook, variables, expected
):
    pid = service_state("kafka-single", "kafka")["MainPID"]
    fstab = host.file("/etc/fstab").content_string
    size = data_volume_size(host)
    extra = [arg for variable in variables for arg in ("-e", variable)]
    _seconds, output = run_playbook(PLAYBOOKS / playbook, [], *extra, expect_failure=True)
    message = " ".join(output.split())
    assert expected in message and "Nothing was changed" in message, message[-2000:]
    assert host.file("/etc/fstab").content_string == fstab
    assert host.mount_point("/var/lib/kafka").device == DATA_DEVICE
    assert data_volume_size(host) == size
    assert service_state("kafka-single", "kafka")["MainPID"] == pid


def test_the_data_volume_grows_while_kafka_runs_under_load(host, kafka_address):
    """The volume enlarged underneath (as EBS does it: the file behind the loop device,
    then the kernel told), then grow_data_volume.yml: check mode changes nothing, the
    real run grows the filesystem in place, a re-run changes nothing, a smaller size is
    refused. Kafka keeps its process; every acknowledged message is read back."""
    work = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])
    backing_file = work / "data-volume-kafka-single.img"
    loop_device = subprocess.run(
        [
            "losetup",
            "--list",
            "--associated",
            str(backing_file),
            "--noheadings",
            "--output",
            "NAME",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[0]
    pid = service_state("kafka-single", "kafka")["MainPID"]
    size_before = data_volume_size(host)
    assert 0.9 * GIB < size_before <= GIB
    grow = ("-e", "grow_data_volume_hosts=kafka-single", "-e", "grow_data_volume_size_gib=2")
    process, report, stop = start_load([kafka_address], work, replication_factor=1)
    try:
        time.sleep(5)
        subprocess.run(["truncate", "--size", "2G", str(backing_file)], check=True)
        subprocess.run(["losetup", "--set-capacity", loop_device], check=True)
        _seconds, checked = run_playbook(PLAYBOOKS / "grow_data_volume.yml", [], *grow, "--check")
        assert re.search(r"kafka-single\s*:.*changed=1\b", checked), checked[-2000:]
        assert data_volume_size(host) == size_before
        seconds, grown = run_playbook(PLAYBOOKS / "grow_data_volume.yml", [], *grow)
        assert re.search(r"kafka-single\s*:.*changed=1\b", grown), grown[-2000:]
        _seconds, again = run_playbook(PLAYBOOKS / "grow_data_volume.yml", [], *grow)
        assert re.search(r"kafka-single\s*:.*changed=0\b", again), again[-2000:]
        _seconds, shrink = run_playbook(
            PLAYBOOKS / "grow_data_volume.yml",
            [],
            "-e",
            "grow_data_volume_hosts=kafka-single",
            "-e",
            "grow_data_volume_size_gib=1",
            expect_failure=True,
        )
        assert "would shrink it" in " ".join(shrink.split()), shrink[-2000:]
        time.sleep(3)
    finally:
        load = finish_load(process, report, stop)
    size_after = data_volume_size(host)
    records = read_topic([kafka_address], load["topic"])
    lost = lost_messages(load["acknowledged"], records)
    print(
        f"\ndata volume grown in {seconds:.0f} s: {size_before / GIB:.2f} GiB -> "
        f"{size_after / GIB:.2f} GiB; load: sent {load['sent']}, acknowledged "
        f"{len(load['acknowledged'])}, lost {len(lost)}"
    )
    assert 1.9 * GIB < size_after <= 2 * GIB
    assert service_state("kafka-single", "kafka")["MainPID"] == pid
    assert load["sent"] > 500
    assert len(load["acknowledged"]) > 0.99 * load["sent"]
    assert lost == []
