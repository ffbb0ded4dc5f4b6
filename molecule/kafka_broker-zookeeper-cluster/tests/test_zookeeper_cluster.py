"""Three Kafka 3.9 brokers registered in a three-node ZooKeeper ensemble under
the /kafka chroot, and the rolling restart under load (cluster_checks). The last
test adds the three spare hosts as brokers, restarts all six rack by rack and takes
zkk-2's broker out (scale_checks);
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


def test_services_are_active(host):
    for service in ("zookeeper", "kafka"):
        assert host.service(service).is_running
        assert host.service(service).is_enabled


def test_brokers_join_take_their_share_restart_rack_by_rack_and_one_leaves_under_load():
    """Last (it changes the cluster): zkk-4, zkk-5 and zkk-6 join without a restart of
    the others, the data is spread over six brokers in three racks, the brokers restart
    rack by rack in three steps (and one at a time while a topic crowds a rack), zkk-2's
    broker is drained, stopped and its data left, while the load producer loses nothing."""
    scale_out_rebalance_and_decommission(
        ["zkk-4", "zkk-5", "zkk-6"], leaving="zkk-2", leaving_id=2, rack_restart=True
    )
