"""playbooks/provision_ec2.yml and teardown_ec2.yml against a local moto server.

Provisioning twice creates nothing the second time; the security groups allow
exactly the intended traffic; the instances land in the right inventory groups
with their Kafka data volume; teardown removes the project's resources and
leaves another project's alone.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from aws_lab import inventory_listing, plain
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT = "datapipe-kafka-pipeline"
OTHER = "someone-else"


def playbook(name: str, env: dict, *extra: str) -> dict:
    result = subprocess.run(
        ["ansible-playbook", str(REPO_ROOT / "playbooks" / name), *extra],
        capture_output=True,
        text=True,
        env={**env, "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"},
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    return json.loads(result.stdout)["stats"]["localhost"]


def tagged(items, project=PROJECT):
    return [i for i in items if {"Key": "Project", "Value": project} in i.get("Tags", [])]


@pytest.fixture(scope="module")
def other_project(moto_server):
    """Another project's VPC, group, key pair and instance: teardown must not touch them."""
    client = moto_server.ec2()
    tags = [{"Key": "Project", "Value": OTHER}]
    vpc = client.create_vpc(
        CidrBlock="10.99.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": tags}]
    )["Vpc"]["VpcId"]
    group = client.create_security_group(
        GroupName=f"{OTHER}-web",
        Description="another project",
        VpcId=vpc,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": tags}],
    )["GroupId"]
    client.create_key_pair(
        KeyName=f"{OTHER}-key", TagSpecifications=[{"ResourceType": "key-pair", "Tags": tags}]
    )
    image = client.describe_images()["Images"][0]["ImageId"]
    instance = client.run_instances(
        ImageId=image,
        MinCount=1,
        MaxCount=1,
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [*tags, {"Key": "Role", "Value": "kafka_broker"}]}
        ],
    )["Instances"][0]["InstanceId"]
    return {"vpc": vpc, "group": group, "instance": instance, "image": image}


@pytest.fixture(scope="module")
def provisioned(moto_server, other_project, tmp_path_factory):
    public_key = tmp_path_factory.mktemp("ssh") / "id_ed25519.pub"
    public_key.write_bytes(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    )
    extra = [
        "-e",
        f"ec2_image_id={other_project['image']}",
        "-e",
        f"ec2_public_key_path={public_key}",
    ]
    first = playbook("provision_ec2.yml", moto_server.env, *extra)
    second = playbook("provision_ec2.yml", moto_server.env, *extra)
    return first, second


def test_second_run_changes_nothing(provisioned):
    first, second = provisioned
    assert first["changed"] > 0 and first["failures"] == 0
    assert second["changed"] == 0, second


def rules_of(group, names_by_id):
    """{(port, source)} allowed into a group; source is a group name or a CIDR."""
    rules = set()
    for permission in group["IpPermissions"]:
        for port in range(permission["FromPort"], permission["ToPort"] + 1):
            for pair in permission.get("UserIdGroupPairs", []):
                rules.add((port, names_by_id[pair["GroupId"]].removeprefix(f"{PROJECT}-")))
            for ip_range in permission.get("IpRanges", []):
                rules.add((port, ip_range["CidrIp"]))
    return rules


def test_security_groups_allow_exactly_the_intended_traffic(moto_server, provisioned):
    groups = tagged(moto_server.ec2().describe_security_groups()["SecurityGroups"])
    names_by_id = {g["GroupId"]: g["GroupName"] for g in groups}
    by_role = {g["GroupName"].removeprefix(f"{PROJECT}-"): g for g in groups}
    admin = ssh = ingest = "10.0.0.0/8"
    assert rules_of(by_role["zookeeper"], names_by_id) == {
        (2181, "zookeeper"),
        (2181, "kafka_broker"),
        (2888, "zookeeper"),
        (3888, "zookeeper"),
        (22, ssh),
    }
    assert rules_of(by_role["kafka_broker"], names_by_id) == {
        (9092, "kafka_broker"),
        (9092, "logstash_producer"),
        (9092, "logstash_consumer"),
        (9092, admin),
        (9093, "kafka_broker"),
        (22, ssh),
    }
    assert rules_of(by_role["logstash_producer"], names_by_id) == {(8080, ingest), (22, ssh)}
    assert rules_of(by_role["logstash_consumer"], names_by_id) == {(22, ssh)}


def test_instances_carry_role_tags_and_kafka_nodes_a_data_volume(moto_server, provisioned):
    reservations = moto_server.ec2().describe_instances(
        Filters=[
            {"Name": "tag:Project", "Values": [PROJECT]},
            {"Name": "instance-state-name", "Values": ["running"]},
        ]
    )["Reservations"]
    instances = [i for r in reservations for i in r["Instances"]]
    roles = sorted(next(t["Value"] for t in i["Tags"] if t["Key"] == "Role") for i in instances)
    assert roles == ["logstash_consumer", "logstash_producer"] + ["zookeeper kafka_broker"] * 3
    for instance in instances:
        devices = [m["DeviceName"] for m in instance["BlockDeviceMappings"]]
        role = next(t["Value"] for t in instance["Tags"] if t["Key"] == "Role")
        assert ("/dev/sdf" in devices) == ("kafka_broker" in role), (role, devices)


def test_inventory_groups_the_provisioned_instances(moto_server, provisioned):
    listing = inventory_listing(moto_server.env)
    assert len(listing["zookeeper"]["hosts"]) == 3
    assert listing["zookeeper"]["hosts"] == listing["kafka_broker"]["hosts"]
    assert len(listing["logstash_producer"]["hosts"]) == 1
    assert len(listing["logstash_consumer"]["hosts"]) == 1
    # site.yml mounts the volume provisioning attached, found by its NVMe name.
    hostvars = listing["_meta"]["hostvars"]
    for node in listing["kafka_broker"]["hosts"]:
        device = plain(hostvars[node]["kafka_data_device"])
        assert device.startswith("/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol"), device


def test_teardown_removes_only_the_project(moto_server, provisioned, other_project):
    playbook("teardown_ec2.yml", moto_server.env)
    client = moto_server.ec2()
    live = [
        i
        for r in client.describe_instances()["Reservations"]
        for i in r["Instances"]
        if i["State"]["Name"] != "terminated"
    ]
    assert [i["InstanceId"] for i in live] == [other_project["instance"]]
    assert tagged(client.describe_security_groups()["SecurityGroups"]) == []
    assert tagged(client.describe_vpcs()["Vpcs"]) == []
    assert tagged(client.describe_subnets()["Subnets"]) == []
    assert tagged(client.describe_key_pairs()["KeyPairs"]) == []
    assert other_project["vpc"] in [v["VpcId"] for v in client.describe_vpcs()["Vpcs"]]
    assert other_project["group"] in [
        g["GroupId"] for g in client.describe_security_groups()["SecurityGroups"]
    ]
    assert f"{OTHER}-key" in [k["KeyName"] for k in client.describe_key_pairs()["KeyPairs"]]
