"""Whether each broker's disk holds what retention lets its replicas keep, on plain data."""

from __future__ import annotations

from module_utils_loader import load

storage_plan = load("storage_plan")

GB = 1_000_000_000


def test_capacity_sums_log_dirs_and_leaves_out_brokers_that_do_not_report_it():
    log_dirs = [
        {"broker": 1, "log_dirs": [{"error_code": 0, "total_bytes": 100 * GB}]},
        {
            "broker": 2,
            "log_dirs": [
                {"error_code": 0, "total_bytes": 50 * GB},
                {"error_code": 0, "total_bytes": 70 * GB},
            ],
        },
        {"broker": 3, "log_dirs": [{"error_code": 0, "total_bytes": -1}]},  # before Kafka 3.3
        {"broker": 4, "log_dirs": [{"error_code": 57, "total_bytes": 10 * GB}]},  # dir offline
    ]
    assert storage_plan.broker_capacity(log_dirs) == {1: 100 * GB, 2: 120 * GB}


def test_a_replica_may_hold_its_retention_plus_one_segment():
    assignment = {("a", 0): [1, 2], ("a", 1): [2, 3], ("b", 0): [1]}
    limits = {"a": (10 * GB, 1 * GB), "b": (-1, 1 * GB)}
    bounds, by_topic, unlimited = storage_plan.retention_bounds(assignment, limits)
    assert bounds == {1: 11 * GB, 2: 22 * GB, 3: 11 * GB}
    assert by_topic[2] == {"a": 22 * GB}
    assert unlimited == ["b"]


def test_a_broker_over_its_disk_minus_headroom_is_named_with_its_heaviest_topics():
    assignment = {("big", p): [1] for p in range(9)} | {("small", 0): [1, 2]}
    limits = {"big": (10 * GB, 1 * GB), "small": (1 * GB, 0)}
    capacity = {1: 100 * GB, 2: 100 * GB}
    # Broker 1: 9 * 11 + 1 = 100 GB, over the 90 GB that 10% headroom leaves.
    problems, warnings = storage_plan.storage_problems(assignment, limits, capacity, 10)
    assert len(problems) == 1 and problems[0].startswith("broker 1 could have to hold 100000000000")
    assert "big (99000000000 bytes), small (1000000000 bytes)" in problems[0]
    assert warnings == []
    # With no headroom it fits (100 GB on 100 GB).
    assert storage_plan.storage_problems(assignment, limits, capacity, 0) == ([], [])


def test_unlimited_topics_are_named_and_unreported_disks_not_weighed():
    assignment = {("logs", 0): [1], ("big", 0): [3]}
    limits = {"logs": (-1, GB), "big": (500 * GB, GB)}
    problems, warnings = storage_plan.storage_problems(assignment, limits, {1: GB}, 10)
    assert problems == []  # broker 3 reports no size
    assert warnings == [
        "topic(s) without a size limit (retention.bytes -1), which only retention.ms bounds: logs"
    ]
