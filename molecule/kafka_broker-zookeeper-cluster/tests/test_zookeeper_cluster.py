"""Three Kafka 3.9 brokers registered in a three-node ZooKeeper ensemble under
the /kafka chroot, and the rolling restart under load (cluster_checks). The last
test adds the three spare hosts as brokers, restarts all six rack by rack, takes
zkk-2's broker out, and has two of them join the ZooKeeper ensemble and leave it
(scale_checks);
it changes the cluster, so it stays last."""

import json
import os
import re
from pathlib import Path

# Imported so pytest runs it as this scenario's check-mode test (once, no host).
from check_mode import (  # noqa: F401  # pylint: disable=unused-import
    test_check_mode_on_the_converged_hosts_changes_nothing,
)

# Imported so pytest collects them as this scenario's tests too.
from cluster_checks import (  # noqa: F401  # pylint: disable=unused-import
    broker_addresses,
    client_settings,
    running_install_dir,
    test_every_broker_is_registered,
    test_replicated_topic_produced_through_one_broker_consumed_through_another,
    test_rolling_restart_under_load_lost_no_acknowledged_message,
)
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType
from scale_checks import scale_out_rebalance_and_decommission, zookeeper_admin

# The host checks are the cluster's; the spare hosts hold only Java until the last test.
testinfra_hosts = ["zookeeper"]

NODES = ["zkk-1", "zkk-2", "zkk-3"]


def test_broker_uses_zookeeper_mode_with_the_ensemble(host):
    config = host.file("/etc/kafka/server.properties").content_string
    broker_id = NODES.index(host.backend.get_hostname()) + 1
    assert f"broker.id={broker_id}\n" in config
    assert "process.roles" not in config
    connect = re.search(r"^zookeeper.connect=(.*)$", config, re.M).group(1)
    assert connect.endswith("/kafka")
    assert len(connect.removesuffix("/kafka").split(",")) == 3
    assert "default.replication.factor=3" in config
    assert "min.insync.replicas=2" in config
    assert (
        "After=network-online.target zookeeper.service"
        in host.file("/etc/systemd/system/kafka.service").content_string
    )


def test_brokers_are_registered_in_zookeeper(host):
    java_home = json.loads(host.file("/etc/ansible/facts.d/java.fact").content_string)["java_home"]
    result = host.run(
        f"JAVA_HOME={java_home} /opt/kafka/bin/zookeeper-shell.sh "
        "127.0.0.1:2181/kafka ls /brokers/ids"
    )
    assert result.rc == 0, result.stderr
    assert "[1, 2, 3]" in result.stdout


def test_zookeeper_keeps_its_members_and_no_host_file_holds_the_super_password(host):
    """zookeeper_reconfig_enabled: ZooKeeper starts from a copy of the role's zoo.cfg in its
    data directory, with the members it keeps itself; the members hold the super user's
    digest, never its password."""
    static = host.file("/etc/zookeeper/zoo.cfg").content_string
    assert re.search(r"^reconfigEnabled=true$", static, re.M)
    assert re.search(r"^standaloneEnabled=false$", static, re.M)
    assert re.search(
        r"^DigestAuthenticationProvider.superDigest=super:[A-Za-z0-9+/]{27}=$", static, re.M
    )
    assert not re.search(r"^server\.", static, re.M)
    runtime = host.file("/var/lib/zookeeper/zoo.cfg").content_string
    kept = re.search(
        r"^dynamicConfigFile=(/var/lib/zookeeper/zoo\.cfg\.dynamic\.\w+)$", runtime, re.M
    )
    members = host.file(kept.group(1)).content_string
    assert sorted(re.findall(r"^server\.(\d)=[^:]+:2888:3888", members, re.M)) == ["1", "2", "3"]
    unit = host.file("/etc/systemd/system/zookeeper.service").content_string
    assert "ExecStartPre=/bin/sh /etc/zookeeper/prepare-runtime-config" in unit
    assert "QuorumPeerMain /var/lib/zookeeper/zoo.cfg" in unit
    found = host.run(
        "grep -rl lab-zookeeper-super /etc/zookeeper /var/lib/zookeeper /etc/systemd/system"
    )
    assert found.rc == 1 and found.stdout == "", found.stdout


def test_services_are_active(host):
    for service in ("zookeeper", "kafka"):
        assert host.service(service).is_running
        assert host.service(service).is_enabled


def release_line(release: str) -> str:
    return ".".join(release.split(".")[:2])


def test_the_upgrade_across_lines_left_every_broker_on_the_new_release_beside_the_old(host):
    """The converge installed KAFKA_ZK_PREVIOUS_VERSION (3.8); the side effect's interrupted
    roll upgraded to KAFKA_ZK_VERSION (3.9) under load, keeping the brokers on the old line's
    inter.broker.protocol.version, and a second roll raised it. Each broker runs the new
    release by its open jars, its file names the new line's protocol version, and the old
    release stays installed beside it."""
    current, previous = os.environ["KAFKA_ZK_VERSION"], os.environ["KAFKA_ZK_PREVIOUS_VERSION"]
    assert release_line(current) != release_line(previous)
    assert running_install_dir(host) == [f"/opt/kafka_2.13-{current}"]
    assert host.file("/opt/kafka").linked_to == f"/opt/kafka_2.13-{current}"
    assert host.file(f"/opt/kafka_2.13-{previous}/libs").is_directory
    config = host.file("/etc/kafka/server.properties").content_string
    assert re.findall(r"^inter.broker.protocol.version=(.*)$", config, re.M) == [
        release_line(current)
    ]


def test_the_protocol_version_was_raised_in_a_second_roll_and_the_brokers_run_it():
    """Side effect (resources/interrupted_roll.yml, resources/finalize_upgrade.yml): raising
    kafka_broker_inter_broker_protocol_version was refused while brokers ran the older
    release; once all ran the new one, check mode named the move and changed nothing, the
    second roll raised it, the next run had nothing to do, and lowering it was refused.
    Every broker reports the raised version as the one it runs."""
    versions = json.loads(
        (Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "protocol-versions.json").read_text()
    )
    print(f"\ninter.broker.protocol.version {versions['before']} -> {versions['after']}")
    assert versions == {
        "before": release_line(os.environ["KAFKA_ZK_PREVIOUS_VERSION"]),
        "after": release_line(os.environ["KAFKA_ZK_VERSION"]),
    }
    admin = KafkaAdminClient(bootstrap_servers=broker_addresses(), **client_settings())
    try:
        described = admin.describe_configs(
            [ConfigResource(ConfigResourceType.BROKER, broker_id) for broker_id in ("1", "2", "3")],
            config_filter="all",
        )["broker"]
        running = {
            broker_id: configs["inter.broker.protocol.version"]["value"]
            for broker_id, configs in described.items()
        }
    finally:
        admin.close()
    assert running == dict.fromkeys(("1", "2", "3"), versions["after"]), running


def test_zookeeper_runs_the_new_release_beside_the_old(host):
    """The side effect upgraded ZooKeeper from ZOOKEEPER_PREVIOUS_VERSION (the converge's)
    to ZOOKEEPER_VERSION; the old release stays installed beside the new one."""
    current, previous = os.environ["ZOOKEEPER_VERSION"], os.environ["ZOOKEEPER_PREVIOUS_VERSION"]
    assert host.file("/opt/zookeeper").linked_to == f"/opt/apache-zookeeper-{current}-bin"
    assert host.file(f"/opt/apache-zookeeper-{previous}-bin/lib").is_directory
    stat = zookeeper_admin(host.backend.get_hostname(), "stat")
    assert stat["version"].startswith(f"{current}-"), stat["version"]


def test_zookeeper_was_upgraded_one_member_at_a_time_the_leader_last():
    """resources/zookeeper_upgrade.yml, under the side effect's load (whose report the
    rolling-restart test reads: no acknowledged message lost): each member restarted once,
    a second or more apart, and the member that led before the upgrade restarted last."""
    upgrade = json.loads(
        (Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "zookeeper-upgrade.json").read_text()
    )
    print(
        f"\nZooKeeper {upgrade['from']} -> {upgrade['to']}: restarted in the order"
        f" {upgrade['restart_order']}, leader before {upgrade['leader_before']}"
    )
    assert upgrade["from"] == os.environ["ZOOKEEPER_PREVIOUS_VERSION"]
    assert upgrade["to"] == os.environ["ZOOKEEPER_VERSION"]
    assert sorted(upgrade["restart_order"]) == NODES
    assert upgrade["restart_order"][-1] == upgrade["leader_before"]


def test_brokers_and_zookeeper_members_come_and_go_under_load():
    """Last (it changes the cluster): zkk-4, zkk-5 and zkk-6 join without a restart of
    the others, the data is spread over six brokers in three racks, the brokers restart
    rack by rack in three steps (and one at a time while a topic crowds a rack), zkk-2's
    broker is drained, stopped and its data left, zkk-4 and zkk-5 join the ZooKeeper
    ensemble one at a time and leave it again, while the load producer loses nothing."""
    scale_out_rebalance_and_decommission(
        ["zkk-4", "zkk-5", "zkk-6"],
        leaving="zkk-2",
        leaving_id=2,
        rack_restart=True,
        zookeeper_joining=["zkk-4", "zkk-5"],
    )
