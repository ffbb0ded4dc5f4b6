"""Checks the cluster scenarios share, run from the controller with kafka-python:
every broker registered, a replicated topic served through any broker, and the
rolling restart under load lost no acknowledged message."""

from __future__ import annotations

import datetime
import json
import os
import re
import time
import uuid
from pathlib import Path

import docker
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

EXPECTED_BROKER_IDS = [1, 2, 3]


def client_settings() -> dict:
    """kafka-python connection settings the converge left (resources/client_settings.yml):
    the admin principal and the CA on a SASL_SSL cluster, {} on a PLAINTEXT one."""
    path = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "kafka-client.json"
    return json.loads(path.read_text()) if path.exists() else {}


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


def running_install_dir(host) -> list[str]:
    """The install directories of the jars the Kafka process holds open (their real paths,
    past the /opt/kafka link), read as the Kafka user, who may read its process's files."""
    pid = host.check_output("systemctl show -p MainPID --value kafka")
    listing = host.check_output(f"runuser -u kafka -- ls -l /proc/{pid}/fd")
    return sorted(set(re.findall(r"-> (/\S+)/libs/[^/\s]+\.jar$", listing, re.M)))


def test_every_broker_is_registered():
    admin = KafkaAdminClient(bootstrap_servers=broker_addresses(), **client_settings())
    try:
        brokers = admin.describe_cluster()["brokers"]
    finally:
        admin.close()
    assert sorted(b["broker_id"] for b in brokers) == EXPECTED_BROKER_IDS


def test_replicated_topic_produced_through_one_broker_consumed_through_another():
    addresses = broker_addresses()
    first, second = addresses[0], addresses[1]
    topic = f"verify-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=first, **client_settings())
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
    producer = KafkaProducer(bootstrap_servers=producer_bootstrap, acks="all", **client_settings())
    producer.send(topic, value=value).get(timeout=30)
    producer.close()
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=consumer_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=20000,
        **client_settings(),
    )
    values = []
    # Stop at the topic's end offsets instead of waiting out the timeout after the
    # last record: a second copy of the value would still be read, a missing one
    # still ends in the timeout.
    for record in consumer:
        values.append(record.value)
        ends = consumer.end_offsets(list(consumer.assignment()))
        if all(consumer.position(partition) >= end for partition, end in ends.items()):
            break
    consumer.close()
    return values


def read_topic(bootstrap: list[str], topic: str) -> dict[tuple[int, int], tuple[bytes, bytes]]:
    """Every record of `topic`, by (partition, offset), read up to the end offsets."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, **client_settings()
    )
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


def lost_messages(
    acknowledged: list[list[int]], records: dict[tuple[int, int], tuple[bytes, bytes]]
) -> list[tuple[int, int, int]]:
    """The load producer's acknowledged messages, as (number, partition, offset), that are
    not read back at their offset with the key and value it sent (tests/lab/load_producer.py)."""
    return [
        (number, partition, offset)
        for number, partition, offset in acknowledged
        if records.get((partition, offset))
        != (str(number).encode(), f"load-test message {number:08d}".encode())
    ]


def test_rolling_restart_under_load_lost_no_acknowledged_message():
    work = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])
    report = json.loads((work / "load-report.json").read_text())
    restart_seconds = json.loads((work / "restart-seconds.json").read_text())
    records = read_topic(broker_addresses(), report["topic"])

    missing_or_changed = lost_messages(report["acknowledged"], records)
    keys = [key_and_value[0] for key_and_value in records.values()]
    print(
        f"\nload test: sent {report['sent']}, acknowledged {len(report['acknowledged'])}, "
        f"errors {len(report['errors'])}, consumed {len(records)}, "
        f"partitions seen without a leader {len(report['offline_observations'])} times "
        f"in {report['leader_checks']} checks; restart seconds per broker {restart_seconds}"
        + (f"; the final flush gave up: {report['flush_error']}" if "flush_error" in report else "")
    )
    assert len(restart_seconds) == 3, restart_seconds
    assert report["sent"] > 1000
    assert len(report["acknowledged"]) > 0.99 * report["sent"]
    assert not missing_or_changed, missing_or_changed[:10]
    assert len(keys) == len(set(keys)), "a message was written twice"
    assert report["offline_observations"] == []
    assert report["leader_checks"] > 10


# --- a secured cluster (SASL_SSL): what a stranger can and cannot do -----------


def tool_config_args(host) -> str:
    """`--command-config FILE` for Kafka's tools on `host`, written there (root only)
    from client_settings(), or "" on a PLAINTEXT cluster."""
    settings = client_settings()
    if not settings:
        return ""
    properties = (
        "security.protocol=SASL_SSL\n"
        "sasl.mechanism=SCRAM-SHA-512\n"
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{settings["sasl_plain_username"]}" '
        f'password="{settings["sasl_plain_password"]}";\n'
        "ssl.truststore.type=PEM\n"
        "ssl.truststore.location=/etc/kafka/tls/ca.pem\n"
    )
    result = host.run(
        "umask 077 && cat > /root/lab-client.properties <<'END'\n" + properties + "END"
    )
    assert result.rc == 0, result.stderr
    return "--command-config /root/lab-client.properties"


def refused(**settings) -> str:
    """The error a client with these settings meets when it asks for the cluster's
    brokers, or "" when it was let in.

    A refused client keeps trying until its bootstrap times out: 8 s here instead of
    kafka-python's 30 s. A cluster too slow to let a client in within that time fails
    the tests that expect "" from this same function (test_the_admin_gets_in), rather
    than passing the refusals."""
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=broker_addresses()[0],
            request_timeout_ms=8000,
            bootstrap_timeout_ms=8000,
            **settings,
        )
    except Exception as error:  # any refusal counts, and is reported
        return f"{type(error).__name__}: {error}"
    try:
        admin.describe_cluster()
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    finally:
        admin.close()
    return ""


def _self_signed(name: x509.Name, ca: bool):
    """A certificate for `name` signed by its own new key, valid for a day: (certificate, key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    if ca:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=None), critical=True
        )
    return builder.sign(key, hashes.SHA256()), key


def throwaway_ca(directory: Path) -> Path:
    """A self-signed CA nobody in the cluster trusts."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "a CA nobody trusts")])
    certificate, _key = _self_signed(name, ca=True)
    path = directory / "untrusted-ca.pem"
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


def self_signed_client_certificate(directory: Path, common_name: str) -> tuple[Path, Path]:
    """A client certificate CN=<common_name>,OU=kafka-client that signs itself: what a
    stranger would present to pass for that principal. Returns (certificate, key)."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "kafka-client"),
        ]
    )
    certificate, key = _self_signed(name, ca=False)
    cert_path, key_path = directory / "stranger.cert.pem", directory / "stranger.key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def secured_settings() -> dict:
    settings = client_settings()
    assert settings.get("security_protocol") == "SASL_SSL", (
        "this scenario is meant to run secured; kafka-client.json has no SASL_SSL settings"
    )
    return settings


def test_the_admin_gets_in():
    assert refused(**secured_settings()) == ""


def test_a_client_without_credentials_is_refused():
    assert refused() != "", "a PLAINTEXT client with no credentials was let in"
    settings = secured_settings()
    tls_only = {"security_protocol": "SSL", "ssl_cafile": settings["ssl_cafile"]}
    assert refused(**tls_only) != "", "a TLS client with no credentials was let in"


def test_a_wrong_password_is_refused():
    settings = dict(secured_settings(), sasl_plain_password="not-the-password-at-all")
    assert refused(**settings) != ""


def test_a_client_that_does_not_trust_the_cluster_ca_is_refused(tmp_path):
    settings = dict(secured_settings(), ssl_cafile=str(throwaway_ca(tmp_path)))
    assert refused(**settings) != ""


def test_no_plaintext_listener_is_configured(host):
    config = host.file("/etc/kafka/server.properties").content_string
    protocol_map = re.search(r"^listener.security.protocol.map=(.*)$", config, re.M).group(1)
    protocols = {entry.split(":")[1] for entry in protocol_map.split(",")}
    assert protocols <= {"SASL_SSL", "SSL"}, protocol_map
    assert "PLAINTEXT://" not in config
    assert re.search(r"^authorizer.class.name=\S+$", config, re.M)
    assert "allow.everyone.if.no.acl.found=false" in config


def principals() -> dict:
    path = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "principals.json"
    assert path.exists(), "the converge wrote no principals.json: are producer and consumer named?"
    return json.loads(path.read_text())


def as_user(login: dict) -> dict:
    return dict(
        secured_settings(),
        sasl_plain_username=login["username"],
        sasl_plain_password=login["password"],
    )


def produce(settings: dict, topic: str, value: bytes) -> str:
    """ "" when the message was acknowledged, else the error."""
    producer = None
    try:
        producer = KafkaProducer(
            bootstrap_servers=broker_addresses(), acks="all", max_block_ms=15000, **settings
        )
        producer.send(topic, value=value).get(timeout=20)
        return ""
    except Exception as error:  # the refusal is the result
        return f"{type(error).__name__}: {error}"
    finally:
        if producer is not None:
            producer.close(timeout=5)


def consume(
    settings: dict, topic: str, group: str | None, wanted: bytes | None = None
) -> tuple[list[bytes], str]:
    """The values read from the start of `topic` (as `group`), and the error, if any.

    Reading stops 15 s after the last record, or as soon as `wanted` is read; when a value
    is wanted the wait is 90 s, as joining the group (a SASL login and a rebalance) can take
    longer than 15 s on a loaded machine.
    """
    consumer = None
    values: list[bytes] = []
    try:
        consumer = KafkaConsumer(
            topic,
            bootstrap_servers=broker_addresses(),
            group_id=group,
            auto_offset_reset="earliest",
            consumer_timeout_ms=90000 if wanted is not None else 15000,
            **settings,
        )
        for record in consumer:
            values.append(record.value)
            if record.value == wanted:
                break
        return values, ""
    except Exception as error:
        return values, f"{type(error).__name__}: {error}"
    finally:
        if consumer is not None:
            consumer.close()


def test_each_pipeline_principal_may_do_its_job_and_nothing_else():
    logins = principals()
    topic = logins["producer"]["topic"]
    assert topic in logins["consumer"]["topics"]
    admin = KafkaAdminClient(bootstrap_servers=broker_addresses(), **secured_settings())
    try:
        if topic not in admin.list_topics():
            admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=3)])
    finally:
        admin.close()
    producer, consumer = as_user(logins["producer"]), as_user(logins["consumer"])
    value = f"principal check {uuid.uuid4().hex[:8]}".encode()

    # The producer writes its topic, and can neither read it nor make topics.
    assert produce(producer, topic, value) == ""
    read, error = consume(producer, topic, logins["consumer"]["group"])
    assert not read and "Authorization" in error, (read, error)
    assert "Authorization" in produce(producer, f"made-by-producer-{uuid.uuid4().hex[:6]}", b"x")

    # The consumer reads it through its group, and cannot write.
    read, error = consume(consumer, topic, logins["consumer"]["group"], wanted=value)
    assert value in read, (read, error)
    assert "Authorization" in produce(consumer, topic, b"written by the consumer")


SCANNED_DIRECTORIES = "/etc /var /opt /tmp /run /srv /home /root /usr/local"


def configured_secrets() -> list[str]:
    path = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "secrets.json"
    assert path.exists(), "the converge wrote no secrets.json: is this scenario secured?"
    return json.loads(path.read_text())


def files_readable_by(host, user: str, patterns: list[str]) -> list[str]:
    """The files under SCANNED_DIRECTORIES that `user` can read and that hold one
    of `patterns` (fixed strings). A canary file that `user` can read proves the
    search looks where it should: it must be found, and is left out of the answer."""
    canary = f"lab-canary-{uuid.uuid4().hex}"
    pattern_file, canary_file = "/tmp/lab-secret-patterns", "/tmp/lab-canary"
    quoted = " ".join(repr(p) for p in [*patterns, canary])
    written = host.run(
        f"umask 022 && printf '%s\\n' {quoted} > {pattern_file} && echo {canary} > {canary_file}"
    )
    assert written.rc == 0, written.stderr
    try:
        # grep exits 2 when some files could not be read: expected, they are not this user's.
        result = host.run(
            f"runuser -u {user} -- grep -rlsF --exclude=lab-secret-patterns -f {pattern_file} "
            f"{SCANNED_DIRECTORIES}"
        )
        found = result.stdout.split()
        assert canary_file in found, f"the search as {user} missed its canary: {result.stderr}"
        return [path for path in found if path != canary_file]
    finally:
        host.run(f"rm -f {pattern_file} {canary_file}")


def test_no_password_or_private_key_is_readable_by_another_user(host):
    secrets = configured_secrets()
    admin_password = client_settings()["sasl_plain_password"]
    assert admin_password in secrets
    # Nobody who is not the service sees any password or key.
    assert files_readable_by(host, "nobody", [*secrets, "PRIVATE KEY-----"]) == []
    # The service users see their own secrets only: the admin's password is on no host
    # (Kafka keeps a salted hash), and no service reads another's private key.
    for user in ("kafka", "zookeeper"):
        if host.user(user).exists:
            assert files_readable_by(host, user, [admin_password, "PRIVATE KEY-----"]) == [], user
