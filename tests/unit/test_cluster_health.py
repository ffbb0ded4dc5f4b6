"""Stop and restart gates of kafka_cluster_health: plain data in, problems out, no broker."""

from __future__ import annotations

import pytest
from module_utils_loader import load

health = load("cluster_health")


def part(replicas, isr=None, leader=None):
    """One partition; by default fully in sync, led by its first replica."""
    return {
        "replicas": list(replicas),
        "isr": list(replicas if isr is None else isr),
        "leader": replicas[0] if leader is None else leader,
    }


def voter(node, caught_up=True, lag=0):
    return {
        "id": node,
        "log_end_offset": 100 - lag,
        "lag": lag,
        "lag_ms": 0,
        "caught_up": caught_up,
    }


def snap(
    *,
    topics=None,
    brokers=(1, 2, 3),
    fenced=(),
    mode="kraft",
    voters=None,
    leader=1,
    reassignments=(),
):
    if voters is None:
        voters = [voter(1)] if mode == "kraft" else []
    return {
        "metadata_mode": mode,
        "cluster_id": "c",
        "brokers": list(brokers),
        "fenced_brokers": list(fenced),
        "controller_id": leader,
        "quorum_leader": leader if mode == "kraft" else None,
        "voters": voters,
        "topics": topics or {},
        "reassignments": list(reassignments),
    }


def found(problems, *fragments):
    """Every fragment appears in one of the problems."""
    text = " | ".join(problems)
    return all(fragment in text for fragment in fragments)


# --- quorum arithmetic ----------------------------------------------------------------


@pytest.mark.parametrize(("voters", "needed"), [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (7, 4)])
def test_majority(voters, needed):
    assert health.majority(voters) == needed


def quorum(leader=1, leader_offset=100, now=10_000, followers=()):
    """A DescribeQuorum partition; followers are (id, log_end_offset, last_caught_up_timestamp)."""
    voters = [
        {
            "replica_id": leader,
            "log_end_offset": leader_offset,
            "last_caught_up_timestamp": now,
            "last_fetch_timestamp": now,
        }
    ]
    voters += [
        {"replica_id": node, "log_end_offset": offset, "last_caught_up_timestamp": caught_up_at}
        for node, offset, caught_up_at in followers
    ]
    return {"leader_id": leader, "high_watermark": leader_offset, "current_voters": voters}


@pytest.mark.parametrize(
    ("follower", "expected"),
    [
        # (id, log end offset, last caught up at) -> (lag, lag_ms, caught_up)
        ((2, 100, 10_000), (0, 0, True)),
        ((2, 99, 9_800), (1, 200, True)),  # one no-op behind: the idle flicker
        ((2, 0, 9_900), (100, 100, True)),  # a burst of partition changes, fetching fast
        ((2, 99, 4_000), (1, 6_000, False)),  # stopped 6 s ago: few records, but old
        ((2, -1, 9_900), (None, 100, False)),  # offset unknown to the leader
        ((2, 100, -1), (0, None, False)),  # never seen caught up
    ],
)
def test_voter_states(follower, expected):
    leader_state, follower_state = health.voter_states(quorum(followers=[follower]), max_lag=1000)
    assert leader_state == {
        "id": 1,
        "directory_id": None,
        "log_end_offset": 100,
        "lag": 0,
        "lag_ms": 0,
        "caught_up": True,
    }
    assert (follower_state["lag"], follower_state["lag_ms"], follower_state["caught_up"]) == (
        expected
    )


@pytest.mark.parametrize(("max_lag", "caught_up"), [(0, False), (4, False), (5, True)])
def test_max_controller_lag_counts_records(max_lag, caught_up):
    [_leader, follower] = health.voter_states(quorum(followers=[(2, 95, 9_900)]), max_lag=max_lag)
    assert follower["caught_up"] is caught_up


def test_without_timestamps_only_the_record_lag_counts():
    """Brokers before 3.3 report -1 for every timestamp."""
    old = quorum(now=-1, followers=[(2, 98, -1), (3, 10, -1)])
    states = health.voter_states(old, max_lag=5)
    assert [(s["id"], s["lag"], s["lag_ms"], s["caught_up"]) for s in states] == [
        (1, 0, 0, True),
        (2, 2, None, True),
        (3, 90, None, False),
    ]


def voters_with(count, lagging=(), leader=1):
    return [voter(node, node == leader or node not in lagging) for node in range(1, count + 1)]


@pytest.mark.parametrize(
    ("count", "lagging", "node", "refused"),
    [
        (1, (), 1, True),  # the only voter: the quorum cannot lose it
        (3, (), 2, False),
        (3, (), 1, False),  # the leader may stop: two caught-up voters elect a new one
        (3, (3,), 2, True),  # 1 and a lagging 3 are not a majority of 3
        (3, (3,), 1, True),  # nor when the leader stops
        (3, (3,), 3, False),  # stopping the lagging one leaves 1 and 2
        (3, (2, 3), 3, True),
        (5, (5,), 1, False),  # 2, 3, 4 remain: 3 of 5
        (5, (5,), 2, False),
        (5, (4, 5), 2, True),  # 1 and 3 remain: 2 of 5
        (5, (4, 5), 4, False),  # 1, 2, 3 remain
        (3, (2, 3), 7, False),  # a broker-only node does not touch the quorum
    ],
)
def test_quorum_majority_without_the_node(count, lagging, node, refused):
    snapshot = snap(voters=voters_with(count, lagging))
    problems = health.quorum_stop_problems(snapshot, node)
    assert bool(problems) is refused, problems
    if refused:
        assert found(problems, f"stopping controller voter {node}", f"of {count}")


def test_the_sole_voter_message_says_what_to_do():
    [problem] = health.quorum_stop_problems(snap(voters=[voter(1)]), 1)
    assert problem == (
        "stopping controller voter 1 would leave 0 caught-up voter(s) (none) of 1, and the"
        " quorum needs 1: a quorum of 1 voter(s) cannot lose one; add controller voters first"
    )


def test_lagging_voters_are_named_with_their_lag():
    voters = [voter(1), voter(2), voter(3, caught_up=False, lag=1500)]
    [problem] = health.quorum_stop_problems(snap(voters=voters), 2)
    assert "not caught up: 3 (1500 records behind, caught up 0 ms ago)" in problem
    assert "wait until the other voters have caught up" in problem


@pytest.mark.parametrize(
    ("snapshot", "fragments"),
    [
        (snap(voters=voters_with(3)), None),
        (snap(voters=voters_with(3, lagging=(3,))), ["controller voter(s) 3", "leader 1"]),
        (snap(voters=voters_with(3), leader=-1), ["has no leader"]),
        (snap(mode="zookeeper", leader=5), None),
    ],
)
def test_quorum_health(snapshot, fragments):
    problems = health.quorum_health_problems(snapshot, max_lag=1000)
    if fragments is None:
        assert problems == []
    else:
        assert found(problems, *fragments), problems


def test_no_quorum_leader_refuses_any_stop():
    assert found(
        health.quorum_stop_problems(snap(voters=voters_with(3), leader=-1), 7), "no leader"
    )


# --- partitions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("partition", "min_isr", "risky"),
    [
        (part([2]), 1, True),  # RF 1: the node holds the only replica
        (part([2], leader=-1), 1, True),  # RF 1, already offline
        (part([2, 3]), 2, True),  # RF 2 / min ISR 2: one left is below 2
        (part([2, 3]), 1, False),  # RF 2 / min ISR 1
        (part([1, 2, 3]), 2, False),  # RF 3 / min ISR 2: two remain
        (part([1, 2, 3], isr=[2, 3]), 2, True),  # RF 3 / min ISR 2, already one short
        (part([1, 2, 3]), 3, True),  # RF 3 / min ISR 3
        (part([1, 2, 3], isr=[1, 3]), 2, False),  # the node is not in the ISR
        (part([1, 3]), 2, False),  # the node holds no replica
        (part([2]), None, True),  # min ISR unknown counts as 1
        (part([2, 3]), 0, False),  # nonsense 0 counts as 1
    ],
)
def test_min_isr_per_topic(partition, min_isr, risky):
    topics = {"t": {0: partition}}
    min_isrs = {} if min_isr is None else {"t": min_isr}
    assert bool(health.at_risk(topics, min_isrs, 2)) is risky


@pytest.mark.parametrize(
    ("partition", "min_isr", "lasting"),
    [
        (part([2]), 1, True),  # RF 1 on the node: no wait brings a second replica
        (part([2, 3]), 2, True),  # RF 2 / min ISR 2: one replica left is always below 2
        (part([1, 2, 3]), 3, True),  # RF 3 / min ISR 3
        (part([1, 2, 3], isr=[2, 3]), 2, False),  # one short now, but it can catch up
        (part([1, 2, 3]), 2, False),
        (part([1, 3]), 2, False),  # the node holds no replica
        (part([2]), None, True),  # min ISR unknown counts as 1
    ],
)
def test_lasting_risks_are_those_no_wait_can_fix(partition, min_isr, lasting):
    topics = {"t": {0: partition}}
    min_isrs = {} if min_isr is None else {"t": min_isr}
    assert health.lasting_risks(topics, min_isrs, 2) == ([("t", 0)] if lasting else [])


def test_min_isr_is_each_topics_own():
    topics = {"strict": {0: part([1, 2, 3])}, "loose": {0: part([1, 2, 3])}}
    risky = health.at_risk(topics, {"strict": 3, "loose": 2}, 2)
    assert risky == [("strict", 0, [1, 2, 3], 3)]
    assert health.topics_in_isr(topics, 2) == ["loose", "strict"]
    assert health.topics_in_isr(topics, 9) == []


@pytest.mark.parametrize(
    ("topics", "under", "leaderless"),
    [
        ({"t": {0: part([1, 2, 3])}}, [], []),
        ({"t": {0: part([1, 2, 3], isr=[1, 2])}}, [("t", 0)], []),
        ({"t": {0: part([3], leader=-1)}}, [], [("t", 0)]),  # KRaft keeps the last ISR
        ({"t": {0: part([2, 3], isr=[3], leader=-1)}}, [("t", 0)], [("t", 0)]),
        (
            {"b": {10: part([1, 2], isr=[1]), 2: part([1, 2], isr=[2])}, "a": {0: part([1])}},
            [("b", 2), ("b", 10)],
            [],
        ),
    ],
)
def test_under_replicated_and_offline(topics, under, leaderless):
    assert health.under_replicated(topics) == under
    assert health.offline(topics) == leaderless


def test_replication_problems_count_and_cut_long_lists():
    topics = {"t": {index: part([1, 2], isr=[1]) for index in range(25)}}
    [problem] = health.replication_problems(snap(topics=topics))
    assert problem.startswith("25 partition(s) are under-replicated: t-0, t-1, t-2,")
    assert "t-9 and 15 more" in problem


# --- the stop gate --------------------------------------------------------------------------


HEALTHY_TOPICS = {
    "rf3": {0: part([1, 2, 3]), 1: part([2, 3, 1]), 2: part([3, 1, 2])},
    "rf2": {0: part([1, 3])},
}


@pytest.mark.parametrize(
    ("snapshot", "min_isr", "node", "fragments"),
    [
        (snap(topics=HEALTHY_TOPICS), {"rf3": 2, "rf2": 1}, 2, None),
        (
            snap(topics=HEALTHY_TOPICS, reassignments=["rf3-1"]),
            {"rf3": 2},
            2,
            ["reassignment in progress for rf3-1"],
        ),
        (
            snap(topics={"rf3": {0: part([1, 2, 3], isr=[1, 2])}}),
            {"rf3": 2},
            1,  # node 3 is behind; stopping 1 must wait even though 1 keeps min ISR
            ["1 partition(s) are under-replicated: rf3-0"],
        ),
        (
            snap(topics={"solo": {0: part([2])}}),
            {"solo": 1},
            2,
            [
                "stopping node 2 would leave 1 partition(s)",
                "solo-0 (isr [2], min.insync.replicas 1)",
            ],
        ),
        (
            snap(topics={"pair": {0: part([3, 2])}}),
            {"pair": 2},
            2,
            ["pair-0 (isr [3, 2], min.insync.replicas 2)"],
        ),
        (
            snap(topics=HEALTHY_TOPICS, voters=[voter(1)]),
            {"rf3": 2},
            1,  # the sole controller voter
            ["stopping controller voter 1"],
        ),
        (snap(topics=HEALTHY_TOPICS, mode="zookeeper"), {"rf3": 2}, 1, None),
    ],
)
def test_stoppable_problems(snapshot, min_isr, node, fragments):
    problems = health.stoppable_problems(snapshot, node, min_isr)
    if fragments is None:
        assert problems == []
    else:
        assert found(problems, *fragments), problems


def test_every_reason_to_refuse_is_listed_at_once():
    snapshot = snap(
        topics={"solo": {0: part([1])}, "lag": {0: part([2, 3], isr=[2])}},
        voters=[voter(1)],
        reassignments=["lag-0"],
    )
    problems = health.stoppable_problems(snapshot, 1, {})
    assert len(problems) == 4, problems
    assert found(problems, "reassignment", "under-replicated", "solo-0", "controller voter 1")


# --- the restart gate -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("snapshot", "node", "expected", "fragments"),
    [
        (snap(), 2, None, None),
        (snap(brokers=[1, 3], fenced=[2]), 2, None, ["broker 2 is registered but fenced"]),
        (
            snap(brokers=[1, 3], topics={"t": {0: part([2, 1], isr=[1], leader=1)}}),
            2,  # ZooKeeper mode forgets a stopped broker; its replica shows what it is
            None,
            ["broker 2 is not registered", "1 partition(s) are under-replicated: t-0"],
        ),
        (snap(brokers=[1, 3]), 2, [1, 2, 3], ["broker 2 is not registered"]),
        (snap(brokers=[1, 3]), None, [1, 2, 3], ["broker 2 is not registered"]),
        (snap(brokers=[1, 2]), 9, None, ["node 9 is not part of this cluster", "expected_brokers"]),
        # a controller-only voter is no broker: only the quorum counts for it
        (snap(brokers=[1, 2, 3], voters=[*voters_with(3), voter(9)]), 9, None, None),
        (
            snap(voters=[voter(1), voter(9, caught_up=False, lag=40)]),
            9,
            None,
            ["controller voter(s) 9 (40 records behind"],
        ),
        (
            snap(topics={"t": {0: part([1, 2], isr=[1])}}),
            2,
            [1, 2, 3],
            ["under-replicated: t-0"],
        ),
        (snap(mode="zookeeper", brokers=[0]), 0, [0], None),
    ],
)
def test_healthy_problems(snapshot, node, expected, fragments):
    problems = health.healthy_problems(snapshot, node, expected, max_lag=1000)
    if fragments is None:
        assert problems == []
    else:
        assert found(problems, *fragments), problems


@pytest.mark.parametrize(
    ("snapshot", "node", "expected", "roles"),
    [
        (snap(), 2, None, (True, False, True)),
        (snap(brokers=[1, 3], fenced=[2]), 2, None, (True, False, True)),
        (snap(brokers=[1]), 2, [1, 2], (True, False, True)),
        (snap(brokers=[1], topics={"t": {0: part([2])}}), 2, None, (True, False, True)),
        (snap(voters=[voter(1), voter(9)]), 9, None, (False, True, True)),
        (snap(voters=[voter(1)]), 1, None, (True, True, True)),  # combined node
        (snap(), 9, None, (False, False, False)),
    ],
)
def test_node_roles(snapshot, node, expected, roles):
    found_roles = health.node_roles(snapshot, node, expected)
    assert (found_roles["broker"], found_roles["voter"], found_roles["known"]) == roles


def test_the_unknown_node_message_lists_what_the_cluster_has():
    message = health.unknown_node_message(snap(fenced=[4], voters=[voter(1)]), 9)
    assert message == (
        "node 9 is not part of this cluster: it is no registered broker (brokers: 1, 2, 3),"
        " fenced: 4, holds no replica, and is no controller voter (voters: 1); check node_id"
    )


@pytest.mark.parametrize(
    ("snapshot", "node", "expected", "phases"),
    [
        (snap(), 2, None, {"registered": True, "in_sync": True, "quorum": True}),
        (
            snap(brokers=[1, 3], fenced=[2]),
            2,
            None,
            {"registered": False, "in_sync": True, "quorum": True},
        ),
        (snap(), None, None, {"in_sync": True, "quorum": True}),
        (snap(), None, [1, 2, 3, 4], {"registered": False, "in_sync": True, "quorum": True}),
        (snap(mode="zookeeper", brokers=[0]), 0, None, {"registered": True, "in_sync": True}),
        (snap(voters=[voter(1), voter(9)]), 9, None, {"in_sync": True, "quorum": True}),
        (
            snap(topics={"t": {0: part([1, 2], isr=[1])}}, voters=[voter(1), voter(2, False)]),
            2,
            None,
            {"registered": True, "in_sync": False, "quorum": False},
        ),
    ],
)
def test_phase_conditions(snapshot, node, expected, phases):
    assert health.phase_conditions(snapshot, node, expected, max_lag=1000) == phases


# --- preferred leader election --------------------------------------------------------------


ELECTION_TOPICS = {
    "t": {
        0: part([3, 1, 2], leader=1),  # preferred 3 does not lead: elect
        1: part([3, 1, 2]),  # preferred 3 leads already
        2: part([1, 3, 2], leader=3),  # preferred 1 does not lead
        3: part([3, 1, 2], isr=[1, 2], leader=1),  # preferred 3 is not in sync: Kafka refuses
    },
    "u": {0: part([3, 2], leader=2), 10: part([3, 2], leader=2), 2: part([2, 3], leader=3)},
}


@pytest.mark.parametrize(
    ("node", "brokers", "expected"),
    [
        (3, [1, 2, 3], {"t": [0], "u": [0, 10]}),
        (1, [1, 2, 3], {"t": [2]}),
        (None, [1, 2, 3], {"t": [0, 2], "u": [0, 2, 10]}),
        (3, [1, 2], {}),  # 3 is not registered: nothing to elect it for
        (4, [1, 2, 3, 4], {}),
    ],
)
def test_partitions_to_elect(node, brokers, expected):
    assert health.preferred_elections(ELECTION_TOPICS, brokers, node) == expected


def test_election_names_sort_partitions_as_numbers():
    assert health.election_names({"u": [10, 2], "t": [0]}) == ["t-0", "u-2", "u-10"]


def test_election_outcome():
    results = [
        ("t", 0, 0, None),
        ("t", 1, 84, "Leader election not needed"),  # someone else moved it already
        ("u", 2, 80, "The preferred leader was not available."),
        ("u", 10, 0, None),
    ]
    assert health.election_outcome(results) == (
        ["t-0", "u-10"],
        ["u-2: The preferred leader was not available."],
    )


# --- input --------------------------------------------------------------------------------


def params(**overrides):
    base = {
        "wait_for": "none",
        "node_id": None,
        "expected_brokers": None,
        "timeout": 300,
        "poll_interval": 0.5,
        "elect_preferred_leaders": False,
        "max_controller_lag": 1000,
    }
    return {**base, **overrides}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"wait_for": "stoppable"}, "wait_for=stoppable needs node_id"),
        ({"node_id": -1}, "node_id must be a node id (0 or more), got -1"),
        (
            {"expected_brokers": [1, -2]},
            "expected_brokers must be broker ids (0 or more), got [-2]",
        ),
        ({"timeout": -1}, "timeout must be 0 (check once) or a number of seconds, got -1"),
        ({"poll_interval": 0}, "poll_interval must be more than 0 seconds, got 0"),
        ({"max_controller_lag": -5}, "max_controller_lag must be 0 or more records, got -5"),
        (
            {"elect_preferred_leaders": True, "wait_for": "stoppable", "node_id": 1},
            "elect_preferred_leaders needs wait_for=healthy (got wait_for=stoppable)",
        ),
    ],
)
def test_wrong_input(overrides, message):
    problems = health.input_problems(params(**overrides))
    assert found(problems, message), problems


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"wait_for": "stoppable", "node_id": 0, "timeout": 0},
        {"wait_for": "healthy", "elect_preferred_leaders": True},
        {"wait_for": "healthy", "node_id": 3, "expected_brokers": [1, 2, 3]},
    ],
)
def test_right_input(overrides):
    assert health.input_problems(params(**overrides)) == []


def test_all_wrong_input_is_reported_together():
    problems = health.input_problems(params(wait_for="stoppable", timeout=-1, poll_interval=-1))
    assert len(problems) == 3


@pytest.mark.parametrize(
    ("items", "text"),
    [([], ""), ([1, 2], "1, 2"), (list(range(12)), "0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 2 more")],
)
def test_listing(items, text):
    assert health.listing(items) == text


def test_lists_in_results_are_capped():
    assert len(health.capped(str(index) for index in range(500))) == health.LIST_LIMIT


# --- the reads, on a stand-in admin client shaped like kafka-python 3.0's answers ----------


class FakeAdmin:
    """Answers as kafka-python 3.0.12 did from Kafka 4.4 (KRaft) and 3.9 (ZooKeeper mode)."""

    def __init__(self, kraft=True, controller_id=2):
        self.kraft = kraft
        self._controller_id = controller_id  # kafka-python's remembered controller
        self.controller_at_reassignment_list = "unset"

    def describe_cluster(self):
        brokers = [
            {"broker_id": 1, "host": "h", "port": 1, "rack": None, "is_fenced": False},
            {"broker_id": 3, "host": "h", "port": 3, "rack": None, "is_fenced": True},
            {"broker_id": 2, "host": "h", "port": 2, "rack": None, "is_fenced": False},
        ]
        if not self.kraft:  # DescribeCluster below v2 has no is_fenced
            brokers = [{"broker_id": 0, "host": "h", "port": 1, "rack": None}]
        return {"cluster_id": "cid", "controller_id": 2 if self.kraft else 0, "brokers": brokers}

    def describe_metadata_quorum(self):
        if not self.kraft:
            from kafka.errors import IncompatibleBrokerVersion

            raise IncompatibleBrokerVersion("no DescribeQuorumRequest")
        # Directory ids as kafka-python reads them (Kafka 4.4 answered these in a trial).
        voter = {
            "replica_id": 1,
            "log_end_offset": 75,
            "last_caught_up_timestamp": 5000,
            "replica_directory_id": "5ef613a2-63f7-1ef6-9f67-0b556f67a7a5",
        }
        observer = {
            "replica_id": 2,
            "log_end_offset": 74,
            "last_caught_up_timestamp": 4800,
            "replica_directory_id": "00000000-0000-0000-0000-000000000000",
        }
        partition = {
            "partition_index": 0,
            "leader_id": 1,
            "leader_epoch": 1,
            "high_watermark": 75,
            "current_voters": [voter],
            "observers": [observer],
            "error": None,
        }
        nodes = [{"node_id": 1, "listeners": [{"name": "CONTROLLER", "host": "h1", "port": 9093}]}]
        return {
            "topics": [{"topic_name": "__cluster_metadata", "partitions": [partition]}],
            "nodes": nodes,
        }

    def describe_topics(self, topics=None):
        partition = {
            "error_code": 0,
            "partition_index": 0,
            "leader_id": 1,
            "replica_nodes": [1, 2, 3],
            "isr_nodes": [1, 2],
            "offline_replicas": [],
        }
        return [{"error_code": 0, "name": "x", "is_internal": False, "partitions": [partition]}]

    def list_partition_reassignments(self):
        from kafka.structs import TopicPartition

        self.controller_at_reassignment_list = self._controller_id
        return {TopicPartition("x", 0): {"replicas": [1, 2, 3], "adding_replicas": [3]}}

    def describe_configs(self, resources, config_filter="modified"):
        assert config_filter == "all"
        return {
            "topic": {
                r.name: {"min.insync.replicas": {"value": "2", "config_source": "DEFAULT_CONFIG"}}
                for r in resources
            }
        }


def test_read_snapshot_kraft():
    admin = FakeAdmin()
    snapshot = health.read_snapshot(admin, max_lag=1000)
    assert snapshot["metadata_mode"] == "kraft"
    assert (snapshot["brokers"], snapshot["fenced_brokers"]) == ([1, 2], [3])
    assert snapshot["controller_id"] == 1  # the quorum leader, not DescribeCluster's pick (2)
    assert snapshot["voters"] == [
        {
            "id": 1,
            "directory_id": "XvYTomP3HvafZwtVb2enpQ",  # what kafka-metadata-quorum.sh printed
            "endpoint": "h1:9093",
            "log_end_offset": 75,
            "lag": 0,
            "lag_ms": 0,
            "caught_up": True,
        }
    ]
    # A broker formatted before KIP-853 has the zero directory id: none.
    assert snapshot["observers"] == [{"id": 2, "directory_id": None, "lag": 1}]
    assert snapshot["topics"] == {"x": {0: {"replicas": [1, 2, 3], "isr": [1, 2], "leader": 1}}}
    assert snapshot["reassignments"] == ["x-0"]
    # the remembered controller is forgotten before the controller request of every poll
    assert admin.controller_at_reassignment_list is None


def test_read_snapshot_tells_zookeeper_mode_by_the_missing_quorum_api():
    snapshot = health.read_snapshot(FakeAdmin(kraft=False))
    assert snapshot["metadata_mode"] == "zookeeper"
    assert (snapshot["brokers"], snapshot["fenced_brokers"]) == ([0], [])
    assert (snapshot["controller_id"], snapshot["voters"]) == (0, [])
    assert snapshot["observers"] == []


@pytest.mark.parametrize(
    ("read", "kafka_spelling"),
    [
        ("5ef613a2-63f7-1ef6-9f67-0b556f67a7a5", "XvYTomP3HvafZwtVb2enpQ"),
        ("015f0905-b03d-a774-85eb-700a38f39278", "AV8JBbA9p3SF63AKOPOSeA"),
        ("eb5fa436-3538-3f29-4094-8395eb7e58ae", "61-kNjU4PylAlIOV635Yrg"),
        ("00000000-0000-0000-0000-000000000000", None),
        (None, None),
        ("", None),
    ],
)
def test_directory_ids_are_spelled_as_kafkas_tools_spell_them(read, kafka_spelling):
    """Pairs that kafka-python and kafka-metadata-quorum.sh reported for the same voters."""
    assert health.kafka_uuid(read) == kafka_spelling


def test_controller_endpoints_need_kip_853_nodes():
    assert health.controller_endpoints({"topics": []}) == {}
    nodes = [
        {"node_id": 4, "listeners": [{"name": "CONTROLLER", "host": "10.0.0.4", "port": 9093}]},
        {"node_id": 5, "listeners": []},
    ]
    assert health.controller_endpoints({"nodes": nodes}) == {4: "10.0.0.4:9093"}


def test_read_snapshot_reraises_other_errors():
    class Broken(FakeAdmin):
        def describe_metadata_quorum(self):
            from kafka.errors import KafkaConnectionError

            raise KafkaConnectionError("controller unreachable")

    with pytest.raises(Exception, match="controller unreachable"):
        health.read_snapshot(Broken())


def test_read_min_isr_is_one_batched_request():
    assert health.read_min_isr(FakeAdmin(), ["a", "b"]) == {"a": 2, "b": 2}
    assert health.read_min_isr(FakeAdmin(), []) == {}


def test_elect_preferred_reads_every_partition_result():
    from types import SimpleNamespace as Answer

    class Electing(FakeAdmin):
        def elect_leaders(self, election_type, topic_partitions, timeout_ms, raise_errors):
            self.asked = (
                election_type,
                topic_partitions,
                timeout_ms,
                raise_errors,
                self._controller_id,
            )
            partitions = [
                Answer(partition_id=0, error_code=0, error_message=None),
                Answer(partition_id=3, error_code=84, error_message="not needed"),
            ]
            return Answer(replica_election_results=[Answer(topic="t", partition_result=partitions)])

    admin = Electing()
    assert health.elect_preferred(admin, {"t": [0, 3]}, 5000) == [
        ("t", 0, 0, None),
        ("t", 3, 84, "not needed"),
    ]
    assert admin.asked == (0, {"t": [0, 3]}, 5000, False, None)


# --- nodes that stop together (the brokers of one rack) ------------------------------------

# Six brokers in three racks (a: 1, 4; b: 2, 5; c: 3, 6), min.insync.replicas 2.
RACK_SPREAD = {"spread": {0: part([1, 2, 3]), 1: part([4, 5, 6]), 2: part([2, 6, 4])}}
RACK_CROWDED = {"crowded": {0: part([1, 4, 2])}}  # two replicas in rack a


@pytest.mark.parametrize(
    ("topics", "batch", "risky"),
    [
        (RACK_SPREAD, [1, 4], []),  # rack a down: every partition keeps two in sync
        (RACK_SPREAD, [2, 5], []),
        (RACK_SPREAD, [1, 2], [("spread", 0)]),  # two racks' brokers: 3 alone is below 2
        (RACK_CROWDED, [1, 4], [("crowded", 0)]),  # the crowded rack takes two replicas
        (RACK_CROWDED, [3, 6], []),  # a rack that holds none of its replicas
        (RACK_CROWDED, [1], []),  # one at a time it is safe
    ],
)
def test_a_batch_is_at_risk_when_the_partition_loses_too_many_replicas_at_once(
    topics, batch, risky
):
    min_isrs = dict.fromkeys(topics, 2)
    assert [(t, p) for t, p, _isr, _min in health.at_risk(topics, min_isrs, batch)] == risky
    # With every replica in sync no wait helps either: the risks last.
    assert health.lasting_risks(topics, min_isrs, batch) == risky
    assert health.topics_in_isr(topics, batch) == (sorted(topics) if set(batch) & {1, 2, 4} else [])


def test_a_batch_refused_names_every_node_and_says_to_go_one_at_a_time():
    snapshot = snap(topics=RACK_CROWDED, brokers=(1, 2, 3, 4, 5, 6), mode="zookeeper")
    [problem] = health.stoppable_problems(snapshot, [4, 1], {"crowded": 2})
    assert problem == (
        "stopping nodes 1, 4 together would leave 1 partition(s) below their"
        " min.insync.replicas: crowded-0 (isr [1, 4, 2], min.insync.replicas 2): stop them one"
        " at a time, or spread those partitions' replicas wider"
    )
    assert health.stoppable_problems(snapshot, [3, 6], {"crowded": 2}) == []


@pytest.mark.parametrize(
    ("count", "batch", "refused"),
    [
        (3, [2, 7], False),  # one voter of three and a broker-only node
        (3, [2, 3], True),  # two of three voters
        (5, [4, 5], False),  # three of five remain
        (5, [1, 4, 5], True),
    ],
)
def test_a_batch_keeps_a_majority_of_voters(count, batch, refused):
    problems = health.quorum_stop_problems(snap(voters=voters_with(count)), batch)
    assert bool(problems) is refused, problems
    if refused:
        voters_in_batch = [node for node in batch if node <= count]
        assert found(
            problems,
            f"stopping controller voters {', '.join(map(str, voters_in_batch))}",
            f"cannot lose {len(voters_in_batch)} at once; stop them one at a time",
        )


def test_a_restarted_batch_is_healthy_only_when_each_node_is_back():
    snapshot = snap(topics=RACK_SPREAD, brokers=(1, 2, 3, 5, 6), fenced=(4,), mode="zookeeper")
    assert health.registration_problems(snapshot, [1, 4]) == [
        "broker 4 is registered but fenced: it is still starting (loading its logs, catching up"
        " with metadata) or has stopped"
    ]
    assert health.phase_conditions(snapshot, [1, 4])["registered"] is False
    back = snap(topics=RACK_SPREAD, brokers=(1, 2, 3, 4, 5, 6), mode="zookeeper")
    assert health.registration_problems(back, [1, 4]) == []


def test_a_batch_gets_the_leaderships_of_each_of_its_nodes_back():
    topics = {"t": {0: part([1, 2, 3], leader=2), 1: part([4, 5, 6], leader=5), 2: part([2, 1])}}
    assert health.preferred_elections(topics, [1, 2, 3, 4, 5, 6], [1, 4]) == {"t": [0, 1]}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"node_id": 1, "node_ids": [1, 2]}, "node_id and node_ids are mutually exclusive"),
        ({"wait_for": "stoppable", "node_ids": []}, "wait_for=stoppable needs node_id"),
        ({"node_ids": [1, -2]}, "node_ids must be node ids (0 or more), got [-2]"),
        ({"node_ids": [1, 1]}, "node_ids lists a node more than once: [1, 1]"),
    ],
)
def test_wrong_batches_are_refused_before_anything_is_read(params, message):
    defaults = {
        "wait_for": "none",
        "node_id": None,
        "node_ids": None,
        "expected_brokers": None,
        "timeout": 10,
        "poll_interval": 0.5,
        "max_controller_lag": 1000,
        "elect_preferred_leaders": False,
    }
    assert found(health.input_problems({**defaults, **params}), message)
