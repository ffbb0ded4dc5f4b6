"""Three KRaft nodes, secured (SASL_SSL, TLS between nodes, ACLs): one quorum of
three voters, every broker registered, replicated topics, strangers refused, the
pipeline's principals limited to their jobs, and the rolling restart under load
(cluster_checks). The last test makes the quorum dynamic and has the two spare hosts
join it as controllers and leave it, under load (scale_checks); it changes the
cluster, so it stays last."""

import json
import os
import re
import time
from pathlib import Path

# Imported so pytest runs it as this scenario's check-mode test (once, no host).
from check_mode import (  # noqa: F401  # pylint: disable=unused-import
    test_check_mode_on_the_converged_hosts_changes_nothing,
)

# Imported so pytest collects them as this scenario's tests too.
from cluster_checks import (  # noqa: F401  # pylint: disable=unused-import
    broker_addresses,
    client_settings,
    lost_messages,
    read_topic,
    running_install_dir,
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
from kafka import KafkaAdminClient
from scale_checks import (
    containers_by_group,
    finish_load,
    kraft_controllers_join_and_leave,
    start_load,
)

# The host checks are the cluster's; the spare hosts hold only Java until the last test.
testinfra_hosts = ["kafka_broker"]

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


def test_the_rolling_upgrade_left_every_node_on_the_new_release_beside_the_old(host):
    """The converge installed KAFKA_PREVIOUS_VERSION; the side effect's interrupted roll
    upgraded to KAFKA_VERSION under load (no acknowledged message lost: the rolling-restart
    test reads that load's report). Each node runs the new release; the old one stays
    installed beside it (a way back until metadata.version is raised)."""
    current, previous = os.environ["KAFKA_VERSION"], os.environ["KAFKA_PREVIOUS_VERSION"]
    assert running_install_dir(host) == [f"/opt/kafka_2.13-{current}"]
    assert host.file("/opt/kafka").linked_to == f"/opt/kafka_2.13-{current}"
    assert host.file(f"/opt/kafka_2.13-{previous}/libs").is_directory


def test_metadata_version_was_raised_to_the_new_release_only_after_the_roll():
    """finalize_upgrade.yml (side effect): refused while nodes ran the older release, then
    raised metadata.version to the highest level the new release supports."""
    levels = json.loads(
        (Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "metadata-levels.json").read_text()
    )
    admin = KafkaAdminClient(bootstrap_servers=broker_addresses(), **client_settings())
    try:
        feature = admin.describe_features()["metadata.version"]
    finally:
        admin.close()
    print(f"\nmetadata.version level {levels['before']} -> {levels['after']}")
    assert levels["before"] < levels["after"]
    assert feature["finalized"][1] == levels["after"] == feature["supported"][1]


def test_controllers_join_and_leave_a_dynamic_quorum_under_load():
    """kafka_broker_dynamic_quorum: the static quorum becomes dynamic, kraft-4 and kraft-5
    join it as controllers one at a time and leave it, the last one down, under the acks=all
    load producer: no acknowledged message lost, no partition seen without a leader."""
    work = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])
    bootstrap = [f"{address}:9092" for address in containers_by_group("kafka_broker").values()]
    spare = list(containers_by_group("spare_controller"))
    assert spare == ["kraft-4", "kraft-5"], spare
    process, report_path, stop = start_load(bootstrap, work)
    try:
        time.sleep(5)
        figures = kraft_controllers_join_and_leave(spare)
        time.sleep(5)
    finally:
        load = finish_load(process, report_path, stop)
    lost = lost_messages(load["acknowledged"], read_topic(bootstrap, load["topic"]))
    print(
        f"\nload over the KRaft quorum changes ({sum(figures.values()):.0f} s): sent"
        f" {load['sent']}, acknowledged {len(load['acknowledged'])}, lost {len(lost)}, partitions"
        f" seen without a leader {len(load['offline_observations'])} times in"
        f" {load['leader_checks']} checks"
    )
    assert load["sent"] > 500 and len(load["acknowledged"]) > 0.99 * load["sent"]
    assert lost == [], lost[:10]
    assert load["offline_observations"] == []
