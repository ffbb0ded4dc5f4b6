"""kafka_rebalance against a real KRaft cluster in three zones, under an acks=all load.

Three brokers (racks zone-a, zone-b, zone-c) hold topics with data; three more join
(one per zone) and the module spreads the replicas over all six while the bounded load
producer writes with acks=all. Then a broker is drained: first with a deadline it cannot
meet (the batch is cancelled, the throttle removed), then for real. What the module did is
read back from the brokers with plain kafka-python; the module's own report is compared
with it, never trusted.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import kafka_lab
import pytest
from conftest import KAFKA_VERSION
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic
from kafka.structs import TopicPartition
from playbook_run import run_playbook, run_task

ZONES = ["zone-a", "zone-b", "zone-c"]
REPO_ROOT = Path(__file__).resolve().parents[2]
REBALANCE_PLAYBOOK = REPO_ROOT / "playbooks" / "rebalance.yml"
DECOMMISSION_PLAYBOOK = REPO_ROOT / "playbooks" / "decommission.yml"
LOAD_PRODUCER = REPO_ROOT / "tests" / "lab" / "load_producer.py"
LOAD_TOPIC = "rebalance-load"
# topic: (partitions, replication factor); partition p holds (p + 1) * 40 records of 1 KiB.
DATA_TOPICS = {"orders": (6, 3), "clicks": (4, 3), "audit": (3, 2)}
THROTTLE_KEYS = (
    "leader.replication.throttled.rate",
    "follower.replication.throttled.rate",
    "leader.replication.throttled.replicas",
    "follower.replication.throttled.replicas",
)


@pytest.fixture(scope="module")
def zoned_cluster(tmp_path_factory):
    nodes = kafka_lab.start_kraft_cluster(
        KAFKA_VERSION, tmp_path_factory.mktemp("zoned"), brokers=3, racks=ZONES
    )
    yield nodes
    for node in reversed(nodes):
        node.stop()


class ClusterView:
    def __init__(self, bootstrap: str):
        self.admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)

    def assignment(self, topics=None) -> dict[tuple[str, int], list[int]]:
        result = {}
        for topic in self.admin.describe_topics(topics):
            for p in topic["partitions"]:
                result[(topic["name"], p["partition_index"])] = list(p["replica_nodes"])
        return result

    def leaders(self) -> dict[tuple[str, int], int]:
        return {
            (topic["name"], p["partition_index"]): p["leader_id"]
            for topic in self.admin.describe_topics()
            for p in topic["partitions"]
        }

    def sizes(self, topics) -> dict[tuple[str, int], int]:
        sizes: dict[tuple[str, int], int] = {}
        for broker in self.admin.describe_log_dirs():
            for log_dir in broker["log_dirs"]:
                for topic in log_dir["topics"]:
                    if topic["name"] not in topics:
                        continue
                    for p in topic["partitions"]:
                        key = (topic["name"], p["partition_index"])
                        sizes[key] = max(sizes.get(key, 0), p["partition_size"])
        return sizes

    def throttle_settings(self, broker_ids, topics) -> dict[str, dict[str, str]]:
        """Every throttle key set on the brokers or topics, by resource."""
        resources = [ConfigResource(ConfigResourceType.BROKER, str(b)) for b in broker_ids]
        resources += [ConfigResource(ConfigResourceType.TOPIC, t) for t in topics]
        found = {}
        for kind, by_name in self.admin.describe_configs(resources).items():
            for name, entries in by_name.items():
                keys = {
                    k: e["value"] for k, e in entries.items() if k in THROTTLE_KEYS and e["value"]
                }
                if keys:
                    found[f"{kind} {name}"] = keys
        return found

    def close(self):
        self.admin.close()


def bootstrap_of(nodes) -> list[str]:
    return [node.bootstrap_servers for node in nodes if node.running]


def fill_topics(bootstrap: str) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics(
        [
            NewTopic(
                name,
                num_partitions=count,
                replication_factor=factor,
                topic_configs={"min.insync.replicas": str(factor - 1)},
            )
            for name, (count, factor) in DATA_TOPICS.items()
        ],
        wait_for_metadata=True,
    )
    admin.close()
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20)
    for name, (count, _factor) in DATA_TOPICS.items():
        for partition in range(count):
            for number in range((partition + 1) * 40):
                producer.send(
                    name, value=b"x" * 1024, key=str(number).encode(), partition=partition
                )
    producer.flush(timeout=60)
    producer.close()


def minimum_bytes(assignment, sizes, brokers) -> int:
    """A lower bound on what any balanced plan copies: per topic, each broker below the
    floor of the mean must receive that many partitions it does not hold, at least the
    smallest of them."""
    total = 0
    for topic in sorted({key[0] for key in assignment}):
        keys = [key for key in assignment if key[0] == topic]
        floor = sum(len(assignment[k]) for k in keys) // len(brokers)
        for broker in brokers:
            held = sum(1 for k in keys if broker in assignment[k])
            candidates = sorted(sizes.get(k, 0) for k in keys if broker not in assignment[k])
            total += sum(candidates[: max(0, floor - held)])
    return total


def bytes_moved(before, after, sizes) -> int:
    return sum(sizes.get(key, 0) * len(set(after[key]) - set(before[key])) for key in before)


def counts(assignment, brokers, topic=None, leaders=None):
    result = dict.fromkeys(brokers, 0)
    if leaders is not None:
        for key, leader in leaders.items():
            if (topic is None or key[0] == topic) and leader in result:
                result[leader] += 1
        return result
    for key, replicas in assignment.items():
        if topic is None or key[0] == topic:
            for broker in replicas:
                result[broker] += 1
    return result


def within_one_of_mean(values) -> bool:
    mean = sum(values) / len(values)
    return all(abs(v - mean) < 1 for v in values)


def rack_breaches(assignment, racks):
    return [
        key
        for key, replicas in assignment.items()
        if len({racks[b] for b in replicas}) < len(replicas)
    ]


def start_load(
    work: Path, bootstrap: list[str], topic: str = LOAD_TOPIC
) -> tuple[subprocess.Popen, Path, Path]:
    report, stop = work / f"{topic}-report.json", work / f"{topic}-stop"
    process = subprocess.Popen(
        [
            sys.executable,
            str(LOAD_PRODUCER),
            "--bootstrap",
            ",".join(bootstrap),
            "--topic",
            topic,
            "--report",
            str(report),
            "--stop-file",
            str(stop),
            "--rate",
            "100",
            "--max-seconds",
            "300",
            "--max-messages",
            "30000",
            "--partitions",
            "6",
            "--replication-factor",
            "3",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, report, stop


def finish_load(process, report_path: Path, stop: Path, bootstrap: list[str]) -> dict:
    stop.touch()
    _out, err = process.communicate(timeout=240)
    assert process.returncode == 0, err
    report = json.loads(report_path.read_text())
    topic = report["topic"]
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    end = consumer.end_offsets(partitions)
    records = {}
    deadline = time.monotonic() + 120
    while any(consumer.position(tp) < end[tp] for tp in partitions):
        assert time.monotonic() < deadline, "could not read the load topic to its end in 120 s"
        for batch in consumer.poll(timeout_ms=1000).values():
            for record in batch:
                records[(record.partition, record.offset)] = record.value
    consumer.close()
    report["lost"] = [
        number
        for number, partition, offset in report["acknowledged"]
        if records.get((partition, offset)) != f"load-test message {number:08d}".encode()
    ]
    return report


def assert_balanced(before, after, leaders, sizes, racks) -> str:
    """The issue's targets, checked on what the brokers show; returns the figures."""
    brokers = sorted(racks)
    replicas = counts(after, brokers)
    per_topic = {t: counts(after, brokers, topic=t) for t in sorted({k[0] for k in after})}
    leader_counts = counts(after, brokers, leaders=leaders)
    moved, floor = bytes_moved(before, after, sizes), minimum_bytes(before, sizes, brokers)
    figures = (
        f"replicas per broker {replicas}; leaders per broker {leader_counts}; per topic "
        f"{ {t: list(c.values()) for t, c in per_topic.items()} }; bytes moved {moved}, "
        f"minimum {floor}, ratio {moved / floor:.2f}"
    )
    assert within_one_of_mean(list(replicas.values())), figures
    assert all(within_one_of_mean(list(c.values())) for c in per_topic.values()), figures
    assert within_one_of_mean(list(leader_counts.values())), figures
    assert moved <= 1.2 * floor, figures
    assert rack_breaches(after, racks) == []
    return figures


def run_rebalance_playbook(work: Path, bootstrap: list[str], variables: dict, *extra: str):
    """playbooks/rebalance.yml on a one-host inventory that reaches the brokers from here.

    Returns the play's stats and {task name: result of its one host}."""
    inventory = {
        "all": {
            "children": {
                "kafka_broker": {
                    "hosts": {
                        "broker-1": {
                            "ansible_connection": "local",
                            "ansible_python_interpreter": sys.executable,
                        }
                    }
                }
            },
            "vars": {"kafka_topics_bootstrap_servers": bootstrap, **variables},
        }
    }
    report = run_playbook(
        REBALANCE_PLAYBOOK, inventory, work / "rebalance-inventory.yml", *extra, timeout_s=600
    )
    tasks = {
        task["task"]["name"]: next(iter(task["hosts"].values()))
        for task in report["plays"][0]["tasks"]
    }
    return report["stats"]["broker-1"], tasks


def assert_moved_once(progress, before, after, sizes):
    """No partition moved back and forth: the batches copied exactly what the brokers show
    moved (counted on the topics that do not grow meanwhile)."""
    static = {f"{t}-{p}": (t, p) for t, p in before if t != LOAD_TOPIC}
    copied = sum(
        sizes[static[name]] * len(set(after[static[name]]) - set(before[static[name]]))
        for batch in progress
        if batch["bytes"]  # a batch that only reorders replicas copies nothing
        for name in batch["partitions"]
        if name in static
    )
    assert copied == bytes_moved({k: before[k] for k in static.values()}, after, sizes)


def assert_check_mode_moves_nothing(work, bootstrap, options, view, before):
    """rebalance.yml --check --diff: the plan (moves, bytes per broker, balance after), and
    the brokers show the assignment they had."""
    stats, tasks = run_rebalance_playbook(work, bootstrap, options, "--check", "--diff")
    plan = tasks["Plan the moves (nothing moves yet)"]
    assert stats["failures"] == 0, tasks
    assert plan["changed"] and plan["moves"] and plan["diff"]["after"]
    assert set(plan["bytes_per_broker"]["in"]) <= {"4", "5", "6"}
    assert plan["balance_after"]["replica_spread"] <= 1
    assert tasks["Move the replicas, one batch per step"].get("skipped")
    assert view.assignment(options["kafka_rebalance_topics"]) == before


def run_decommission_playbook(work: Path, nodes, variables: dict, *extra: str, zookeeper=()):
    """playbooks/decommission.yml over an inventory of the cluster's brokers, reached from
    here: kafka-<id> for each node, its data directory as its log dir, kafka-1 (the
    cluster's controller) in the controller group, ``zookeeper`` in the zookeeper group.
    ``variables`` go in as extra variables. Returns the failed task's message (None when
    nothing failed) and {task name: result of the first host that ran it}."""
    # This process may read the brokers' files as it is (the playbook reads them as root).
    local = {
        "ansible_connection": "local",
        "ansible_python_interpreter": sys.executable,
        "ansible_become": False,
    }
    brokers = {
        f"kafka-{node.node_id}": {**local, "kafka_broker_log_dirs": [str(node.work_dir / "data")]}
        for node in nodes
    }
    inventory = {
        "all": {
            "children": {
                "kafka_broker": {"hosts": brokers},
                "kafka_controller": {"hosts": {"kafka-1": {}}},
                "zookeeper": {"hosts": {name: {} for name in zookeeper}},
            },
            "vars": {
                "kafka_topics_bootstrap_servers": bootstrap_of(nodes),
                "kafka_broker_metadata_mode": "kraft",
            },
        }
    }
    report = run_playbook(
        DECOMMISSION_PLAYBOOK,
        inventory,
        work / "decommission-inventory.yml",
        "-e",
        json.dumps(variables),
        *extra,
    )
    tasks = {}
    for play in report["plays"]:
        for task in play["tasks"]:
            tasks.setdefault(task["task"]["name"], next(iter(task["hosts"].values()), {}))
    failed = [result.get("msg") for result in tasks.values() if result.get("failed")]
    return (failed[0] if failed else None), tasks


def assert_decommission_refuses_before_anything_changes(work, nodes, view, before):
    """playbooks/decommission.yml refuses, naming why, and nothing moves: a controller; a
    host that is not a broker; two brokers whose going leaves two zones for RF 3; a
    ZooKeeper member to terminate. Check mode shows the drain of broker 6 and moves
    nothing."""
    refusals = [
        ({"decommission_hosts": "kafka-1"}, (), "kafka-1 is a KRaft controller"),
        ({"decommission_hosts": ["kafka-9"]}, (), "not brokers: ['kafka-9']"),
        (
            {"decommission_hosts": ["kafka-3", "kafka-6"]},
            (),
            "only 2 rack(s) would be left (zone-a, zone-b): two of its replicas would share",
        ),
        (
            {
                "decommission_hosts": "kafka-5",
                "decommission_terminate": True,
                "kafka_broker_metadata_mode": "zookeeper",
            },
            ("kafka-5",),
            "kafka-5 is a member of the ZooKeeper ensemble of 1: terminating it",
        ),
    ]
    for variables, zookeeper, reason in refusals:
        message, _tasks = run_decommission_playbook(work, nodes, variables, zookeeper=zookeeper)
        assert message and reason in message, (variables, message)
        assert "Nothing was" in message, message
    message, tasks = run_decommission_playbook(
        work, nodes, {"decommission_hosts": "kafka-6"}, "--check", "--diff"
    )
    assert message is None, message
    plan = tasks["Plan the drain (nothing moves yet)"]
    assert plan["moves"] and all(6 in m["removing"] for m in plan["moves"] if m["adding"])
    assert {m["topic"] for m in plan["moves"]} >= {"bulk"}
    assert tasks["Move the replicas off, one batch per step"].get("skipped")
    assert view.assignment() == before


def rebalance(bootstrap, check=False, **options):
    return run_task(
        "kafka_rebalance", {"bootstrap_servers": bootstrap, **options}, check=check, timeout_s=600
    )


def test_new_brokers_in_each_zone_take_an_even_share_under_load(
    zoned_cluster, tmp_path, record_property
):
    first = zoned_cluster[0]
    fill_topics(first.bootstrap_servers)
    process, report_path, stop = start_load(tmp_path, bootstrap_of(zoned_cluster))
    view = None
    try:
        for node_id, zone in zip((4, 5, 6), ZONES, strict=True):
            zoned_cluster.append(kafka_lab.add_kraft_broker(zoned_cluster, node_id, zone))
        # Opened once the new brokers are in, so that its metadata knows them.
        view = ClusterView(first.bootstrap_servers)
        brokers = [1, 2, 3, 4, 5, 6]
        racks = dict(zip(brokers, ZONES * 2, strict=True))
        topics = [*DATA_TOPICS, LOAD_TOPIC]
        before = view.assignment(topics)
        sizes = view.sizes(topics)
        assert all(set(replicas) <= {1, 2, 3} for replicas in before.values())

        options = {
            "kafka_rebalance_topics": topics,
            "kafka_rebalance_max_concurrent_moves": 4,
            "kafka_rebalance_throttle": 2_000_000,
            "kafka_rebalance_timeout": 300,
        }
        bootstrap = bootstrap_of(zoned_cluster)

        assert_check_mode_moves_nothing(tmp_path, bootstrap, options, view, before)

        stats, tasks = run_rebalance_playbook(tmp_path, bootstrap, options)
        assert stats["failures"] == 0, tasks
        planned = tasks["Plan the moves (nothing moves yet)"]["batches"]
        steps = tasks["Move the replicas, one batch per step"]["results"]
        done = tasks["Move what is left, then elect the preferred leaders"]
        after = view.assignment(topics)
        leaders = view.leaders()
        leaders = {key: leader for key, leader in leaders.items() if key[0] in topics}
        throttles = view.throttle_settings(brokers, topics)
        again = run_rebalance_playbook(tmp_path, bootstrap, options)[0]
    finally:
        load = finish_load(process, report_path, stop, bootstrap_of(zoned_cluster))
        if view is not None:
            view.close()

    progress = [batch for step in [*steps, done] for batch in step["progress"]]
    figures = assert_balanced(before, after, leaders, sizes, racks) + (
        f"; {len(progress)} batches in {sum(b['seconds'] for b in progress):.1f} s; load: sent"
        f" {load['sent']}, acknowledged {len(load['acknowledged'])}, lost {len(load['lost'])},"
        f" leaderless observations {len(load['offline_observations'])}"
    )
    print(figures)
    record_property("figures", figures)
    assert all(len(after[key]) == len(before[key]) for key in before)
    # One step per planned batch, each throttled; nothing left for the last task to move.
    assert len(steps) == planned >= 2
    assert all(step["changed"] and step["progress"][0]["throttle"] == 2_000_000 for step in steps)
    # What the last task found left, if anything, only reorders replicas (leaders); it copies
    # nothing.
    assert done["remaining_moves"] == 0
    assert all(batch["bytes"] == 0 for batch in done["progress"]), done["progress"]
    assert_moved_once(progress, before, after, sizes)
    assert throttles == {}, throttles
    assert again["changed"] == 0 and again["failures"] == 0
    # Under load: nothing acknowledged was lost, and the load topic never lost its leaders.
    assert load["sent"] > 500 and len(load["acknowledged"]) > 0.99 * load["sent"]
    assert load["lost"] == [], load["lost"][:10]
    assert load["offline_observations"] == []


def assert_a_missed_deadline_cancels_and_unthrottles(view, bootstrap):
    """Draining bulk (4 MiB, led by broker 6) at 1 byte/s cannot finish in 5 s: the batch is
    cancelled, the partition keeps its replicas in their order, no throttle is left."""
    missed = rebalance(
        bootstrap,
        drain_brokers=[6],
        topics=["bulk"],
        throttle=1,
        timeout=5,
        max_concurrent_moves=1,
    )
    assert missed.failed
    assert "still copying after 5s" in missed.msg and "cancelled" in missed.msg, missed.msg
    assert view.assignment(["bulk"]) == {("bulk", 0): [6, 1, 2]}
    assert view.admin.list_partition_reassignments() == {}
    assert view.throttle_settings([1, 2, 3, 4, 5, 6], ["bulk"]) == {}


def assert_a_disk_that_could_fill_refuses_the_drain(view, bootstrap, before):
    """Refused while retention would let the receiving brokers' disks fill (orders may keep
    100 TB per partition); warned instead with storage_check=warn (in check mode)."""
    limit = ConfigResource(ConfigResourceType.TOPIC, "orders", {"retention.bytes": str(10**14)})
    view.admin.alter_configs([limit])
    too_big = rebalance(bootstrap, drain_brokers=[6])
    warned = rebalance(bootstrap, check=True, drain_brokers=[6], storage_check="warn")
    view.admin.alter_configs(
        [ConfigResource(ConfigResourceType.TOPIC, "orders", {"retention.bytes": "-1"})]
    )
    assert too_big.failed, too_big.result
    assert "could have to hold" in too_big.msg and "orders (" in too_big.msg, too_big.msg
    assert view.assignment() == before
    assert not warned.failed and any(
        "could have to hold" in w for w in warned.result.get("warnings", [])
    ), warned.result


def test_a_drained_broker_ends_empty_under_load_and_a_missed_deadline_cancels_and_unthrottles(
    zoned_cluster, tmp_path, record_property
):
    if len(zoned_cluster) < 6:
        pytest.fail("needs the six brokers the previous test adds")
    bootstrap = bootstrap_of(zoned_cluster)
    view = ClusterView(bootstrap[0])
    process, report_path, stop = start_load(tmp_path, bootstrap, topic="drain-load")
    try:
        deadline = time.monotonic() + 60
        while "drain-load" not in view.admin.list_topics():
            assert time.monotonic() < deadline, "the load producer made no topic in 60 s"
            time.sleep(0.5)
        # A 4 MiB partition led by broker 6: at 1 byte/s its copy cannot finish in 5 s.
        admin = view.admin
        admin.create_topics(
            [NewTopic("bulk", replica_assignments={0: [6, 1, 2]})], wait_for_metadata=True
        )
        producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20)
        for number in range(4096):
            producer.send("bulk", value=b"y" * 1024, key=str(number).encode(), partition=0)
        producer.flush(timeout=60)
        producer.close()
        before = view.assignment()

        assert_a_missed_deadline_cancels_and_unthrottles(view, bootstrap)

        # Refused before anything moves: RF 3 cannot stay on two brokers.
        refused = rebalance(bootstrap, drain_brokers=[3, 4, 5, 6])
        assert refused.failed and "only 2 broker(s) would hold replicas" in refused.msg
        assert view.assignment() == before

        assert_a_disk_that_could_fill_refuses_the_drain(view, bootstrap, before)
        assert_decommission_refuses_before_anything_changes(tmp_path, zoned_cluster, view, before)

        drained = rebalance(bootstrap, drain_brokers=[6], max_concurrent_moves=6)
        assert not drained.failed, drained.msg
        # Every topic here keeps data without a size limit: named, not refused.
        assert any("without a size limit" in w for w in drained.result["warnings"])
        assert drained.result["storage"]["1"]["capacity"] > 0
        after = view.assignment()
        remaining = [1, 2, 3, 4, 5]
        racks = dict(zip([1, 2, 3, 4, 5, 6], ZONES * 2, strict=True))
        assert view.admin.list_partition_reassignments() == {}
    finally:
        load = finish_load(process, report_path, stop, bootstrap)
        view.close()
    replicas = counts(after, remaining)
    figures = (
        f"drained broker 6: {sum(1 for r in before.values() if 6 in r)} replicas moved;"
        f" replicas per broker now {replicas}; load: sent {load['sent']}, acknowledged"
        f" {len(load['acknowledged'])}, lost {len(load['lost'])}"
    )
    record_property("figures", figures)
    assert all(6 not in r for r in after.values()), figures
    assert all(len(after[key]) == len(before[key]) for key in before)
    assert rack_breaches(after, racks) == []
    # zone-c keeps only broker 3, which now holds a replica of every RF 3 partition.
    for zone in ZONES:
        members = [b for b in remaining if racks[b] == zone]
        assert max(replicas[b] for b in members) - min(replicas[b] for b in members) <= 1
    assert load["sent"] > 300 and len(load["acknowledged"]) > 0.99 * load["sent"]
    assert load["lost"] == [], load["lost"][:10]
    assert load["offline_observations"] == []
