"""The pipeline site.yml built on the lab inventory, secured (SASL_SSL, TLS to and
within ZooKeeper, ACLs): every stage running on its hosts, the declared topic on
the brokers, an event carried from the producer's Kafka settings to the
consumer's group, each end logged in as its own principal
(tests/lab/pipeline_probe.py; the Logstash hosts run the lab's stand-in package,
NOT Logstash, which processes no events), strangers refused by Kafka and
ZooKeeper, no secret readable or printed, and the rolling restart under load."""

import json
import os
import re
import sys
from pathlib import Path

import logstash_checks
from check_mode import (  # noqa: F401  # pylint: disable=unused-import
    test_check_mode_on_the_converged_hosts_changes_nothing,
)
from cluster_checks import (  # noqa: F401  # pylint: disable=unused-import
    broker_addresses,
    client_settings,
    test_a_client_that_does_not_trust_the_cluster_ca_is_refused,
    test_a_client_without_credentials_is_refused,
    test_a_wrong_password_is_refused,
    test_each_pipeline_principal_may_do_its_job_and_nothing_else,
    test_every_broker_is_registered,
    test_no_password_or_private_key_is_readable_by_another_user,
    test_rolling_restart_under_load_lost_no_acknowledged_message,
    test_the_admin_gets_in,
)
from hardening_checks import (  # noqa: F401  # pylint: disable=unused-import
    test_services_are_hardened,
)
from kafka import KafkaAdminClient

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests" / "lab"))
import pipeline_probe  # pylint: disable=wrong-import-position

# What each inventory group runs once site.yml is through.
SERVICES = {"zookeeper": ["zookeeper"], "kafka_broker": ["kafka"]}
PIPELINES = {"logstash_producer": "kafka-producer", "logstash_consumer": "kafka-consumer"}


def test_each_host_runs_its_stages(host):
    groups = host.ansible.get_variables()["group_names"]
    expected = [s for group in groups for s in SERVICES.get(group, [])]
    expected_pipelines = [PIPELINES[group] for group in groups if group in PIPELINES]
    assert expected or expected_pipelines, f"{groups} run nothing"
    for service in expected:
        assert host.service(service).is_running, service
        assert host.service(service).is_enabled, service
    if expected_pipelines:
        assert logstash_checks.not_running(host, expected_pipelines) == []
        assert logstash_checks.config_test(host).rc == 0


def test_java_moved_to_the_next_major_version_one_node_at_a_time(host):
    """The side effect's Java upgrade (resources/java_upgrade.yml, under the load that
    test_rolling_restart_under_load_lost_no_acknowledged_message checks): every ZooKeeper
    and Kafka process now runs the lab's next Java, which it did not before; the
    Logstash hosts were never on the cluster's Java."""
    record = json.loads(
        (Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "java-upgrade.json").read_text()
    )
    name = host.backend.get_hostname()
    groups = host.ansible.get_variables()["group_names"]
    services = [s for group in groups for s in SERVICES.get(group, [])]
    if not services:
        assert name not in record["before"], record
        return
    new_java = f"/opt/java/java-runtime-{record['to']}/bin/java"
    assert sorted(record["before"][name]) == sorted(services), record["before"]
    for service in services:
        pid = host.check_output(f"systemctl show -p MainPID --value {service}")
        # The java it was started as (/proc/<pid>/exe needs ptrace rights over another user).
        started_as = host.check_output(f"tr '\\0' '\\n' < /proc/{pid}/cmdline | head -n 1")
        assert host.check_output(f"readlink -f {started_as}") == new_java, service
        assert record["before"][name][service] != new_java, record["before"]
    order = record["restart_order"]
    print(f"\n{name}: Java {record['to']} in {record['run']}, restart order {order}")


def test_the_twitter_topic_is_as_declared():
    admin = KafkaAdminClient(bootstrap_servers=broker_addresses(), **client_settings())
    try:
        [described] = admin.describe_topics(["twitter"])
    finally:
        admin.close()
    partitions = described["partitions"]
    assert len(partitions) == 3
    assert all(len(p["replica_nodes"]) == 3 for p in partitions)
    assert all(len(p["isr_nodes"]) == 3 for p in partitions)
    overrides = pipeline_probe.topic_overrides(
        ",".join(broker_addresses()), "twitter", client_settings()
    )
    assert overrides == {"retention.bytes": "100000000"}


def test_logstash_ends_point_at_every_broker():
    producer = pipeline_probe.kafka_plugin_settings(
        pipeline_probe.container_file("pl-producer", pipeline_probe.PRODUCER_PIPELINE), "output"
    )
    consumer = pipeline_probe.kafka_plugin_settings(
        pipeline_probe.container_file("pl-consumer", pipeline_probe.CONSUMER_PIPELINE), "input"
    )
    brokers = sorted(broker_addresses())
    assert sorted(producer["bootstrap_servers"].split(",")) == brokers
    assert sorted(consumer["bootstrap_servers"].split(",")) == brokers
    assert (producer["topic_id"], consumer["topics"], consumer["group_id"]) == (
        "twitter",
        ["twitter"],
        "twitter_log_to_es",
    )


def test_an_event_travels_from_the_producer_settings_to_the_consumer_group():
    seen = pipeline_probe.prove(
        pipeline_probe.container_file("pl-producer", pipeline_probe.PRODUCER_PIPELINE),
        pipeline_probe.container_file("pl-consumer", pipeline_probe.CONSUMER_PIPELINE),
        Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]),
    )
    print(f"\npipeline probe: {seen}")
    assert seen["logged_in_as"] == ["logstash-producer", "logstash-consumer"]
    assert seen["committed_offset"] == seen["offset"] + 1


def test_kafka_and_zookeeper_listen_on_their_secured_ports_only(host):
    groups = host.ansible.get_variables()["group_names"]
    if "zookeeper" in groups:
        # e.g. "tcp://0.0.0.0:2182"; whatever the address, only the TLS port may listen.
        listening = host.socket.get_listening_sockets()
        assert any(s.endswith(":2182") for s in listening), listening
        assert not any(s.endswith(":2181") for s in listening), (
            f"ZooKeeper's plaintext client port is open: {listening}"
        )
        config = host.file("/etc/zookeeper/zoo.cfg").content_string
        assert re.search(r"^sslQuorum=true$", config, re.M)
        assert re.search(r"^enforce.auth.enabled=true$", config, re.M)
        assert re.search(r"^4lw.commands.whitelist=ruok$", config, re.M)
    if "kafka_broker" in groups:
        config = host.file("/etc/kafka/server.properties").content_string
        assert "zookeeper.set.acl=true" in config
        assert "zookeeper.ssl.client.enable=true" in config
        # Every member's TLS port, with or without a chroot.
        assert re.search(
            r"^zookeeper.connect=[^:,]+:2182,[^:,]+:2182,[^:,/]+:2182(/\S*)?$", config, re.M
        )


def zookeeper_client(host, command: str, login: bool) -> str:
    """Run one zkCli.sh command over TLS (this member's certificate) against the
    local member, logged in as the brokers' ZooKeeper user or not at all."""
    options = [
        "-Dzookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty",
        "-Dzookeeper.client.secure=true",
        "-Dzookeeper.ssl.keyStore.location=/etc/zookeeper/tls/keystore.p12",
        "-Dzookeeper.ssl.keyStore.type=PKCS12",
        "-Dzookeeper.ssl.keyStore.passwordPath=/etc/zookeeper/tls/key-password",
        "-Dzookeeper.ssl.trustStore.location=/etc/zookeeper/tls/ca.pem",
        "-Dzookeeper.ssl.trustStore.type=PEM",
        # ZooKeeper 3.9's client refuses DIGEST-MD5 in its default FIPS mode; the members
        # accept it (zookeeper role), as Kafka's own ZooKeeper client uses it.
        "-Dzookeeper.fips-mode=false",
    ]
    if login:
        options.append("-Djava.security.auth.login.config=/root/lab-zookeeper-client.jaas")
    else:
        options.append("-Dzookeeper.sasl.client=false")
    address = host.interface("eth0").addresses[0]
    java_home = json.loads(host.file("/etc/ansible/facts.d/java.fact").content_string)["java_home"]
    result = host.run(
        f"JAVA_HOME={java_home} CLIENT_JVMFLAGS='{' '.join(options)}' timeout 60 "
        f"/opt/zookeeper/bin/zkCli.sh -server {address}:2182 {command}"
    )
    return result.stdout + result.stderr


def test_zookeeper_refuses_a_client_that_does_not_log_in(host):
    if "zookeeper" not in host.ansible.get_variables()["group_names"]:
        return
    # Kafka's znodes sit under the chroot of zookeeper.connect, if it has one.
    connect = host.file("/etc/kafka/server.properties").content_string
    chroot = re.search(r"^zookeeper.connect=[^/\n]*(/\S*)?$", connect, re.M).group(1) or ""
    node = f"{chroot}/lab-stranger-{host.backend.get_hostname()}"
    output = zookeeper_client(host, f"create {node} x", login=False)
    assert "Created" not in output, output[-2000:]
    # Kafka's znodes can be changed by the brokers' login alone.
    config = host.file("/etc/kafka/zookeeper-client.jaas")
    assert config.exists and config.mode == 0o640 and config.user == "root"
    acl = zookeeper_client_logged_in(host, f"getAcl {chroot}/brokers/ids")
    assert re.search(r"'sasl,'kafka\s*:\s*cdrwa", acl), acl[-2000:]
    # Kafka leaves most znodes world-readable; nobody else may create, change or delete them.
    assert not re.search(r"'world,'anyone\s*:\s*[a-z]*[cdwa]", acl), acl[-2000:]


def zookeeper_client_logged_in(host, command: str) -> str:
    """zkCli.sh as the brokers' ZooKeeper user (the broker's own login file, copied
    for root for the duration of the command)."""
    host.run("install -m 0600 /etc/kafka/zookeeper-client.jaas /root/lab-zookeeper-client.jaas")
    try:
        return zookeeper_client(host, command, login=True)
    finally:
        host.run("rm -f /root/lab-zookeeper-client.jaas")
