"""Sizes and durations as people write them, and what a lower retention.bytes may delete."""

from __future__ import annotations

import pytest
from module_utils_loader import load

retention = load("retention")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (100000000, 100_000_000),
        ("100000000", 100_000_000),
        ("-1", -1),
        (-1, -1),
        ("0", 0),
        ("100MB", 100_000_000),
        ("100 MB", 100_000_000),
        ("100mb", 100_000_000),
        ("1KB", 1000),
        ("1KiB", 1024),
        ("10GiB", 10 * 1024**3),
        ("10GB", 10 * 1000**3),
        ("2TiB", 2 * 1024**4),
        ("5B", 5),
        (" 7MiB ", 7 * 1024**2),
    ],
)
def test_parse_size(text, expected):
    assert retention.parse_size(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (86400000, 86_400_000),
        ("-1", -1),
        ("7d", 7 * 86_400_000),
        ("12h", 12 * 3_600_000),
        ("30 min", 30 * 60_000),
        ("30m", 30 * 60_000),
        ("45s", 45_000),
        ("250ms", 250),
        ("2w", 14 * 86_400_000),
        ("1D", 86_400_000),
    ],
)
def test_parse_duration(text, expected):
    assert retention.parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10 GBs", "unknown unit 'GBs'"),
        ("10XB", "unknown unit 'XB'"),
        ("ten", "not a whole number"),
        ("1.5GB", "not a whole number"),
        ("10  GB", "not a whole number"),
        ("", "not a whole number"),
        ("-2", "only negative value is -1"),
        ("-1MB", "only negative value is -1"),
        (True, "must be a number"),
        (1.5, "must be a number or a string"),
        (None, "must be a number or a string"),
    ],
)
def test_parse_size_refuses(text, message):
    with pytest.raises(ValueError, match=message):
        retention.parse_size(text, "retention_bytes")


@pytest.mark.parametrize(
    ("text", "message"),
    [("7 days", "unknown unit 'days'"), ("1mo", "unknown unit 'mo'"), ("1y", "unknown unit")],
)
def test_parse_duration_refuses(text, message):
    with pytest.raises(ValueError, match=message):
        retention.parse_duration(text, "retention_ms")


@pytest.mark.parametrize(
    ("new", "current", "lower"),
    [(100, -1, True), (100, 200, True), (200, 100, False), (-1, 100, False), (100, 100, False)],
)
def test_is_lower_limit(new, current, lower):
    assert retention.is_lower_limit(new, current) is lower


def test_partition_sizes_takes_the_largest_replica_and_skips_future_copies():
    log_dirs = [
        {
            "broker": 1,
            "log_dirs": [
                {
                    "error_code": 0,
                    "topics": [
                        {
                            "name": "t",
                            "partitions": [
                                {
                                    "partition_index": 0,
                                    "partition_size": 100,
                                    "is_future_key": False,
                                },
                                {
                                    "partition_index": 1,
                                    "partition_size": 50,
                                    "is_future_key": False,
                                },
                            ],
                        }
                    ],
                },
                {"error_code": 57, "topics": [{"name": "t", "partitions": []}]},
            ],
        },
        {
            "broker": 2,
            "log_dirs": [
                {
                    "error_code": 0,
                    "topics": [
                        {
                            "name": "t",
                            "partitions": [
                                {
                                    "partition_index": 0,
                                    "partition_size": 120,
                                    "is_future_key": False,
                                },
                                {
                                    "partition_index": 1,
                                    "partition_size": 999,
                                    "is_future_key": True,
                                },
                            ],
                        }
                    ],
                }
            ],
        },
    ]
    assert retention.partition_sizes(log_dirs) == {"t": {0: 120, 1: 50}}


@pytest.mark.parametrize(
    ("sizes", "limit", "expected"),
    [
        ({0: 1000, 1: 500}, 600, 400),
        ({0: 1000, 1: 500}, -1, 0),
        ({0: 1000, 1: 500}, 0, 1500),
        ({}, 10, 0),
    ],
)
def test_bytes_over_limit_counts_each_partition_on_its_own(sizes, limit, expected):
    assert retention.bytes_over_limit(sizes, limit) == expected


def test_plan_retention_leaves_topics_already_right():
    desired = {"retention.bytes": 100, "retention.ms": 1000}
    current = {
        "a": {"retention.bytes": 100, "retention.ms": 1000},
        "b": {"retention.bytes": -1, "retention.ms": 1000},
    }
    assert retention.plan_retention(desired, current) == {
        "b": {"retention.bytes": {"before": -1, "after": 100}}
    }
