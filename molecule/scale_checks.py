"""Shared verifier steps: brokers join a running cluster and take their share of the
data, then one of the original brokers is taken out, all under the acks=all load
producer (issue: scale up and down freely).

A scenario that uses them lists spare hosts in its molecule.yml (group spare_broker:
they get Java at converge and nothing else) and calls
``scale_out_rebalance_and_decommission`` from its last test, because it changes the
cluster: afterwards the spare hosts are brokers and one original broker is stopped.

1. converge.yml runs over the scenario's inventory plus one that puts the spare hosts in
   kafka_broker: they install, start and register; the original brokers keep their
   processes (no restart).
2. playbooks/rebalance.yml spreads the replicas over every broker: replicas within one of
   the mean per broker, overall and per topic, and preferred leaders within one.
   With racks (``rack_restart``): playbooks/rolling_restart.yml with
   kafka_broker_restart_by_rack first refuses to go rack by rack while one topic has
   two replicas in one rack (check mode: the plan is one broker at a time and names
   the topic), then, with that topic gone, restarts every broker in one step per rack.
3. playbooks/decommission.yml takes out one original broker: no partition keeps a replica
   on it, it is no longer registered, its Kafka service is stopped and disabled, its data
   directory is still there, and ZooKeeper on the same host keeps running.
   With ``zookeeper_joining`` (3b): two spare hosts join the three-member ZooKeeper
   ensemble one at a time (dynamic reconfiguration; check mode shows the plan, a bad
   super user password and a secured ensemble are refused, nothing changed by either),
   then leave it (the last of them down, as a failed member): five voters, then three
   again, the leavers' ZooKeeper stopped and disabled, their data kept, the other members
   and Kafka not restarted.
4. The load producer's acknowledged messages are all read back: none lost, and no
   partition was seen without a leader.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import docker
import yaml
from cluster_checks import client_settings, lost_messages, read_topic
from kafka import KafkaAdminClient
from kafka.admin import NewTopic

REPO_ROOT = Path(__file__).resolve().parents[1]
PLAYBOOKS = REPO_ROOT / "playbooks"


def containers_by_group(group: str) -> dict[str, str]:
    """name: address of the scenario's platforms in ``group``, in platform order."""
    scenario = Path(os.environ["MOLECULE_SCENARIO_DIRECTORY"])
    platforms = yaml.safe_load((scenario / "molecule.yml").read_text())["platforms"]
    client = docker.from_env()
    found = {}
    for platform in platforms:
        if group in platform.get("groups", []):
            networks = client.containers.get(platform["name"]).attrs["NetworkSettings"]["Networks"]
            found[platform["name"]] = next(iter(networks.values()))["IPAddress"]
    return found


def in_container(name: str, *argv: str) -> str:
    result = docker.from_env().containers.get(name).exec_run(list(argv))
    return result.output.decode(errors="replace").strip()


def service_state(name: str, service: str) -> dict[str, str]:
    """MainPID, ActiveState and UnitFileState of a systemd service in a container. A busy
    systemd can fail to answer (a D-Bus timeout): asked up to ten times, a second apart."""
    for _attempt in range(10):
        output = in_container(
            name, "systemctl", "show", "-p", "MainPID,ActiveState,UnitFileState", service
        )
        state = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
        if "ActiveState" in state and "MainPID" in state:
            return state
        time.sleep(1)
    raise AssertionError(f"systemctl show {service} on {name} answered {output!r}")


def run_playbook(
    playbook: Path,
    spare: list[str],
    *extra: str,
    expect_failure: bool = False,
    zookeeper: list[str] = (),
    controllers: list[str] = (),
) -> tuple[float, str]:
    """ansible-playbook over the scenario's inventory plus the spare hosts (if any) as
    brokers, the ``zookeeper`` hosts as more members of the ensemble, and ``controllers``
    as the KRaft controller group (dedicated controllers, with the brokers that are
    controllers too). Returns its time and output (stdout and stderr); fails the test on a
    failed run, or with ``expect_failure`` on one that succeeded."""
    work = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])
    inventories = ["-i", str(Path(os.environ["MOLECULE_INVENTORY_FILE"]).parent)]
    if spare or zookeeper or controllers:
        joined = work / "scale-inventory.yml"
        children = {"kafka_broker": {"hosts": {h: {} for h in spare}}}
        if zookeeper:
            children["zookeeper"] = {"hosts": {h: {} for h in zookeeper}}
        if controllers:
            children["kafka_controller"] = {"hosts": {h: {} for h in controllers}}
        joined.write_text(yaml.safe_dump({"all": {"children": children}}))
        inventories += ["-i", str(joined)]
    # The configuration the scenario ends in (see check_mode.py), so that nothing else changes.
    side_effect_vars = Path(os.environ["MOLECULE_SCENARIO_DIRECTORY"]) / "vars" / "side_effect.yml"
    if side_effect_vars.exists():
        extra = ("-e", f"@{side_effect_vars}", *extra)
    started = time.monotonic()
    completed = subprocess.run(
        ["ansible-playbook", *inventories, str(playbook), *extra],
        env={**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0"},
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    seconds = time.monotonic() - started
    output = completed.stdout + completed.stderr
    if expect_failure:
        assert completed.returncode != 0, completed.stdout[-4000:]
    else:
        assert completed.returncode == 0, completed.stdout[-12000:] + completed.stderr[-3000:]
    return seconds, output


def cluster_view(bootstrap: list[str]) -> tuple[dict, dict, list[int]]:
    """{(topic, partition): replicas}, {(topic, partition): leader} and the registered
    broker ids, as the cluster shows them."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, **client_settings())
    try:
        replicas, leaders = {}, {}
        for topic in admin.describe_topics():
            for p in topic["partitions"]:
                key = (topic["name"], p["partition_index"])
                replicas[key] = list(p["replica_nodes"])
                leaders[key] = p["leader_id"]
        brokers = sorted(b["broker_id"] for b in admin.describe_cluster()["brokers"])
    finally:
        admin.close()
    return replicas, leaders, brokers


def spreads(replicas: dict, brokers: list[int]) -> dict[str, int]:
    """The widest difference between two brokers' counts: replicas overall, replicas of
    the topic where it is widest, preferred leaders (first replica)."""

    def spread(counts):
        return max(counts[b] for b in brokers) - min(counts[b] for b in brokers)

    overall = dict.fromkeys(brokers, 0)
    preferred = dict.fromkeys(brokers, 0)
    per_topic: dict[str, dict[int, int]] = {}
    for (topic, _partition), holders in replicas.items():
        preferred[holders[0]] += 1
        for broker in holders:
            overall[broker] += 1
            per_topic.setdefault(topic, dict.fromkeys(brokers, 0))[broker] += 1
    return {
        "replicas": spread(overall),
        "widest topic": max(spread(counts) for counts in per_topic.values()),
        "preferred leaders": spread(preferred),
    }


def start_load(
    bootstrap: list[str], work: Path, replication_factor: int = 3
) -> tuple[subprocess.Popen, Path, Path]:
    report, stop = work / "scale-load-report.json", work / "scale-load-stop"
    for path in (report, stop):
        path.unlink(missing_ok=True)
    process = subprocess.Popen(
        [
            sys.executable,
            str(REPO_ROOT / "tests" / "lab" / "load_producer.py"),
            *("--bootstrap", ",".join(bootstrap)),
            *("--topic", f"scale-load-{int(time.time())}"),
            *("--report", str(report)),
            *("--stop-file", str(stop)),
            # Bounded: at most 15 minutes and 45,000 messages (the producer's default
            # rate, 50 a second); the test stops it earlier.
            *("--max-seconds", "900", "--max-messages", "45000"),
            *("--client-config", str(work / "kafka-client.json")),
            *("--replication-factor", str(replication_factor)),
        ]
    )
    return process, report, stop


def finish_load(process: subprocess.Popen, report: Path, stop: Path) -> dict:
    stop.touch()
    process.wait(timeout=120)
    return json.loads(report.read_text())


def restart_rack_by_rack(spare: list[str], everyone: list[str], brokers: dict[str, str]) -> float:
    """Step 2's rack-by-rack restart (``brokers``: name -> address of every broker, racks
    as the scenario's host variables give them); returns the restart's time."""
    restart = PLAYBOOKS / "rolling_restart.yml"
    by_rack = ("-e", "kafka_broker_restart_by_rack=true")
    pids = {name: service_state(name, "kafka")["MainPID"] for name in brokers}
    ids = {b["host"]: b["broker_id"] for b in describe_brokers(everyone)}
    by_address = {address: name for name, address in brokers.items()}
    id_of = {by_address[host]: broker_id for host, broker_id in ids.items()}
    # Two replicas in the first rack (zkk-1 and zkk-4): that rack may not stop at once.
    crowded = f"rack-crowded-{int(time.time())}"
    admin = KafkaAdminClient(bootstrap_servers=everyone, **client_settings())
    try:
        crowding = [id_of["zkk-1"], id_of["zkk-4"], id_of["zkk-2"]]
        admin.create_topics([NewTopic(crowded, replica_assignments={0: crowding})])
        _seconds, refused = run_playbook(restart, spare, *by_rack, "--check")
        admin.delete_topics([crowded])
        deadline = time.monotonic() + 60
        while crowded in admin.list_topics():
            assert time.monotonic() < deadline, f"{crowded} was not deleted in 60 s"
            time.sleep(1)
    finally:
        admin.close()
    assert f"({len(brokers)} step(s), one node at a time, because" in refused, refused[-3000:]
    assert f"{crowded}-0 (isr" in refused, refused[-3000:]
    assert {name: service_state(name, "kafka")["MainPID"] for name in brokers} == pids

    seconds, output = run_playbook(restart, spare, *by_rack)
    racks = [f"{a} + {b}" for a, b in (("zkk-1", "zkk-4"), ("zkk-2", "zkk-5"), ("zkk-3", "zkk-6"))]
    plan = f"Restart plan: {', then '.join(racks)} (3 step(s), the brokers of each rack together"
    print(f"\nrack-by-rack restart of {len(brokers)} brokers in {seconds:.0f} s: {plan}")
    assert plan in output, output[-4000:]
    after = {name: service_state(name, "kafka")["MainPID"] for name in brokers}
    assert all(after[name] != pids[name] for name in brokers), (pids, after)
    return seconds


def zookeeper_admin(name: str, command: str) -> dict:
    """A ZooKeeper AdminServer command (it listens on the member's loopback only)."""
    url = f"http://127.0.0.1:8080/commands/{command}"
    script = (
        f"import urllib.request; print(urllib.request.urlopen({url!r}, timeout=5).read().decode())"
    )
    return json.loads(in_container(name, "python3", "-c", script))


def zookeeper_voters(name: str) -> list[int]:
    return sorted(int(i) for i in zookeeper_admin(name, "voting_view")["current_config"])


def zookeeper_states(members: list[str]) -> list[str]:
    return sorted(zookeeper_admin(m, "stat")["server_stats"]["server_state"] for m in members)


def zookeeper_members_join_and_leave(spare: list[str], joining: list[str]) -> dict[str, float]:
    """Step 3b: ``joining`` (brokers by now) join the three-member ZooKeeper ensemble one at
    a time through dynamic reconfiguration, then leave it, while Kafka runs on (its
    processes untouched). Check mode first shows the plan and changes nothing; a run
    without a usable super user password is refused before anything changes. Returns the
    times of the joins and of the leaves."""
    playbook = REPO_ROOT / "molecule" / "resources" / "zookeeper_members.yml"
    members = list(containers_by_group("zookeeper"))
    brokers = [*containers_by_group("kafka_broker"), *spare]
    kafka_pids = {name: service_state(name, "kafka")["MainPID"] for name in brokers}
    zookeeper_pids = {name: service_state(name, "zookeeper")["MainPID"] for name in members}
    original = zookeeper_voters(members[0])
    assert original == [1, 2, 3], original
    new_ids = list(range(4, 4 + len(joining)))

    _seconds, planned = run_playbook(playbook, spare, "--check", zookeeper=joining)
    steps = ", then ".join(f"add {i} ({name})" for i, name in zip(new_ids, joining, strict=True))
    plan = (
        f"ZooKeeper members {original} would become {original + new_ids}: {steps}, one at a time."
    )
    assert plan in planned, planned[-4000:]
    assert zookeeper_voters(members[0]) == original
    assert all(service_state(n, "zookeeper")["ActiveState"] != "active" for n in joining)

    needs = "zookeeper_reconfig_enabled needs"
    refusals = {
        "zookeeper_super_password=short": f"{needs} zookeeper_super_password",
        "zookeeper_secure=true": f"{needs} a plaintext ensemble",
    }
    for setting, message in refusals.items():
        _seconds, refused = run_playbook(
            playbook, spare, "-e", setting, zookeeper=joining, expect_failure=True
        )
        assert f"Nothing was changed: {message}" in refused, refused[-3000:]
        assert zookeeper_voters(members[0]) == original
        assert all(service_state(n, "zookeeper")["ActiveState"] != "active" for n in joining)

    figures = {}
    figures["zookeeper join s"], _output = run_playbook(playbook, spare, zookeeper=joining)
    everyone = members + joining
    assert all(zookeeper_voters(m) == original + new_ids for m in everyone)
    assert zookeeper_states(everyone) == ["follower"] * (len(everyone) - 1) + ["leader"]

    # The last of them to leave is down, as a member that is removed because it failed.
    in_container(joining[-1], "systemctl", "stop", "zookeeper")
    figures["zookeeper leave s"], _output = run_playbook(playbook, spare)
    assert all(zookeeper_voters(m) == original for m in members)
    assert zookeeper_states(members) == ["follower", "follower", "leader"]
    for name in joining:
        state = service_state(name, "zookeeper")
        assert (state["ActiveState"], state["UnitFileState"]) == ("inactive", "disabled"), state
        assert "myid" in in_container(name, "ls", "/var/lib/zookeeper")
    assert {name: service_state(name, "kafka")["MainPID"] for name in brokers} == kafka_pids
    # The members that stay were not restarted: new members need no restart of the others.
    assert {n: service_state(n, "zookeeper")["MainPID"] for n in members} == zookeeper_pids
    print(
        f"\nZooKeeper: {joining} joined the ensemble one at a time in"
        f" {figures['zookeeper join s']:.0f} s (voters {original + new_ids}), then left it"
        f" ({joining[-1]} down) in"
        f" {figures['zookeeper leave s']:.0f} s (voters {original}, their ZooKeeper stopped and"
        " disabled, data kept); the other members and Kafka not restarted"
    )
    return figures


QUORUM_TOOL = "/etc/kafka/quorum/kafka-quorum-tool"


def quorum_tool(name: str, tool_class: str, *arguments: str) -> str:
    """The role's quorum tool on ``name`` (kafka_broker_dynamic_quorum), as the Kafka user."""
    return in_container(name, "runuser", "-u", "kafka", "--", QUORUM_TOOL, tool_class, *arguments)


def kraft_voters(name: str) -> list[int]:
    """The quorum's voter ids, as the quorum tool on ``name`` reports them."""
    status = quorum_tool(
        name, "org.apache.kafka.tools.MetadataQuorumCommand", "describe", "--status"
    )
    voters = re.search(r"^CurrentVoters:\s*(.*)$", status, re.M)
    assert voters, status
    return sorted(int(i) for i in re.findall(r'"id": (\d+)', voters.group(1)))


def kraft_version(name: str) -> str:
    features = quorum_tool(name, "org.apache.kafka.tools.FeatureCommand", "describe")
    found = re.search(r"Feature: kraft\.version\s.*FinalizedVersionLevel: (\d+)\s", features)
    assert found, features
    return found.group(1)


def kraft_controllers_join_and_leave(joining: list[str]) -> dict[str, float]:
    """A static quorum of three combined nodes becomes dynamic (kraft.version 1, each node
    restarted once), then ``joining`` (hosts with only Java) join it as dedicated
    controllers one at a time, then leave it again, the last of them down, as a failed
    controller; the brokers are not restarted by the joins and leaves. Check mode shows
    each change and makes none; a run that would turn the dynamic quorum static again, or
    take the controller role from a broker that stays, is refused before anything changes.
    Runs under the caller's load; returns the times of the switch, the joins and the
    leaves."""
    playbook = REPO_ROOT / "molecule" / "resources" / "kraft_controllers.yml"
    nodes = list(containers_by_group("kafka_broker"))
    dynamic = ("-e", "kafka_broker_dynamic_quorum=true")
    before = {name: service_state(name, "kafka")["MainPID"] for name in nodes}
    figures = {}

    _seconds, planned = run_playbook(playbook, [], "--check", *dynamic)
    assert "The controller quorum would become dynamic: kraft.version would be raised" in planned
    assert {name: service_state(name, "kafka")["MainPID"] for name in nodes} == before
    config = in_container(nodes[0], "cat", "/etc/kafka/server.properties")
    assert "controller.quorum.voters=" in config, config

    figures["kraft switch s"], _output = run_playbook(playbook, [], *dynamic)
    switched = {name: service_state(name, "kafka")["MainPID"] for name in nodes}
    assert all(switched[name] != before[name] for name in nodes), (before, switched)
    for name in nodes:
        config = in_container(name, "cat", "/etc/kafka/server.properties")
        assert "controller.quorum.voters=" not in config
        assert (
            "controller.quorum.bootstrap.servers=${dir:/etc/kafka/quorum:bootstrap-servers}"
            in config
        )
        assert kraft_version(name) == "1"
        assert kraft_voters(name) == [1, 2, 3]

    refusals = {
        # Turning the option off again.
        ("-e", "kafka_broker_dynamic_quorum=false"): ((), "the controller quorum is dynamic"),
        # kraft-3 would stay a broker and stop being a controller.
        dynamic: (
            (*nodes[:2], joining[0]),
            f"{nodes[2]} runs as broker,controller and would become broker",
        ),
    }
    for options, (controllers, message) in refusals.items():
        _seconds, refused = run_playbook(
            playbook, [], *options, controllers=list(controllers), expect_failure=True
        )
        assert f"Nothing was changed: {message}" in refused, refused[-3000:]
        assert kraft_voters(nodes[0]) == [1, 2, 3]
        assert service_state(joining[0], "kafka").get("ActiveState") != "active"

    everyone = nodes + joining
    new_ids = list(range(4, 4 + len(joining)))
    _seconds, planned = run_playbook(playbook, [], "--check", *dynamic, controllers=everyone)
    steps = ", then ".join(f"add {i} ({name})" for i, name in zip(new_ids, joining, strict=True))
    assert (
        f"KRaft voters [1, 2, 3] would become {[1, 2, 3, *new_ids]}: {steps}, one at a time."
        in (planned.replace("\n", " "))
    ), planned[-4000:]
    assert kraft_voters(nodes[0]) == [1, 2, 3]

    figures["kraft join s"], _output = run_playbook(playbook, [], *dynamic, controllers=everyone)
    assert all(kraft_voters(name) == [1, 2, 3, *new_ids] for name in everyone)
    for name in joining:
        assert "process.roles=controller\n" in in_container(
            name, "cat", "/etc/kafka/server.properties"
        )

    # The last of them to leave is down, as a controller that is removed because it failed.
    in_container(joining[-1], "systemctl", "stop", "kafka")
    figures["kraft leave s"], _output = run_playbook(playbook, [], *dynamic)
    assert all(kraft_voters(name) == [1, 2, 3] for name in nodes)
    for name in joining:
        state = service_state(name, "kafka")
        assert (state["ActiveState"], state["UnitFileState"]) == ("inactive", "disabled"), state
        assert "meta.properties" in in_container(name, "ls", "/var/lib/kafka/data")
    # Joins and leaves restart no broker: a running node learns the voters from the log.
    assert {name: service_state(name, "kafka")["MainPID"] for name in nodes} == switched
    print(
        f"\nKRaft: the static quorum became dynamic in {figures['kraft switch s']:.0f} s"
        f" (kraft.version 1, each node restarted once); {joining} joined it one at a time in"
        f" {figures['kraft join s']:.0f} s (voters {[1, 2, 3, *new_ids]}), then left it"
        f" ({joining[-1]} down) in {figures['kraft leave s']:.0f} s (voters [1, 2, 3], their"
        " Kafka stopped and disabled, data kept); the brokers not restarted by either"
    )
    return figures


def describe_brokers(bootstrap: list[str]) -> list[dict]:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, **client_settings())
    try:
        return admin.describe_cluster()["brokers"]
    finally:
        admin.close()


def scale_out_rebalance_and_decommission(
    spare: list[str],
    leaving: str,
    leaving_id: int,
    rack_restart: bool = False,
    zookeeper_joining: list[str] = (),
):
    """Steps 1-4 above; prints the figures. ``leaving`` is an original broker whose host
    stays in the scenario (its ZooKeeper, for one, keeps running). With
    ``zookeeper_joining``, those spare hosts also join the ZooKeeper ensemble and leave it
    (step 3b, ``zookeeper_members_join_and_leave``)."""
    work = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])
    scenario = Path(os.environ["MOLECULE_SCENARIO_DIRECTORY"])
    originals = containers_by_group("kafka_broker")
    joining = containers_by_group("spare_broker")
    assert sorted(joining) == sorted(spare), joining
    bootstrap = [f"{address}:9092" for address in originals.values()]
    before_pids = {name: service_state(name, "kafka")["MainPID"] for name in originals}
    process, report_path, stop = start_load(bootstrap, work)
    figures = {}
    try:
        time.sleep(5)
        figures["join s"], _output = run_playbook(scenario / "converge.yml", spare)
        after_pids = {name: service_state(name, "kafka")["MainPID"] for name in originals}
        everyone = bootstrap + [f"{address}:9092" for address in joining.values()]
        _replicas, _leaders, registered = cluster_view(everyone)

        rebalance_options = ["-e", "kafka_rebalance_max_concurrent_moves=20"]
        figures["rebalance s"], _output = run_playbook(
            PLAYBOOKS / "rebalance.yml", spare, *rebalance_options
        )
        balanced, _leaders, _brokers = cluster_view(everyone)
        if rack_restart:
            figures["rack restart s"] = restart_rack_by_rack(
                spare, everyone, {**originals, **joining}
            )

        figures["decommission s"], _output = run_playbook(
            PLAYBOOKS / "decommission.yml",
            spare,
            "-e",
            f"decommission_hosts={leaving}",
            *rebalance_options,
        )
        staying = [b for b in everyone if not b.startswith(originals[leaving] + ":")]
        drained, leaders, left = cluster_view(staying)
        if zookeeper_joining:
            figures.update(zookeeper_members_join_and_leave(spare, list(zookeeper_joining)))
        time.sleep(5)
    finally:
        load = finish_load(process, report_path, stop)
    records = read_topic(staying, load["topic"])
    lost = lost_messages(load["acknowledged"], records)
    balance = spreads(balanced, registered)
    print(
        f"\nscale: joined {spare} in {figures['join s']:.0f} s (original brokers' PIDs"
        f" {before_pids} -> {after_pids}); rebalanced in {figures['rebalance s']:.0f} s,"
        f" spreads {balance}; {leaving} (broker {leaving_id}) taken out in"
        f" {figures['decommission s']:.0f} s, brokers now {left}; load: sent {load['sent']},"
        f" acknowledged {len(load['acknowledged'])}, lost {len(lost)}, partitions seen"
        f" without a leader {len(load['offline_observations'])} times in"
        f" {load['leader_checks']} checks"
    )
    assert after_pids == before_pids, "an original broker restarted while others joined"
    assert len(registered) == len(originals) + len(spare), registered
    assert all(value <= 1 for value in balance.values()), balance
    assert leaving_id not in left and len(left) == len(registered) - 1, left
    assert all(leaving_id not in holders for holders in drained.values())
    assert all(leader in left for leader in leaders.values()), leaders
    state = service_state(leaving, "kafka")
    assert (state["ActiveState"], state["UnitFileState"]) == ("inactive", "disabled"), state
    assert service_state(leaving, "zookeeper")["ActiveState"] == "active"
    assert "meta.properties" in in_container(leaving, "ls", "/var/lib/kafka/data")
    assert load["sent"] > 500 and len(load["acknowledged"]) > 0.99 * load["sent"]
    assert lost == [], lost[:10]
    assert load["offline_observations"] == []
