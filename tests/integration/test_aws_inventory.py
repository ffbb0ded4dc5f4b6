"""inventories/aws/aws_ec2.yml against a local moto server (loopback only).

Instances of this project in several roles (and running ones only), stopped ones,
and another project's must land in exactly the right groups of
`ansible-inventory --graph`, named by private address; node ids come from the
NodeId tag and only from it; a broker's rack is its availability zone.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from aws_lab import inventory_listing, plain

REPO_ROOT = Path(__file__).resolve().parents[2]
INVENTORY = REPO_ROOT / "inventories" / "aws" / "aws_ec2.yml"
PROJECT = "datapipe-kafka-pipeline"
GROUPS = ["zookeeper", "kafka_broker", "logstash_producer", "logstash_consumer"]


def launch(client, image, project, role, count=1, *, node_id=None, zone="eu-central-1a"):
    tags = [{"Key": "Project", "Value": project}, {"Key": "Role", "Value": role}]
    if node_id is not None:
        tags.append({"Key": "NodeId", "Value": node_id})
    reservation = client.run_instances(
        ImageId=image,
        MinCount=count,
        MaxCount=count,
        InstanceType="t3.micro",
        Placement={"AvailabilityZone": zone},
        TagSpecifications=[{"ResourceType": "instance", "Tags": tags}],
    )
    return [(i["InstanceId"], i["PrivateIpAddress"]) for i in reservation["Instances"]]


@pytest.fixture(scope="module")
def instances(moto_server):
    client = moto_server.ec2()
    image = client.describe_images()["Images"][0]["ImageId"]
    nodes = "zookeeper kafka_broker"
    made = {
        # Two members with a node id (not their position), one without.
        # One per availability zone, as provision_ec2.yml spreads them.
        "nodes": launch(client, image, PROJECT, nodes, node_id="12", zone="eu-central-1a")
        + launch(client, image, PROJECT, nodes, node_id="3", zone="eu-central-1b")
        + launch(client, image, PROJECT, nodes, zone="eu-central-1c"),
        "producer": launch(client, image, PROJECT, "logstash_producer"),
        # A hand-made tag that is no number.
        "consumer": launch(client, image, PROJECT, "logstash_consumer", node_id="three"),
        "stopped": launch(client, image, PROJECT, "kafka_broker"),
        "other_project": launch(client, image, "someone-else", "kafka_broker"),
    }
    client.stop_instances(InstanceIds=[made["stopped"][0][0]])
    # Each node's Kafka data volume, attached as provision_ec2.yml attaches it.
    made["data_volumes"] = {}
    for instance_id, address in made["nodes"]:
        zone = client.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][
            0
        ]["Placement"]["AvailabilityZone"]
        volume = client.create_volume(AvailabilityZone=zone, Size=10, VolumeType="gp3")
        client.attach_volume(VolumeId=volume["VolumeId"], InstanceId=instance_id, Device="/dev/sdf")
        made["data_volumes"][address] = volume["VolumeId"]
    return made


def inventory(env):
    return inventory_listing(env)


def hosts_of(listing, group):
    return sorted(listing.get(group, {}).get("hosts", []))


def test_each_role_group_holds_exactly_its_running_instances(moto_server, instances):
    listing = inventory(moto_server.env)
    nodes = sorted(ip for _id, ip in instances["nodes"])
    assert hosts_of(listing, "zookeeper") == nodes
    assert hosts_of(listing, "kafka_broker") == nodes
    assert hosts_of(listing, "logstash_producer") == [instances["producer"][0][1]]
    assert hosts_of(listing, "logstash_consumer") == [instances["consumer"][0][1]]
    every_host = set(listing["_meta"]["hostvars"])
    assert instances["stopped"][0][1] not in every_host
    assert instances["other_project"][0][1] not in every_host
    assert len(every_host) == 5


def test_hosts_are_reached_and_advertised_by_private_address(moto_server, instances):
    hostvars = inventory(moto_server.env)["_meta"]["hostvars"]
    for _instance_id, address in instances["nodes"]:
        assert plain(hostvars[address]["ansible_host"]) == address
        assert plain(hostvars[address]["kafka_broker_advertised_host"]) == address


def test_graph_shows_the_role_groups(moto_server, instances):
    graph = subprocess.run(
        ["ansible-inventory", "-i", str(INVENTORY), "--graph"],
        capture_output=True,
        text=True,
        env=moto_server.env,
        timeout=120,
        check=True,
    ).stdout
    for group in GROUPS:
        assert f"@{group}:" in graph


def test_nodes_name_their_data_volume_by_its_stable_nvme_path(moto_server, instances):
    hostvars = inventory(moto_server.env)["_meta"]["hostvars"]
    for address, volume_id in instances["data_volumes"].items():
        expected = "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_" + volume_id.replace("-", "")
        assert plain(hostvars[address]["kafka_data_device"]) == expected
    # No data volume, no device: site.yml leaves their disks alone.
    for role in ("producer", "consumer"):
        assert "kafka_data_device" not in hostvars[instances[role][0][1]]


def test_group_vars_declare_the_seed_topic_for_the_brokers(moto_server, instances):
    hostvars = inventory(moto_server.env)["_meta"]["hostvars"]
    node = hostvars[instances["nodes"][0][1]]
    assert node["kafka_topics"] == [
        {"name": "twitter", "partitions": 3, "replication_factor": 3, "retention_bytes": 100000000}
    ]
    assert node["kafka_broker_metadata_mode"] == "zookeeper"
    assert "kafka_topics" not in hostvars[instances["producer"][0][1]]


def test_node_ids_come_from_the_node_id_tag_only(moto_server, instances):
    hostvars = inventory(moto_server.env)["_meta"]["hostvars"]
    (_id_12, tagged_12), (_id_3, tagged_3), (_id_untagged, untagged) = instances["nodes"]
    for address, node_id in ((tagged_12, 12), (tagged_3, 3)):
        assert plain(hostvars[address]["kafka_broker_node_id"]) == node_id
        assert plain(hostvars[address]["zookeeper_id"]) == node_id
    # No tag, no variable (not a broken one): the roles decide for that host.
    for address in (untagged, instances["producer"][0][1]):
        assert "kafka_broker_node_id" not in hostvars[address]
        assert "zookeeper_id" not in hostvars[address]
    # A tag that is not a number reaches the roles as it is (they refuse it), never as 0.
    consumer = hostvars[instances["consumer"][0][1]]
    assert plain(consumer["kafka_broker_node_id"]) == "three"
    assert plain(consumer["zookeeper_id"]) == "three"


def test_each_broker_takes_its_availability_zone_as_its_rack(moto_server, instances):
    hostvars = inventory(moto_server.env)["_meta"]["hostvars"]
    racks = [plain(hostvars[address]["kafka_broker_rack"]) for _id, address in instances["nodes"]]
    assert racks == ["eu-central-1a", "eu-central-1b", "eu-central-1c"]
