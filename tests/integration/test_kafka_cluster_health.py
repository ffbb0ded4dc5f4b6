"""kafka_cluster_health against real brokers, through ansible-playbook.

The module's answers are checked against what plain kafka-python reads from the
brokers (leaders, in-sync replicas), never against its own report alone. Nodes
are stopped and started for real (tests/kafka_lab.py); every test that stops one
starts it again and waits until the cluster is whole before it ends, as the
session's other tests share these brokers. Timings are printed as
"[kafka_cluster_health] ..." lines, also without -s.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError
from playbook_run import run_task

MODULE = "kafka_cluster_health"
_names = itertools.count()


def unique(prefix: str) -> str:
    return f"health-{prefix}-{next(_names)}"


def say(capsys, text: str) -> None:
    """A measured figure, on the terminal even while pytest captures output."""
    with capsys.disabled():
        print(f"\n[kafka_cluster_health] {text}", flush=True)


class ClusterView:
    """The cluster as plain kafka-python sees it."""

    def __init__(self, servers):
        self.servers = list(servers)
        self.admin = KafkaAdminClient(bootstrap_servers=self.servers, request_timeout_ms=15000)
        # The live topics this view created, with their partition counts (see all_leaders).
        self.created: dict[str, int] = {}

    def close(self) -> None:
        self.admin.close()

    def create(self, name, assignments=None, partitions=1, factor=1, config=None) -> None:
        spec = {"configs": config or {}}
        if assignments:
            spec["assignments"] = assignments
        else:
            spec.update(num_partitions=partitions, replication_factor=factor)
        self.admin.create_topics({name: spec}, wait_for_metadata=True)
        self.created[name] = len(assignments) if assignments else partitions
        # Tests compare snapshots of every partition's leader: wait until the new topic is
        # in the cluster-wide listing with a leader for each partition.
        deadline = time.monotonic() + 60
        while True:
            listed = {topic["name"]: topic for topic in self.admin.describe_topics()}
            partitions = listed.get(name, {}).get("partitions", [])
            if partitions and all(p["leader_id"] >= 0 for p in partitions):
                return
            assert time.monotonic() < deadline, f"{name} has no leader for every partition"
            time.sleep(0.5)

    def delete(self, *names) -> None:
        """Delete the topics with a client of its own, retrying for a while: after a broker
        restart a long-lived kafka-python client may still send controller requests to a
        broker id it no longer knows (it caches the controller id)."""
        for name in names:
            self.created.pop(name, None)
        deadline = time.monotonic() + 60
        while True:
            admin = KafkaAdminClient(bootstrap_servers=self.servers, request_timeout_ms=15000)
            try:
                present = [name for name in names if name in admin.list_topics()]
                if present:
                    admin.delete_topics(present)
                return
            except KafkaError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
            finally:
                admin.close()

    def partitions(self, name) -> dict:
        [topic] = self.admin.describe_topics([name])
        return {p["partition_index"]: p for p in topic["partitions"]}

    def leaders(self, name) -> dict[int, int]:
        return {index: p["leader_id"] for index, p in self.partitions(name).items()}

    def preferred(self, name) -> dict[int, int]:
        return {index: p["replica_nodes"][0] for index, p in self.partitions(name).items()}

    def all_leaders(self) -> dict:
        """The leader of every partition of the topics this view created: to prove that a
        refused task moved nothing. Each read goes to one broker, which may not know a
        topic created a moment ago yet: read again until every partition is listed."""
        deadline = time.monotonic() + 60
        while True:
            leaders = {
                (topic["name"], p["partition_index"]): p["leader_id"]
                for topic in self.admin.describe_topics()
                if topic["name"] in self.created
                for p in topic["partitions"]
            }
            if len(leaders) == sum(self.created.values()):
                return leaders
            assert time.monotonic() < deadline, f"not every partition is listed: {leaders}"
            time.sleep(0.5)

    def under_replicated(self) -> list:
        return [
            (topic["name"], p["partition_index"])
            for topic in self.admin.describe_topics()
            for p in topic["partitions"]
            if len(p["isr_nodes"]) < len(p["replica_nodes"])
        ]

    def wait_in_sync(self, timeout_s: float = 120) -> None:
        deadline = time.monotonic() + timeout_s
        lagging = ["not read yet"]
        while lagging:
            assert time.monotonic() < deadline, f"still under-replicated: {lagging}"
            try:
                lagging = self.under_replicated()
            except KafkaError:
                # Just after a broker restart the long-lived client may still hold state
                # from before (a node it cannot reach); start it afresh and read again.
                self.admin.close()
                self.admin = KafkaAdminClient(
                    bootstrap_servers=self.servers, request_timeout_ms=15000
                )
            if lagging:
                time.sleep(0.5)


@pytest.fixture
def cluster(kraft_cluster):
    view = ClusterView(node.bootstrap_servers for node in kraft_cluster)
    view.nodes = {node.broker_id: node for node in kraft_cluster}
    yield view
    view.close()


@contextlib.contextmanager
def stopped(node, view: ClusterView):
    """The node stopped inside the block; afterwards running, registered and in sync again."""
    started = time.monotonic()
    node.stop()
    seconds = time.monotonic() - started
    try:
        yield seconds
    finally:
        node.relaunch()
        node.wait_registered(",".join(view.servers))
        view.wait_in_sync()


def check(servers, **options):
    return run_task(MODULE, {"bootstrap_servers": list(servers), **options})


# --- reporting ---------------------------------------------------------------------------


def test_report_on_a_kraft_cluster(cluster, kraft_cluster, capsys):
    result = check(cluster.servers)
    assert not result.failed and not result.changed, result.result
    report = result.result
    assert report["metadata_mode"] == "kraft"
    assert report["brokers"] == [1, 2, 3]
    assert report["fenced_brokers"] == []
    assert report["controller_id"] == 1  # the quorum leader, the one controller of the fixture
    assert [(v["id"], v["lag"], v["caught_up"]) for v in report["voters"]] == [(1, 0, True)]
    assert report["healthy"] is True
    assert report["problems"] == [] and report["elected"] == []
    assert report["cluster_id"] == kraft_cluster[0].cluster_id
    assert set(report["phases"]) == {"in_sync", "quorum"}
    assert "stoppable" not in report

    checked = run_task(MODULE, {"bootstrap_servers": cluster.servers}, check=True)
    assert not checked.failed and not checked.changed

    # What the module replaces: one JVM tool per question.
    tools = kraft_cluster[0].home / "bin"
    started = time.monotonic()
    subprocess.run(
        [
            str(tools / "kafka-topics.sh"),
            *("--bootstrap-server", cluster.servers[0]),
            *("--describe", "--under-replicated-partitions"),
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    jvm_seconds = time.monotonic() - started
    say(
        capsys,
        f"wait_for=none on KRaft: {result.seconds:.2f} s for the whole ansible-playbook run,"
        f" {report['waited']:.2f} s inside the module; one kafka-topics.sh"
        f" --under-replicated-partitions alone: {jvm_seconds:.2f} s",
    )


def test_report_on_a_zookeeper_mode_broker(zookeeper_broker):
    result = check([zookeeper_broker.bootstrap_servers])
    assert not result.failed and not result.changed, result.result
    report = result.result
    assert report["metadata_mode"] == "zookeeper"
    assert report["brokers"] == [0]
    assert report["controller_id"] == 0
    assert report["voters"] == []
    assert report["healthy"] is True
    assert set(report["phases"]) == {"in_sync"}


def test_the_shared_sasl_connection_options_and_a_refused_login(kraft_broker):
    sasl = {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "PLAIN",
        "sasl_username": "lab-admin",
        "sasl_password": "lab-admin-secret",
    }
    result = check([kraft_broker.sasl_bootstrap_servers], **sasl)
    assert not result.failed, result.result
    assert result.result["brokers"] == [1] and result.result["metadata_mode"] == "kraft"

    # Waiting cannot fix a wrong password: it fails at once, not at the deadline.
    refused = check(
        [kraft_broker.sasl_bootstrap_servers],
        **{**sasl, "sasl_password": "wrong"},
        wait_for="healthy",
        timeout=120,
        request_timeout=10,
    )
    assert refused.failed
    assert "refused the SASL PLAIN login of user 'lab-admin'" in refused.msg
    assert refused.seconds < 60, refused.seconds
    assert "wrong" not in refused.msg


# --- the stop gate -------------------------------------------------------------------------


def test_stoppable_follows_min_isr_and_the_quorum(cluster):
    solo, spread = unique("solo"), unique("spread")
    cluster.create(solo, assignments={0: [2]})  # the only replica, on node 2
    cluster.create(spread, partitions=3, factor=3, config={"min.insync.replicas": "2"})
    try:
        before = cluster.all_leaders()
        only_replica = check(cluster.servers, wait_for="stoppable", node_id=2, timeout=0)
        assert only_replica.failed and not only_replica.changed
        assert only_replica.result["stoppable"] is False
        assert only_replica.result["at_risk"] == [f"{solo}-0"]
        assert f"{solo}-0 (isr [2], min.insync.replicas 1)" in only_replica.msg
        assert "wait_for=stoppable: node 2 is not safe to stop (checked once)" in only_replica.msg
        assert spread not in only_replica.msg  # RF 3 / min ISR 2 keeps two without node 2

        # No wait brings the partition a second replica: refused at once, not at the deadline.
        waiting = check(cluster.servers, wait_for="stoppable", node_id=2, timeout=120)
        assert waiting.failed and waiting.result["at_risk"] == [f"{solo}-0"]
        assert waiting.result["waited"] < 20, waiting.result["waited"]

        sole_voter = check(cluster.servers, wait_for="stoppable", node_id=1, timeout=0)
        assert sole_voter.failed
        assert "stopping controller voter 1 would leave 0 caught-up voter(s)" in sole_voter.msg
        assert sole_voter.result["at_risk"] == []

        allowed = check(cluster.servers, wait_for="stoppable", node_id=3, timeout=30)
        assert not allowed.failed and not allowed.changed, allowed.result
        assert allowed.result["stoppable"] is True
        assert allowed.result["problems"] == [] and allowed.result["at_risk"] == []

        # wait_for=none reports the same without failing.
        report = check(cluster.servers, node_id=2)
        assert not report.failed, report.result
        assert report.result["stoppable"] is False and report.result["healthy"] is True
        assert report.result["at_risk"] == [f"{solo}-0"]
        assert cluster.all_leaders() == before
    finally:
        cluster.delete(solo, spread)


def test_stoppable_on_a_zookeeper_mode_broker(zookeeper_broker):
    view = ClusterView([zookeeper_broker.bootstrap_servers])
    name = unique("zk")
    # The broker is shared by the session: topics other test files left on it (each on
    # this one broker) are at risk already, and the new topic must add exactly its own.
    already = check(view.servers, wait_for="stoppable", node_id=0, timeout=0).result["at_risk"]
    view.create(name)
    try:
        result = check(view.servers, wait_for="stoppable", node_id=0, timeout=0)
        assert result.failed
        assert result.result["metadata_mode"] == "zookeeper"
        assert sorted(result.result["at_risk"]) == sorted([*already, f"{name}-0"])
        assert f"{name}-0" not in already
    finally:
        view.delete(name)
        view.close()


# --- a restart, gate by gate -------------------------------------------------------------------


def loaded_then_unfenced(log_text: str) -> bool:
    """In the broker's last start, its logs were loaded before it was unfenced."""
    tail = log_text[log_text.rfind("Loading logs from log dirs") :]
    loaded = re.search(r"Loaded \d+ logs", tail)
    unfenced = tail.find("The broker has been unfenced")
    return loaded is not None and unfenced > loaded.start()


def leaderships_come_back(cluster, name, preferred_by_3):
    """After broker 3's restart: check mode predicts the election, a real run moves them back."""
    # Leadership of the partitions that prefer broker 3 moved away at its shutdown.
    moved = sorted(i for i in preferred_by_3 if cluster.leaders(name)[i] != 3)
    assert moved, "Kafka gave broker 3 its leaderships back by itself"
    elect = {"wait_for": "healthy", "node_id": 3, "elect_preferred_leaders": True}
    leaders = cluster.leaders(name)

    predicted = run_task(MODULE, {"bootstrap_servers": cluster.servers, **elect}, check=True)
    assert not predicted.failed and predicted.changed, predicted.result
    assert {f"{name}-{i}" for i in moved} <= set(predicted.result["elected"])
    assert cluster.leaders(name) == leaders, "check mode moved a leader"

    elected = check(cluster.servers, **elect)
    assert not elected.failed and elected.changed, elected.result
    assert {f"{name}-{i}" for i in moved} <= set(elected.result["elected"])
    assert all(cluster.leaders(name)[i] == 3 for i in preferred_by_3), cluster.leaders(name)

    again = check(cluster.servers, **elect)
    assert not again.failed and not again.changed and again.result["elected"] == []
    assert not run_task(MODULE, {"bootstrap_servers": cluster.servers, **elect}, check=True).changed


def test_a_restart_gate_by_gate(cluster, capsys):
    name = unique("roll")
    cluster.create(name, partitions=6, factor=3, config={"min.insync.replicas": "2"})
    node = cluster.nodes[3]
    preferred_by_3 = sorted(i for i, first in cluster.preferred(name).items() if first == 3)
    assert preferred_by_3, cluster.preferred(name)
    try:
        gate = check(cluster.servers, wait_for="stoppable", node_id=3, timeout=60)
        assert not gate.failed, gate.result
        say(
            capsys,
            f"stoppable gate before the stop: {gate.seconds:.2f} s"
            f" ({gate.result['waited']} s in the module)",
        )

        with stopped(node, cluster) as stop_seconds:
            say(capsys, f"broker 3 stopped (controlled shutdown) in {stop_seconds:.2f} s")
            assert cluster.under_replicated(), "stopping broker 3 left every ISR whole"

            before = cluster.all_leaders()
            refused = check(cluster.servers, wait_for="stoppable", node_id=2, timeout=0)
            assert refused.failed and not refused.changed
            assert "under-replicated" in refused.msg and f"{name}-" in refused.msg
            assert refused.result["under_replicated"], refused.result

            late = check(
                cluster.servers,
                wait_for="healthy",
                node_id=3,
                expected_brokers=[1, 2, 3],
                timeout=5,
            )
            assert late.failed and not late.changed
            assert 5 <= late.result["waited"] < 8, late.result["waited"]
            assert "the cluster is not healthy after node 3's restart" in late.msg
            assert "broker 3 is registered but fenced" in late.msg
            assert "(timeout 5)" in late.msg and "raise timeout" in late.msg
            assert late.result["fenced_brokers"] == [3]
            assert cluster.all_leaders() == before
            say(
                capsys,
                f"healthy with timeout 5 failed after {late.result['waited']} s in the module"
                f" ({late.seconds:.2f} s in all)",
            )

            node.relaunch()
            restarted = time.monotonic()
            back = check(
                cluster.servers,
                wait_for="healthy",
                node_id=3,
                expected_brokers=[1, 2, 3],
                timeout=180,
            )
            since_launch = time.monotonic() - restarted
            assert not back.failed and not back.changed, back.result
            assert back.result["healthy"] is True and back.result["problems"] == []
            phases = back.result["phases"]
            assert set(phases) == {"registered", "in_sync", "quorum"}
            assert phases["registered"] <= back.result["waited"]
            assert cluster.under_replicated() == []
            say(
                capsys,
                f"healthy after relaunching broker 3: {back.result['waited']} s in the module,"
                f" {since_launch:.2f} s from the launch; phases {phases}",
            )
            log = (node.work_dir / "logs" / "server.log").read_text(errors="replace")
            assert loaded_then_unfenced(log), "broker 3 was unfenced before its logs were loaded"

        leaderships_come_back(cluster, name, preferred_by_3)
    finally:
        cluster.delete(name)


def test_healthy_waits_for_a_restarted_zookeeper_mode_broker(zookeeper_broker, capsys):
    """The only broker is the bootstrap server, so every read fails while it is down.

    First the module starts while the broker is stopped and must keep connecting
    until it is back; then the broker stops and starts while the module polls,
    which must count as "not yet" until the deadline, not end the task.
    """
    view = ClusterView([zookeeper_broker.bootstrap_servers])
    gate = {"wait_for": "healthy", "node_id": 0, "request_timeout": 10}
    try:
        with stopped(zookeeper_broker, view), ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(check, view.servers, expected_brokers=[0], timeout=180, **gate)
            time.sleep(8)
            assert not waiting.done(), waiting.result().result
            zookeeper_broker.relaunch()
            relaunched = time.monotonic()
            back = waiting.result(timeout=300)
            since_launch = time.monotonic() - relaunched
            assert not back.failed, back.result
            assert back.result["brokers"] == [0] and back.result["metadata_mode"] == "zookeeper"
            assert set(back.result["phases"]) == {"registered", "in_sync"}
            say(
                capsys,
                "healthy, started while the ZooKeeper-mode broker was down:"
                f" {back.result['waited']} s in the module, back {since_launch:.2f} s after"
                " the relaunch;"
                f" phases {back.result['phases']}",
            )

        # Broker 7 never comes: the task must poll through the restart and fail at the deadline.
        with ThreadPoolExecutor(1) as pool:
            polling = pool.submit(check, view.servers, expected_brokers=[0, 7], timeout=45, **gate)
            time.sleep(8)
            with stopped(zookeeper_broker, view):
                time.sleep(3)
                zookeeper_broker.relaunch()
            late = polling.result(timeout=300)
        assert late.failed, late.result
        assert "broker 7 is not registered" in late.msg
        assert "could not read the cluster" not in late.msg  # the last poll saw broker 0 back
        assert late.result["brokers"] == [0]
        assert 45 <= late.result["waited"] < 60, late.result["waited"]
    finally:
        view.close()


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"wait_for": "stoppable"}, "wait_for=stoppable needs node_id"),
        (
            {"wait_for": "stoppable", "node_id": 42},
            "node 42 is not part of this cluster: it is no registered broker (brokers: 1, 2, 3)",
        ),
        ({"wait_for": "healthy", "timeout": -1}, "timeout must be 0 (check once)"),
        ({"wait_for": "healthy", "poll_interval": 0}, "poll_interval must be more than 0"),
        ({"elect_preferred_leaders": True}, "elect_preferred_leaders needs wait_for=healthy"),
        ({"wait_for": "healthy", "node_id": 42, "timeout": 2}, "node 42 is not part of this"),
        ({"wait_for": "sideways"}, "value of wait_for must be one of"),
    ],
)
def test_bad_input_fails_clearly_and_changes_nothing(cluster, options, message):
    before = cluster.all_leaders()
    result = check(cluster.servers, **options)
    assert result.failed and not result.changed, result.result
    assert message in result.msg
    assert "Traceback" not in result.msg and "module_stderr" not in result.result
    assert result.seconds < 30, result.seconds
    assert cluster.all_leaders() == before
