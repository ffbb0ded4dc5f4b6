"""Three KRaft nodes, secured (SASL_SSL, TLS between nodes, ACLs): one quorum of
three voters, every broker registered, replicated topics, strangers refused, the
pipeline's principals limited to their jobs, and the rolling restart under load
(cluster_checks)."""

import json
import re

# Imported so pytest runs it as this scenario's check-mode test (once, no host).
from check_mode import (  # noqa: F401  # pylint: disable=unused-import
    test_check_mode_on_the_converged_hosts_changes_nothing,
)

# Imported so pytest collects them as this scenario's tests too.
from cluster_checks import (  # noqa: F401  # pylint: disable=unused-import
    test_a_client_that_does_not_trust_the_cluster_ca_is_refused,
    test_a_client_without_credentials_is_refused,
    test_a_wrong_password_is_refused,
    test_each_pipeline_principal_may_do_its_job_and_nothing_else,
    test_every_broker_is_registered,
    test_no_password_or_private_key_is_readable_by_another_user,
    test_no_plaintext_listener_is_configured,
    test_replicated_topic_produced_through_one_broker_consumed_through_another,
    test_rolling_restart_under_load_lost_no_acknowledged_message,
    test_the_admin_gets_in,
    tool_config_args,
)

NODES = ["kraft-1", "kraft-2", "kraft-3"]


def test_node_is_a_combined_broker_and_controller_of_three_voters(host):
    config = host.file("/etc/kafka/server.properties").content_string
    assert "process.roles=broker,controller" in config
    node_id = NODES.index(host.backend.get_hostname()) + 1
    assert f"node.id={node_id}\n" in config
    voters = re.search(r"^controller.quorum.voters=(.*)$", config, re.M).group(1).split(",")
    assert [v.split("@")[0] for v in voters] == ["1", "2", "3"]
    assert "default.replication.factor=3" in config
    assert "min.insync.replicas=2" in config
    # kafka_broker_properties: a new key, and one that overrides the role's num.partitions=3.
    assert "log.retention.hours=72" in config
    assert re.findall(r"^num.partitions=(\d+)$", config, re.M) == ["6"]


def quorum_status(host):
    java_home = json.loads(host.file("/etc/ansible/facts.d/java.fact").content_string)["java_home"]
    address = host.interface("eth0").addresses[0]
    result = host.run(
        f"JAVA_HOME={java_home} /opt/kafka/bin/kafka-metadata-quorum.sh "
        f"--bootstrap-server {address}:9092 {tool_config_args(host)} describe --status"
    )
    assert result.rc == 0, result.stderr
    return dict(line.split(":", 1) for line in result.stdout.splitlines() if ":" in line)


def test_running_node_holds_the_short_kraft_lease(host):
    # The lease bounds every restart (a broker cannot register again before its
    # old lease runs out): the running process, not only the file, must use it.
    java_home = json.loads(host.file("/etc/ansible/facts.d/java.fact").content_string)["java_home"]
    address = host.interface("eth0").addresses[0]
    node_id = NODES.index(host.backend.get_hostname()) + 1
    result = host.run(
        f"JAVA_HOME={java_home} /opt/kafka/bin/kafka-configs.sh --bootstrap-server {address}:9092 "
        f"{tool_config_args(host)} --entity-type brokers --entity-name {node_id} --describe --all"
    )
    assert result.rc == 0, result.stderr
    assert re.search(r"^\s*broker.session.timeout.ms=4500 ", result.stdout, re.M), result.stdout
    assert re.search(r"^\s*broker.heartbeat.interval.ms=1000 ", result.stdout, re.M), result.stdout


def test_node_is_formatted_for_the_cluster_the_quorum_reports(host):
    meta = host.file("/var/lib/kafka/data/meta.properties").content_string
    on_disk = re.search(r"^cluster.id=(\S+)$", meta, re.M).group(1)
    status = quorum_status(host)
    # The quorum's cluster id is the cluster's; every node matching it means one id.
    assert status["ClusterId"].strip() == on_disk
    voters = status["CurrentVoters"]
    voter_ids = re.findall(r'"id": (\d+)', voters) or re.findall(r"\d+", voters)
    assert sorted(voter_ids) == ["1", "2", "3"]
    assert int(status["LeaderId"]) in (1, 2, 3)


def test_service_is_active(host):
    assert host.service("kafka").is_running
    assert host.service("kafka").is_enabled
