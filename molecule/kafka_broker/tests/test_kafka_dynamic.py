"""The scenario's second cluster: one plaintext KRaft node whose controller quorum is
dynamic from its first start (kafka_broker_dynamic_quorum, KIP-853). It was formatted
with its initial controller and a directory id derived from the cluster id, finds the
quorum through controller.quorum.bootstrap.servers (a file of its own, read through a
config provider), and runs at kraft.version 1, with the role's quorum tool at hand."""

import base64
import re
import uuid

from kafka import KafkaAdminClient
from scale_checks import QUORUM_TOOL

testinfra_hosts = ["kafka_dynamic"]

# ansible.builtin.to_uuid's namespace: the role derives each initial controller's
# directory id from "<cluster id>/<node id>" with it.
ANSIBLE_UUID_NAMESPACE = uuid.UUID("361E6D51-FAEC-444A-9079-341386DA8E2E")


def quorum_tool(host, tool_class, *arguments):
    result = host.run(
        " ".join(["runuser", "-u", "kafka", "--", QUORUM_TOOL, tool_class, *arguments])
    )
    assert result.rc == 0, result.stdout + result.stderr
    return result.stdout


def test_the_node_finds_the_quorum_through_its_bootstrap_servers_file(host):
    config = host.file("/etc/kafka/server.properties").content_string
    assert "controller.quorum.voters" not in config
    lines = set(config.splitlines())
    assert {
        "controller.quorum.bootstrap.servers=${dir:/etc/kafka/quorum:bootstrap-servers}",
        "config.providers=dir",
        "config.providers.dir.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider",
        "process.roles=broker,controller",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    } <= lines
    bootstrap = host.file("/etc/kafka/quorum/bootstrap-servers")
    address = host.interface("eth0").addresses[0]
    assert bootstrap.content_string == f"{address}:9093"
    assert (bootstrap.user, bootstrap.group, bootstrap.mode) == ("root", "kafka", 0o640)
    tool = host.file(QUORUM_TOOL)
    assert (tool.user, tool.group, tool.mode) == ("root", "kafka", 0o750)


def test_the_cluster_runs_at_kraft_version_1(host):
    features = quorum_tool(host, "org.apache.kafka.tools.FeatureCommand", "describe")
    assert re.search(r"Feature: kraft\.version\s.*FinalizedVersionLevel: 1\s", features), features


def test_the_one_voter_is_the_node_with_the_directory_it_was_formatted_with(host):
    meta = host.file("/var/lib/kafka/data/meta.properties").content_string
    cluster_id = re.search(r"^cluster\.id=(\S+)$", meta, re.M).group(1)
    directory_id = re.search(r"^directory\.id=(\S+)$", meta, re.M).group(1)
    derived = uuid.uuid5(ANSIBLE_UUID_NAMESPACE, f"{cluster_id}/1").bytes
    assert directory_id == base64.urlsafe_b64encode(derived).decode().rstrip("=")
    status = quorum_tool(
        host, "org.apache.kafka.tools.MetadataQuorumCommand", "describe", "--status"
    )
    voters = re.search(r"^CurrentVoters:\s*(.*)$", status, re.M).group(1)
    assert re.findall(r'"id": (\d+), "directoryId": "([^"]+)"', voters) == [("1", directory_id)]


def test_the_broker_serves_clients(kafka_address):
    admin = KafkaAdminClient(bootstrap_servers=kafka_address, request_timeout_ms=10000)
    try:
        assert [b["broker_id"] for b in admin.describe_cluster()["brokers"]] == [1]
    finally:
        admin.close()
