"""The rebalance planner on plain data: balance, racks, drains, movement, and refusals."""

from __future__ import annotations

import itertools
import math
import random

import pytest
from module_utils_loader import load

rebalance_plan = load("rebalance_plan")

# Three zones of two brokers each: room for a balance that keeps one replica per zone.
RACKS = {1: "zone-a", 2: "zone-b", 3: "zone-c", 4: "zone-a", 5: "zone-b", 6: "zone-c"}
ALL = [1, 2, 3, 4, 5, 6]


def three_broker_cluster(topics=4, partitions=6, factor=3, seed=7):
    """Every partition on brokers 1-3 with leaders spread, sizes from 1 to 10 MB."""
    rng = random.Random(seed)
    assignment, sizes = {}, {}
    for t in range(topics):
        for p in range(partitions):
            first = (t + p) % 3
            assignment[(f"topic-{t}", p)] = [1 + (first + r) % 3 for r in range(factor)]
            sizes[(f"topic-{t}", p)] = rng.randint(1, 10) * 1_000_000
    return assignment, sizes


def rack_rule_breaches(assignment, racks, brokers):
    """Partitions with more replicas in one rack than the racks of ``brokers`` require,
    worked out here on its own rather than by the planner's rule. A broker with no rack
    counts as a rack of its own."""
    zone = {b: racks.get(b) or f"own-{b}" for b in set(racks) | set(brokers)}
    rack_count = len({zone[b] for b in brokers})
    breaches = []
    for key, replicas in sorted(assignment.items()):
        per_rack = [sum(1 for b in replicas if zone[b] == r) for r in {zone[b] for b in replicas}]
        if per_rack and max(per_rack) > math.ceil(len(replicas) / rack_count):
            breaches.append(key)
    return breaches


def applied(assignment, moves):
    after = dict((key, list(value)) for key, value in assignment.items())
    for move in moves:
        after[(move["topic"], move["partition"])] = move["after"]
    return after


def minimum_bytes(assignment, sizes, brokers):
    """A lower bound on the bytes any balanced plan copies: per topic, each broker below the
    floor of the mean needs that many replicas of partitions it does not hold, at least the
    smallest ones."""
    total = 0
    for topic in sorted(set(key[0] for key in assignment)):
        keys = [key for key in assignment if key[0] == topic]
        counts = dict((b, sum(1 for k in keys if b in assignment[k])) for b in brokers)
        floor = sum(len(assignment[k]) for k in keys) // len(brokers)
        for broker in brokers:
            deficit = max(0, floor - counts[broker])
            candidates = sorted(sizes[k] for k in keys if broker not in assignment[k])
            total += sum(candidates[:deficit])
    return total


def assert_balanced(assignment, brokers, racks, zones_unequal=False):
    """Within one of the mean: replicas overall and per topic, and leaders. When the zones
    hold different numbers of brokers, one replica per zone makes the brokers of a smaller
    zone hold more; then the brokers of each zone are within one of each other."""
    figures = rebalance_plan.balance_figures(assignment, brokers)
    groups = [brokers]
    if zones_unequal:
        groups = [[b for b in brokers if racks[b] == zone] for zone in set(racks.values())]
    for group in groups:
        counts = [figures["replicas_per_broker"][b] for b in group if b in brokers]
        assert not counts or max(counts) - min(counts) <= 1, figures
    if not zones_unequal:
        assert figures["widest_topic_spread"] <= 1, figures
    assert figures["leader_spread"] <= 1, figures
    assert rack_rule_breaches(assignment, racks, brokers) == []
    for replicas in assignment.values():
        assert len(set(replicas)) == len(replicas)
        assert set(replicas) <= set(brokers)


def test_adding_three_brokers_balances_with_near_minimal_movement():
    assignment, sizes = three_broker_cluster()
    brokers = ALL
    plan = rebalance_plan.plan_rebalance(assignment, sizes, RACKS, brokers)
    assert plan["problems"] == []
    after = applied(assignment, plan["moves"])
    assert_balanced(after, brokers, RACKS)
    moved = sum(move["bytes"] for move in plan["moves"])
    floor = minimum_bytes(assignment, sizes, brokers)
    assert 0 < floor <= moved <= 1.2 * floor, (moved, floor)
    # No replica lands on a broker that already holds the partition; every factor kept.
    for key, replicas in after.items():
        assert len(replicas) == len(assignment[key])


def test_a_balanced_cluster_gets_no_moves():
    assignment, sizes = three_broker_cluster()
    plan = rebalance_plan.plan_rebalance(assignment, sizes, RACKS, [1, 2, 3])
    assert plan == {"moves": [], "problems": []}
    # Planning again on the result of a plan finds nothing more to do.
    first = rebalance_plan.plan_rebalance(assignment, sizes, RACKS, ALL)
    again = rebalance_plan.plan_rebalance(applied(assignment, first["moves"]), sizes, RACKS, ALL)
    assert again == {"moves": [], "problems": []}


def test_draining_a_broker_empties_it_and_keeps_one_replica_per_zone():
    assignment, sizes = three_broker_cluster()
    spread = applied(
        assignment, rebalance_plan.plan_rebalance(assignment, sizes, RACKS, ALL)["moves"]
    )
    plan = rebalance_plan.plan_rebalance(spread, sizes, RACKS, ALL, drain=[2])
    assert plan["problems"] == []
    after = applied(spread, plan["moves"])
    remaining = [1, 3, 4, 5, 6]
    assert all(2 not in replicas for replicas in after.values())
    # Zone b keeps one broker (5), which now holds a replica of every partition.
    assert_balanced(after, remaining, RACKS, zones_unequal=True)
    assert rebalance_plan.balance_figures(after, remaining)["replicas_per_broker"][5] == 24
    # Only partitions that had a replica on broker 2 copy data; the rest at most change order.
    for move in plan["moves"]:
        if move["adding"]:
            assert move["removing"] == [2] or 2 in move["before"], move


def test_a_drain_without_balance_moves_only_what_the_drained_broker_holds():
    """decommission.yml drains with balance false: on an uneven cluster, a balancing drain
    also moves replicas between the brokers that stay; this one copies only broker 6's."""
    assignment, sizes = three_broker_cluster()
    # Brokers 4 and 5 joined and took some data; 6 took more; nothing is even.
    partial = rebalance_plan.plan_rebalance(assignment, sizes, RACKS, ALL)["moves"]
    uneven = applied(assignment, partial[: len(partial) // 2])
    balancing = rebalance_plan.plan_rebalance(uneven, sizes, RACKS, ALL, drain=[6])
    assert any(6 not in m["removing"] for m in balancing["moves"] if m["adding"])

    plan = rebalance_plan.plan_rebalance(uneven, sizes, RACKS, ALL, drain=[6], balance=False)
    assert plan["problems"] == []
    copying = [m for m in plan["moves"] if m["adding"]]
    assert copying and all(m["removing"] == [6] for m in copying), copying
    assert len(copying) == sum(1 for replicas in uneven.values() if 6 in replicas)
    after = applied(uneven, plan["moves"])
    assert all(6 not in replicas for replicas in after.values())
    assert rack_rule_breaches(after, RACKS, [1, 2, 3, 4, 5]) == []
    for key, replicas in after.items():
        assert len(replicas) == 3
        if 6 not in uneven[key]:  # untouched, apart from the order (leaders)
            assert set(replicas) == set(uneven[key]), key
    assert sum(m["bytes"] for m in plan["moves"]) < sum(m["bytes"] for m in balancing["moves"])


def test_two_replicas_in_one_zone_are_split_when_zones_allow():
    assignment = {("events", 0): [1, 4, 2], ("events", 1): [2, 3, 1], ("events", 2): [3, 1, 2]}
    sizes = dict((key, 100) for key in assignment)
    brokers = [1, 2, 3, 4]
    assert rack_rule_breaches(assignment, RACKS, brokers) == [("events", 0)]
    plan = rebalance_plan.plan_rebalance(assignment, sizes, RACKS, brokers)
    after = applied(assignment, plan["moves"])
    assert rack_rule_breaches(after, RACKS, brokers) == []
    assert len([m for m in plan["moves"] if m["adding"]]) <= 2


def test_with_fewer_zones_than_replicas_each_zone_holds_as_few_as_it_can():
    racks = {1: "a", 2: "a", 3: "b", 4: "b"}
    assignment = dict((("t", p), [1, 2, 3]) for p in range(4))
    sizes = dict((key, 10) for key in assignment)
    plan = rebalance_plan.plan_rebalance(assignment, sizes, racks, [1, 2, 3, 4])
    after = applied(assignment, plan["moves"])
    for replicas in after.values():
        zones = [racks[b] for b in replicas]
        assert max(zones.count("a"), zones.count("b")) == 2


def test_brokers_without_racks_each_count_as_their_own():
    racks = dict((b, None) for b in range(1, 6))
    assignment, sizes = three_broker_cluster(topics=2)
    plan = rebalance_plan.plan_rebalance(assignment, sizes, racks, [1, 2, 3, 4, 5])
    assert_balanced(applied(assignment, plan["moves"]), [1, 2, 3, 4, 5], racks)


@pytest.mark.parametrize(
    ("brokers", "drain", "problem"),
    [
        ([1, 2, 3], [2], "has 3 replicas but only 2 broker(s) would hold replicas (1, 3)"),
        ([1, 2], [], "has replicas on broker(s) 3, which are neither"),
        ([1, 2, 3], [1, 2, 3], "no broker would be left"),
        # Broker 3 is zone c's only one: three brokers would be left, in two zones.
        (
            [1, 2, 3, 4],
            [3],
            "has 3 replicas, which can sit in 3 racks today, but only 2 rack(s) would be"
            " left (zone-a, zone-b): two of its replicas would share a rack",
        ),
    ],
)
def test_plans_that_cannot_work_are_refused_with_no_moves(brokers, drain, problem):
    assignment, sizes = three_broker_cluster(topics=1, partitions=2)
    plan = rebalance_plan.plan_rebalance(assignment, sizes, RACKS, brokers, drain=drain)
    assert plan["moves"] == []
    assert any(problem in text for text in plan["problems"]), plan["problems"]


def test_batches_cap_the_moves_that_copy_and_put_reorders_last():
    moves = [
        {"adding": [4], "removing": [1]},
        {"adding": [], "removing": []},
        {"adding": [5], "removing": [2]},
        {"adding": [4], "removing": [3]},
    ]
    planned = rebalance_plan.batches(moves, 2)
    assert [len(batch) for batch in planned] == [2, 1, 1]
    assert planned[-1] == [{"adding": [], "removing": []}]


def test_bytes_per_broker_counts_what_each_broker_receives_and_frees():
    moves = [
        {"adding": [4], "removing": [1], "bytes": 300},
        {"adding": [4, 5], "removing": [1, 2], "bytes": 200},
    ]
    assert rebalance_plan.bytes_per_broker(moves) == {
        "in": {4: 400, 5: 100},
        "out": {1: 400, 2: 100},
    }


@pytest.mark.parametrize("seed", range(5))
def test_random_clusters_end_balanced(seed):
    rng = random.Random(seed)
    brokers = list(range(1, rng.choice([4, 6, 7])))
    racks = dict((b, f"zone-{b % 3}") for b in brokers)
    assignment, sizes = {}, {}
    for t, p in itertools.product(range(rng.randint(1, 5)), range(rng.randint(1, 12))):
        assignment[(f"t{t}", p)] = rng.sample(brokers[:3], 3)
        sizes[(f"t{t}", p)] = rng.randint(0, 5000)
    plan = rebalance_plan.plan_rebalance(assignment, sizes, racks, brokers)
    assert plan["problems"] == []
    after = applied(assignment, plan["moves"])
    assert_balanced(after, brokers, racks, zones_unequal=len(brokers) % 3 != 0)
    assert rack_rule_breaches(after, racks, brokers) == []
