"""playbooks/provision_ec2.yml and teardown_ec2.yml against a local moto server.

Without the address ranges allowed in from outside (SSH, Kafka's admin access,
the producer's ingest input), which have no default, the run stops before it
creates anything and names every missing one. Provisioning twice creates nothing
the second time; the security groups allow exactly the intended traffic, in and
out, for a secured cluster (SASL_SSL, the default, and SSL) and a plaintext one;
the instances require IMDSv2 and their EBS volumes are encrypted (with the KMS
key given); the instances land in the right inventory groups
with their Kafka data volume; each ZooKeeper/Kafka instance gets a NodeId tag
once, which the inventory reads as its ids and which survives the replacement
of other instances; each group is spread over three availability zones, with
public addresses (the seed's layout) or behind a NAT gateway per zone (the
private layout); a raised count adds only the new instances, a lowered one is
refused; teardown removes the project's resources and leaves another
project's alone. The tests run in file order on one moto server.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from aws_lab import AWS_INVENTORY, inventory_listing, plain
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT = "datapipe-kafka-pipeline"
OTHER = "someone-else"
# The address ranges the operator must give (documentation ranges, one each, so
# each rule shows where it comes from).
SSH = "198.51.100.0/24"
ADMIN = "203.0.113.0/24"
INGEST = "192.0.2.0/24"
RANGES = {"ec2_ssh_cidr": SSH, "ec2_admin_cidr": ADMIN, "ec2_ingest_cidr": INGEST}
ANYWHERE = "0.0.0.0/0"  # the documented default of the package mirrors' egress
KMS_KEY = "arn:aws:kms:eu-central-1:123456789012:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"


def run_playbook(name: str, env: dict, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["ansible-playbook", str(REPO_ROOT / "playbooks" / name), *extra],
        capture_output=True,
        text=True,
        env={**env, "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"},
        timeout=600,
        check=False,
    )


def playbook(name: str, env: dict, *extra: str) -> dict:
    result = run_playbook(name, env, *extra)
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
def base_args(other_project, tmp_path_factory):
    """The image and key of every provision_ec2.yml run in this module, no address ranges."""
    public_key = tmp_path_factory.mktemp("ssh") / "id_ed25519.pub"
    public_key.write_bytes(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    )
    return [
        "-e",
        f"ec2_image_id={other_project['image']}",
        "-e",
        f"ec2_public_key_path={public_key}",
    ]


def range_args(ranges: dict[str, str]) -> list[str]:
    return [arg for name, value in ranges.items() for arg in ("-e", f"{name}={value}")]


@pytest.fixture(scope="module")
def provision_args(base_args):
    """The extra arguments of every provision_ec2.yml run of the project in this module."""
    return [*base_args, *range_args(RANGES)]


def project_resources(client, project=PROJECT) -> dict[str, list]:
    """What provisioning made for ``project``, by kind (terminated instances left out)."""
    instances = [
        i["InstanceId"]
        for r in client.describe_instances(Filters=[{"Name": "tag:Project", "Values": [project]}])[
            "Reservations"
        ]
        for i in r["Instances"]
        if i["State"]["Name"] != "terminated"
    ]
    return {
        "vpcs": tagged(client.describe_vpcs()["Vpcs"], project),
        "subnets": tagged(client.describe_subnets()["Subnets"], project),
        "internet gateways": tagged(
            client.describe_internet_gateways()["InternetGateways"], project
        ),
        "security groups": tagged(client.describe_security_groups()["SecurityGroups"], project),
        "key pairs": tagged(client.describe_key_pairs()["KeyPairs"], project),
        "volumes": tagged(client.describe_volumes()["Volumes"], project),
        "instances": instances,
    }


def running_instances(client, project=PROJECT) -> list[dict]:
    reservations = client.describe_instances(
        Filters=[
            {"Name": "tag:Project", "Values": [project]},
            {"Name": "instance-state-name", "Values": ["running"]},
        ]
    )["Reservations"]
    return [i for r in reservations for i in r["Instances"]]


def tag(resource: dict, key: str) -> str | None:
    return next((t["Value"] for t in resource.get("Tags", []) if t["Key"] == key), None)


def default_route(client, subnet_id: str) -> dict:
    """The 0.0.0.0/0 route of the route table the subnet is associated with."""
    (table,) = client.describe_route_tables(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}]
    )["RouteTables"]
    (route,) = [r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
    return route


def refusal(result: subprocess.CompletedProcess) -> str:
    """The message of the task that stopped a provision_ec2.yml run."""
    assert result.returncode != 0, result.stdout[-4000:]
    for play in json.loads(result.stdout)["plays"]:
        for task in play["tasks"]:
            outcome = task["hosts"].get("localhost", {})
            if outcome.get("failed"):
                return outcome["msg"]
    raise AssertionError(f"no failed task:\n{result.stdout[-4000:]}")


# These run before anything of the project exists (file order).
@pytest.mark.parametrize(
    "missing",
    [
        ["ec2_ssh_cidr"],
        ["ec2_admin_cidr"],
        ["ec2_ingest_cidr"],
        ["ec2_ssh_cidr", "ec2_ingest_cidr"],
        ["ec2_ssh_cidr", "ec2_admin_cidr", "ec2_ingest_cidr"],
    ],
)
def test_a_missing_address_range_stops_the_run_before_anything_is_made(
    moto_server, base_args, missing
):
    given = {name: value for name, value in RANGES.items() if name not in missing}
    # An empty value counts as missing, as an unset one does.
    empty = ["-e", f"{missing[0]}="] if len(missing) > 1 else []
    result = run_playbook(
        "provision_ec2.yml", moto_server.env, *base_args, *range_args(given), *empty
    )
    message = refusal(result)
    named = re.match(r"Set ([^:]+):", message)
    assert named, message
    assert named.group(1).split(", ") == missing, message
    assert "There is no default; nothing was created or changed" in message
    assert all(not made for made in project_resources(moto_server.ec2()).values())


@pytest.mark.parametrize(
    "extra, named",
    [
        (["-e", "ec2_admin_cidr=203.0.113.7"], "203.0.113.7"),
        (["-e", '{"ec2_ssh_cidr": ["198.51.100.0/24", "anywhere"]}'], "anywhere"),
        (["-e", "kafka_broker_security_protocol=SASL_PLAINTEXT"], "not SASL_PLAINTEXT"),
    ],
)
def test_a_malformed_range_or_security_protocol_stops_the_run_before_anything_is_made(
    moto_server, provision_args, extra, named
):
    message = refusal(run_playbook("provision_ec2.yml", moto_server.env, *provision_args, *extra))
    assert named in message and "Nothing was created or changed" in message, message
    assert all(not made for made in project_resources(moto_server.ec2()).values())


@pytest.fixture(scope="module")
def provisioned(moto_server, provision_args):
    first = playbook("provision_ec2.yml", moto_server.env, *provision_args)
    second = playbook("provision_ec2.yml", moto_server.env, *provision_args)
    return first, second


def test_second_run_changes_nothing(provisioned):
    first, second = provisioned
    assert first["changed"] > 0 and first["failures"] == 0
    assert second["changed"] == 0, second


def rules_of(group, roles_by_id, direction="IpPermissions"):
    """{(port, peer)} a group lets in (or, with IpPermissionsEgress, out); the peer is a
    group's role or a CIDR. A rule for every protocol and port shows as ("all", peer)."""
    rules = set()
    for permission in group[direction]:
        if permission["IpProtocol"] == "-1":
            ports = ["all"]
        else:
            assert permission["IpProtocol"] == "tcp", permission
            ports = range(permission["FromPort"], permission["ToPort"] + 1)
        for port in ports:
            for pair in permission.get("UserIdGroupPairs", []):
                rules.add((port, roles_by_id[pair["GroupId"]]))
            for ip_range in permission.get("IpRanges", []):
                rules.add((port, ip_range["CidrIp"]))
            for ip_range in permission.get("Ipv6Ranges", []):
                rules.add((port, ip_range["CidrIpv6"]))
    return rules


def groups_of(client, project=PROJECT) -> dict[str, tuple[set, set]]:
    """Role -> (ingress, egress) of each of the project's security groups."""
    groups = tagged(client.describe_security_groups()["SecurityGroups"], project)
    roles_by_id = {g["GroupId"]: g["GroupName"].removeprefix(f"{project}-") for g in groups}
    return {
        roles_by_id[g["GroupId"]]: (
            rules_of(g, roles_by_id),
            rules_of(g, roles_by_id, "IpPermissionsEgress"),
        )
        for g in groups
    }


MIRRORS = {(443, ANYWHERE), (80, ANYWHERE)}


def test_security_groups_allow_exactly_the_intended_traffic(moto_server, provisioned):
    """A secured cluster (SASL_SSL, the default): TLS ports only, no 2181, each port only
    from (and to) the groups that use it, the operator's ranges, and the mirrors."""
    groups = groups_of(moto_server.ec2())
    assert sorted(groups) == sorted(
        ["zookeeper", "kafka_broker", "logstash_producer", "logstash_consumer"]
    )
    assert groups["zookeeper"] == (
        {
            (2182, "zookeeper"),
            (2182, "kafka_broker"),
            (2888, "zookeeper"),
            (3888, "zookeeper"),
            (22, SSH),
        },
        {(2182, "zookeeper"), (2888, "zookeeper"), (3888, "zookeeper"), *MIRRORS},
    )
    assert groups["kafka_broker"] == (
        {
            (9092, "logstash_producer"),
            (9092, "logstash_consumer"),
            (9092, ADMIN),
            (9094, "kafka_broker"),
            (9093, "kafka_broker"),
            (22, SSH),
        },
        {(2182, "zookeeper"), (9094, "kafka_broker"), (9093, "kafka_broker"), *MIRRORS},
    )
    assert groups["logstash_producer"] == (
        {(8080, INGEST), (22, SSH)},
        {(9092, "kafka_broker"), *MIRRORS},
    )
    assert groups["logstash_consumer"] == ({(22, SSH)}, {(9092, "kafka_broker"), *MIRRORS})


def network_args(project: str, *extra: str) -> list[str]:
    """Arguments of a run for another project of this module."""
    return ["-e", f"ec2_project={project}", *extra]


def test_a_plaintext_cluster_keeps_the_plaintext_ports(moto_server, provision_args):
    """PLAINTEXT: 9092 between brokers too, ZooKeeper on 2181, no 9094 or 2182. One node,
    whose volumes are encrypted with the KMS key given; teardown removes it all, NAT
    gateways and their Elastic IPs too. The same project carries the private layout
    (check_private_layout) and a scale-out from one node to three (check_scale_out)."""
    project = "datapipe-plaintext"
    node = {
        "name": "node",
        "roles": ["zookeeper", "kafka_broker"],
        "count": 1,
        "instance_type": "t3.large",
        "kafka_data_volume": True,
    }
    args = [
        *provision_args,
        *network_args(
            project,
            "-e",
            "kafka_broker_security_protocol=PLAINTEXT",
            "-e",
            f"ec2_ebs_kms_key_id={KMS_KEY}",
            "-e",
            "ec2_network_layout=private",
            "-e",
            json.dumps({"ec2_instance_groups": [node]}),
        ),
    ]
    assert playbook("provision_ec2.yml", moto_server.env, *args)["changed"] > 0
    client = moto_server.ec2()
    check_private_layout(client, project)
    groups = groups_of(client, project)
    assert groups["zookeeper"] == (
        {
            (2181, "zookeeper"),
            (2181, "kafka_broker"),
            (2888, "zookeeper"),
            (3888, "zookeeper"),
            (22, SSH),
        },
        {(2181, "zookeeper"), (2888, "zookeeper"), (3888, "zookeeper"), *MIRRORS},
    )
    assert groups["kafka_broker"] == (
        {
            (9092, "kafka_broker"),
            (9092, "logstash_producer"),
            (9092, "logstash_consumer"),
            (9092, ADMIN),
            (9093, "kafka_broker"),
            (22, SSH),
        },
        {(2181, "zookeeper"), (9092, "kafka_broker"), (9093, "kafka_broker"), *MIRRORS},
    )
    assert groups["logstash_producer"] == (
        {(8080, INGEST), (22, SSH)},
        {(9092, "kafka_broker"), *MIRRORS},
    )
    assert groups["logstash_consumer"] == ({(22, SSH)}, {(9092, "kafka_broker"), *MIRRORS})

    (instance,) = running_instances(client, project)
    assert instance["MetadataOptions"]["HttpTokens"] == "required"
    volumes = volumes_of(client, instance)
    assert sorted(volumes) == sorted([instance["RootDeviceName"], "/dev/sdf"])
    for device, volume in volumes.items():
        assert volume["Encrypted"] is True, device
        assert volume["KmsKeyId"] == KMS_KEY, device

    assert playbook("provision_ec2.yml", moto_server.env, *args)["changed"] == 0
    check_scale_out(moto_server, project, args, node)
    nat_addresses = {
        a["AllocationId"]
        for n in client.describe_nat_gateways()["NatGateways"]
        if tag(n, "Project") == project
        for a in n["NatGatewayAddresses"]
    }
    assert len(nat_addresses) == 3
    playbook("teardown_ec2.yml", moto_server.env, *network_args(project))
    assert all(not made for made in project_resources(client, project).values())
    assert [
        n["State"]
        for n in client.describe_nat_gateways()["NatGateways"]
        if tag(n, "Project") == project and n["State"] != "deleted"
    ] == []
    released = {a["AllocationId"] for a in client.describe_addresses()["Addresses"]}
    assert nat_addresses.isdisjoint(released)


def check_private_layout(client, project):
    """Private layout: the instances' subnets (one per zone) have no public addresses and
    route out through the NAT gateway of their own zone; each NAT gateway sits, with an
    Elastic IP, in a public subnet of that zone routed to the internet gateway."""
    subnets = tagged(client.describe_subnets()["Subnets"], project)
    private = [s for s in subnets if tag(s, "Tier") == "private"]
    public = [s for s in subnets if tag(s, "Tier") == "nat"]
    assert len(private) == 3 and len(public) == 3, [tag(s, "Tier") for s in subnets]
    zones = {s["AvailabilityZone"] for s in private}
    assert len(zones) == 3 and zones == {s["AvailabilityZone"] for s in public}
    (igw,) = tagged(client.describe_internet_gateways()["InternetGateways"], project)
    nat_gateways = {
        n["NatGatewayId"]: n
        for n in client.describe_nat_gateways()["NatGateways"]
        if tag(n, "Project") == project and n["State"] == "available"
    }
    assert len(nat_gateways) == 3
    zone_of_subnet = {s["SubnetId"]: s["AvailabilityZone"] for s in subnets}
    for nat in nat_gateways.values():
        assert zone_of_subnet[nat["SubnetId"]] in zones
        assert [a.get("PublicIp") for a in nat["NatGatewayAddresses"]] != [None]
    for subnet in public:
        assert default_route(client, subnet["SubnetId"])["GatewayId"] == igw["InternetGatewayId"]
    for subnet in private:
        assert subnet["MapPublicIpOnLaunch"] is False
        route = default_route(client, subnet["SubnetId"])
        nat = nat_gateways[route["NatGatewayId"]]
        assert zone_of_subnet[nat["SubnetId"]] == subnet["AvailabilityZone"]
    for instance in running_instances(client, project):
        assert not instance.get("PublicIpAddress"), instance["InstanceId"]
        assert instance["SubnetId"] in {s["SubnetId"] for s in private}


def check_scale_out(moto_server, project, args, node):
    """Raising the node count adds only the new instances, in the zones the group lacks,
    with the next node ids; the first node is not touched. Lowering the count below what
    runs stops the run before anything changes: nothing is terminated; so does another
    network layout than the VPC was made with."""
    client = moto_server.ec2()
    (first,) = running_instances(client, project)
    first_id = tag(first, "NodeId")
    grown = [*args, "-e", json.dumps({"ec2_instance_groups": [{**node, "count": 3}]})]
    assert playbook("provision_ec2.yml", moto_server.env, *grown)["changed"] > 0
    instances = {i["InstanceId"]: i for i in running_instances(client, project)}
    assert len(instances) == 3 and first["InstanceId"] in instances
    assert tag(instances[first["InstanceId"]], "NodeId") == first_id == "1"
    assert instances[first["InstanceId"]]["LaunchTime"] == first["LaunchTime"]
    assert sorted(tag(i, "NodeId") for i in instances.values()) == ["1", "2", "3"]
    assert len({i["Placement"]["AvailabilityZone"] for i in instances.values()}) == 3

    shrunk = [*args, "-e", json.dumps({"ec2_instance_groups": [{**node, "count": 2}]})]
    message = refusal(run_playbook("provision_ec2.yml", moto_server.env, *shrunk))
    assert "group node asks for 2 and has 3" in message, message
    assert "Nothing was created or changed" in message, message
    assert sorted(i["InstanceId"] for i in running_instances(client, project)) == sorted(instances)

    # A VPC keeps the layout it was made with: switching would move live instances' routes.
    switched = [*grown, "-e", "ec2_network_layout=public"]
    message = refusal(run_playbook("provision_ec2.yml", moto_server.env, *switched))
    assert "stay what the project's VPC was made with (private)" in message, message
    assert playbook("provision_ec2.yml", moto_server.env, *grown)["changed"] == 0


def test_ssl_opens_the_secured_ports_and_egress_follows_its_variables(moto_server, provision_args):
    """SSL (client certificates) opens what SASL_SSL opens. The mirrors' ranges and the
    extra egress rules are the operator's; an empty range closes the port. No instances.
    In the operator's own VPC and subnet (ec2_vpc_id, ec2_subnet_ids): no network is made."""
    project = "datapipe-ssl"
    client = moto_server.ec2()
    # Tagged with the project, so that teardown removes them with the rest.
    tags = [{"Key": "Project", "Value": project}]
    vpc = client.create_vpc(
        CidrBlock="10.77.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": tags}]
    )["Vpc"]["VpcId"]
    subnet = client.create_subnet(
        VpcId=vpc,
        CidrBlock="10.77.1.0/24",
        TagSpecifications=[{"ResourceType": "subnet", "Tags": tags}],
    )["Subnet"]["SubnetId"]
    settings = {
        "ec2_vpc_id": vpc,
        "ec2_subnet_ids": [subnet],
        "kafka_broker_security_protocol": "SSL",
        "ec2_instance_groups": [],
        "ec2_egress_https_cidrs": ["10.8.0.0/16", "10.9.0.0/16"],
        "ec2_egress_http_cidrs": [],
        "ec2_egress_extra_rules": {
            "logstash_consumer": [
                {"proto": "tcp", "ports": [9200], "cidr_ip": "10.20.0.0/16", "rule_desc": "es"}
            ]
        },
    }
    args = [*provision_args, *network_args(project, "-e", json.dumps(settings))]
    playbook("provision_ec2.yml", moto_server.env, *args)
    made = project_resources(client, project)
    assert [v["VpcId"] for v in made["vpcs"]] == [vpc]
    assert [s["SubnetId"] for s in made["subnets"]] == [subnet]
    assert made["internet gateways"] == []
    groups = groups_of(moto_server.ec2(), project)
    mirrors = {(443, "10.8.0.0/16"), (443, "10.9.0.0/16")}
    assert groups["zookeeper"] == (
        {
            (2182, "zookeeper"),
            (2182, "kafka_broker"),
            (2888, "zookeeper"),
            (3888, "zookeeper"),
            (22, SSH),
        },
        {(2182, "zookeeper"), (2888, "zookeeper"), (3888, "zookeeper"), *mirrors},
    )
    assert groups["kafka_broker"] == (
        {
            (9092, "logstash_producer"),
            (9092, "logstash_consumer"),
            (9092, ADMIN),
            (9094, "kafka_broker"),
            (9093, "kafka_broker"),
            (22, SSH),
        },
        {(2182, "zookeeper"), (9094, "kafka_broker"), (9093, "kafka_broker"), *mirrors},
    )
    assert groups["logstash_producer"] == (
        {(8080, INGEST), (22, SSH)},
        {(9092, "kafka_broker"), *mirrors},
    )
    assert groups["logstash_consumer"] == (
        {(22, SSH)},
        {(9092, "kafka_broker"), (9200, "10.20.0.0/16"), *mirrors},
    )
    assert playbook("provision_ec2.yml", moto_server.env, *args)["changed"] == 0
    playbook("teardown_ec2.yml", moto_server.env, *network_args(project))
    assert all(not made for made in project_resources(moto_server.ec2(), project).values())


def volumes_of(client, instance) -> dict[str, dict]:
    """Device name -> the EBS volume attached there."""
    ids = {m["Ebs"]["VolumeId"]: m["DeviceName"] for m in instance["BlockDeviceMappings"]}
    return {ids[v["VolumeId"]]: v for v in client.describe_volumes(VolumeIds=list(ids))["Volumes"]}


def test_instances_require_imdsv2_and_have_only_encrypted_volumes(moto_server, provisioned):
    client = moto_server.ec2()
    instances = running_instances(client)
    assert len(instances) == 5
    for instance in instances:
        metadata = instance["MetadataOptions"]
        assert metadata["HttpTokens"] == "required", metadata
        assert metadata["HttpEndpoint"] == "enabled", metadata
        assert metadata["HttpPutResponseHopLimit"] == 1, metadata
        volumes = volumes_of(client, instance)
        assert instance["RootDeviceName"] in volumes
        for device, volume in volumes.items():
            # No key given: the account's AWS-managed key, whatever moto names it.
            assert volume["Encrypted"] is True, (instance["InstanceId"], device)
            assert volume.get("KmsKeyId") != KMS_KEY


def test_instances_carry_role_tags_and_kafka_nodes_a_data_volume(moto_server, provisioned):
    instances = running_instances(moto_server.ec2())
    roles = sorted(tag(i, "Role") for i in instances)
    assert roles == ["logstash_consumer", "logstash_producer"] + ["zookeeper kafka_broker"] * 3
    for instance in instances:
        devices = [m["DeviceName"] for m in instance["BlockDeviceMappings"]]
        role = tag(instance, "Role")
        assert ("/dev/sdf" in devices) == ("kafka_broker" in role), (role, devices)


def test_public_layout_spreads_each_group_over_three_zones_with_public_addresses(
    moto_server, provisioned
):
    """The seed's layout (the default): three subnets in three zones, routed to the internet
    gateway; the nodes one per zone; every instance with a public address to reach the
    package mirrors; no NAT gateway."""
    client = moto_server.ec2()
    subnets = tagged(client.describe_subnets()["Subnets"])
    assert len(subnets) == 3
    assert len({s["AvailabilityZone"] for s in subnets}) == 3
    (igw,) = tagged(client.describe_internet_gateways()["InternetGateways"])
    for subnet in subnets:
        assert subnet["MapPublicIpOnLaunch"] is True, subnet["SubnetId"]
        assert default_route(client, subnet["SubnetId"])["GatewayId"] == igw["InternetGatewayId"]
    instances = running_instances(client)
    nodes = [i for i in instances if tag(i, "Group") == "node"]
    assert sorted(i["Placement"]["AvailabilityZone"] for i in nodes) == sorted(
        s["AvailabilityZone"] for s in subnets
    )
    for instance in instances:
        assert instance.get("PublicIpAddress"), instance["InstanceId"]
    vpc_ids = [v["VpcId"] for v in tagged(client.describe_vpcs()["Vpcs"])]
    assert (
        client.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": vpc_ids}])["NatGateways"]
        == []
    )


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


LIVE = ("pending", "running", "stopping", "stopped")


def project_instances(client, states=LIVE) -> dict[str, dict]:
    """The project's instances in ``states``: instance id -> {state, address, tags}."""
    reservations = client.describe_instances(
        Filters=[
            {"Name": "tag:Project", "Values": [PROJECT]},
            {"Name": "instance-state-name", "Values": list(states)},
        ]
    )["Reservations"]
    return {
        i["InstanceId"]: {
            "state": i["State"]["Name"],
            "address": i["PrivateIpAddress"],
            "tags": {t["Key"]: t["Value"] for t in i.get("Tags", [])},
        }
        for r in reservations
        for i in r["Instances"]
    }


def node_id_tags(client) -> dict[str, str | None]:
    """Instance id -> its NodeId tag (None without one), for every live project instance."""
    return {i: v["tags"].get("NodeId") for i, v in project_instances(client).items()}


def ids_of(listing) -> dict[str, tuple]:
    """Host (private address) -> (kafka_broker_node_id, zookeeper_id) as the inventory composes
    them; a missing variable is None."""
    return {
        host: (plain(v.get("kafka_broker_node_id")), plain(v.get("zookeeper_id")))
        for host, v in listing["_meta"]["hostvars"].items()
    }


def inventory_ids(env) -> dict[str, tuple]:
    return ids_of(inventory_listing(env))


def launch_by_hand(client, image, tags) -> str:
    """An instance of the project made outside provision_ec2.yml (another Group)."""
    return client.run_instances(
        ImageId=image,
        MinCount=1,
        MaxCount=1,
        TagSpecifications=[
            {
                "ResourceType": "instance",
                "Tags": [{"Key": k, "Value": v} for k, v in {"Project": PROJECT, **tags}.items()],
            }
        ],
    )["Instances"][0]["InstanceId"]


def test_cluster_members_get_node_ids_in_address_order_and_the_inventory_reads_them(
    moto_server, provisioned
):
    instances = project_instances(moto_server.ec2())
    members = sorted(
        (v for v in instances.values() if "kafka_broker" in v["tags"]["Role"]),
        key=lambda v: v["address"],
    )
    # The order the roles number hosts without an id in (sorted names), so an
    # untagged cluster keeps the ids it ran with.
    assert [m["tags"].get("NodeId") for m in members] == ["1", "2", "3"]
    others = [v for v in instances.values() if "kafka_broker" not in v["tags"]["Role"]]
    assert len(others) == 2
    assert all("NodeId" not in v["tags"] for v in others), others

    ids = inventory_ids(moto_server.env)
    for position, member in enumerate(members, start=1):
        assert ids[member["address"]] == (position, position)
    for other in others:
        assert ids[other["address"]] == (None, None)


def test_a_replacement_takes_the_lost_id_and_no_survivor_moves(
    moto_server, provisioned, provision_args
):
    client = moto_server.ec2()
    before = inventory_ids(moto_server.env)
    members = {
        i: v for i, v in project_instances(client).items() if "kafka_broker" in v["tags"]["Role"]
    }
    # Not the highest id: the replacement must fill the gap, not count on.
    lost = next(i for i, v in members.items() if v["tags"]["NodeId"] == "2")
    client.terminate_instances(InstanceIds=[lost])
    survivors = {v["address"]: before[v["address"]] for i, v in members.items() if i != lost}
    survivor_tags = {i: v["tags"]["NodeId"] for i, v in members.items() if i != lost}

    replaced = playbook("provision_ec2.yml", moto_server.env, *provision_args)
    assert replaced["changed"] > 0
    listing = inventory_listing(moto_server.env)
    brokers = set(listing["kafka_broker"]["hosts"])
    assert len(brokers) == 3
    after = ids_of(listing)
    for address, ids in survivors.items():
        assert after[address] == ids, address
    tags = node_id_tags(client)
    assert {i: tags[i] for i in survivor_tags} == survivor_tags
    (new,) = brokers - set(survivors)
    assert after[new] == (2, 2)
    assert all(2 not in ids for ids in survivors.values())


def test_a_node_id_once_given_is_never_changed_and_new_ids_fill_the_smallest_gap(
    moto_server, provisioned, provision_args
):
    client = moto_server.ec2()
    image = client.describe_images()["Images"][0]["ImageId"]
    members = {
        i: v for i, v in project_instances(client).items() if "kafka_broker" in v["tags"]["Role"]
    }
    # A member tagged earlier with an id that is not the smallest free one: 3 -> 7.
    kept = next(i for i, v in members.items() if v["tags"]["NodeId"] == "3")
    client.create_tags(Resources=[kept], Tags=[{"Key": "NodeId", "Value": "7"}])
    # A stopped instance still holds its id (3); a terminated one (4) does not.
    stopped = launch_by_hand(
        client, image, {"Role": "kafka_broker", "Group": "spare", "NodeId": "3"}
    )
    client.stop_instances(InstanceIds=[stopped])
    gone = launch_by_hand(client, image, {"Role": "kafka_broker", "Group": "gone", "NodeId": "4"})
    client.terminate_instances(InstanceIds=[gone])
    # A member made outside the playbook's groups, without an id.
    added = launch_by_hand(client, image, {"Role": "zookeeper kafka_broker", "Group": "extra"})
    before = node_id_tags(client)
    assert before[added] is None and before[kept] == "7" and before[stopped] == "3"

    playbook("provision_ec2.yml", moto_server.env, *provision_args, "--check")
    assert node_id_tags(client) == before

    tagged_run = playbook("provision_ec2.yml", moto_server.env, *provision_args)
    assert tagged_run["changed"] == 1, tagged_run
    after = node_id_tags(client)
    # Held: 1, 2, 7 and the stopped 3; the smallest free is 4.
    assert after == {**before, added: "4"}
    assert project_instances(client)[stopped]["state"] == "stopped"

    instances = project_instances(client)
    ids = inventory_ids(moto_server.env)
    assert ids[instances[kept]["address"]] == (7, 7)
    assert ids[instances[added]["address"]] == (4, 4)

    again = playbook("provision_ec2.yml", moto_server.env, *provision_args)
    assert again["changed"] == 0, again
    assert node_id_tags(client) == after


def test_a_duplicate_or_malformed_node_id_stops_the_run_and_is_left_alone(
    moto_server, provisioned, provision_args
):
    client = moto_server.ec2()
    image = client.describe_images()["Images"][0]["ImageId"]
    twin = launch_by_hand(client, image, {"Role": "kafka_broker", "Group": "twin", "NodeId": "1"})
    odd = launch_by_hand(client, image, {"Role": "zookeeper", "Group": "odd", "NodeId": "one"})
    newcomer = launch_by_hand(client, image, {"Role": "kafka_broker", "Group": "newcomer"})
    before = node_id_tags(client)

    result = run_playbook("provision_ec2.yml", moto_server.env, *provision_args)
    assert result.returncode != 0
    assert f"{twin}=1" in result.stdout and f"{odd}=one" in result.stdout, result.stdout[-4000:]
    # Nothing is renumbered, and no one is numbered while the ids are in doubt.
    assert node_id_tags(client) == before
    assert before[newcomer] is None

    client.terminate_instances(InstanceIds=[twin, odd, newcomer])


def test_growing_a_data_volume_enlarges_exactly_that_volume_and_never_shrinks_one(
    moto_server, provisioned
):
    """grow_data_volume.yml's EC2 step on one broker of the aws_ec2 inventory: check mode
    changes nothing, the real run enlarges that broker's data volume and no other, a
    re-run changes nothing, a smaller size is refused before anything changes."""
    client = moto_server.ec2()
    listing = inventory_listing(moto_server.env)

    def data_volume(host):
        return next(
            (
                plain(m["ebs"]["volume_id"])
                for m in listing["_meta"]["hostvars"][host]["block_device_mappings"]
                if plain(m["device_name"]) == "/dev/sdf"
            ),
            None,
        )

    target = next(h for h in sorted(listing["kafka_broker"]["hosts"]) if data_volume(h))

    def sizes():
        return {v["VolumeId"]: v["Size"] for v in client.describe_volumes()["Volumes"]}

    def grow(size: int, *extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                "ansible-playbook",
                "-i",
                str(AWS_INVENTORY),
                str(REPO_ROOT / "tests" / "integration" / "playbooks" / "grow_ebs_volume.yml"),
                "-e",
                f"grow_data_volume_hosts={target}",
                "-e",
                f"grow_data_volume_size_gib={size}",
                *extra,
            ],
            capture_output=True,
            text=True,
            env={**moto_server.env, "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"},
            timeout=600,
            check=False,
        )

    def changed(result: subprocess.CompletedProcess) -> int:
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
        return json.loads(result.stdout)["stats"][target]["changed"]

    before = sizes()
    volume = data_volume(target)
    assert before[volume] == 100  # ec2_kafka_volume_size
    assert changed(grow(150, "--check")) == 1
    assert sizes() == before
    assert changed(grow(150)) == 1
    assert sizes() == {**before, volume: 150}
    (grown,) = client.describe_volumes(VolumeIds=[volume])["Volumes"]
    assert grown["VolumeType"] == "gp3" and grown["Encrypted"] is True
    assert tag(grown, "Project") == PROJECT  # teardown still finds it
    assert changed(grow(150)) == 0
    shrink = grow(120)
    assert shrink.returncode != 0
    assert "would shrink it, which EBS cannot do. Nothing was changed." in shrink.stdout
    assert sizes() == {**before, volume: 150}


def test_decommission_terminates_exactly_the_instance_asked_for_and_its_volume(
    moto_server, provisioned
):
    """decommission.yml's last step on one broker of the aws_ec2 inventory: that instance
    is terminated and its data volume deleted; every other instance and volume stays."""
    client = moto_server.ec2()
    listing = inventory_listing(moto_server.env)

    def data_volumes(host):
        return [
            plain(m["ebs"]["volume_id"])
            for m in listing["_meta"]["hostvars"][host]["block_device_mappings"]
            if plain(m["device_name"]) == "/dev/sdf"
        ]

    # A broker provision_ec2.yml made (the earlier tests also launch brokers by hand,
    # without a data volume).
    target = next(h for h in sorted(listing["kafka_broker"]["hosts"]) if data_volumes(h))
    hostvars = listing["_meta"]["hostvars"][target]
    instance_id = plain(hostvars["instance_id"])
    (data_volume,) = data_volumes(target)
    live_before = set(project_instances(client))
    volumes_before = {v["VolumeId"] for v in client.describe_volumes()["Volumes"]}
    assert instance_id in live_before and data_volume in volumes_before

    completed = subprocess.run(
        [
            "ansible-playbook",
            "-i",
            str(AWS_INVENTORY),
            str(REPO_ROOT / "tests" / "integration" / "playbooks" / "terminate_instance.yml"),
            "-e",
            f"decommission_hosts={target}",
        ],
        capture_output=True,
        text=True,
        env=moto_server.env,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    assert set(project_instances(client)) == live_before - {instance_id}
    (gone,) = client.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"]
    assert gone["State"]["Name"] == "terminated"
    volumes_after = {
        v["VolumeId"] for v in client.describe_volumes()["Volumes"] if v["State"] != "deleted"
    }
    its_volumes = {plain(m["ebs"]["volume_id"]) for m in hostvars["block_device_mappings"]}
    assert data_volume not in volumes_after
    assert volumes_before - its_volumes <= volumes_after <= volumes_before


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
