"""Three Kafka 3.9 brokers registered in a three-node ZooKeeper ensemble under
the /kafka chroot, and the rolling restart under load (cluster_checks). The last
test adds the three spare hosts as brokers, restarts all six rack by rack, takes
zkk-2's broker out, and has two of them join the ZooKeeper ensemble and leave it
(scale_checks);
it changes the cluster, so it stays last."""

import json
import re

# Imported so pytest runs it as this scenario's check-mode test (once, no host).
from check_mode import (  # noqa: F401  # pylint: disable=unused-import
    test_check_mode_on_the_converged_hosts_changes_nothing,
)

# Imported so pytest collects them as this scenario's tests too.
from cluster_checks import (  # noqa: F401  # pylint: disable=unused-import
    test_every_broker_is_registered,
    test_replicated_topic_produced_through_one_broker_consumed_through_another,
    test_rolling_restart_under_load_lost_no_acknowledged_message,
)
from scale_checks import scale_out_rebalance_and_decommission

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
