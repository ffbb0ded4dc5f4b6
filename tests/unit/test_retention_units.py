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
        ("1KB", 1000),
        ("1kB", 1000),
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
        ("12H", 12 * 3_600_000),
        ("45S", 45_000),
        ("2W", 14 * 86_400_000),
        ("0", 0),
        (str(2**63 - 1), 2**63 - 1),
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
        # A unit whose case changes its meaning is refused, naming the spelling to use.
        ("100mb", "unit 'mb', which is refused because its case changes its meaning.*write MB"),
        ("100Mb", "unit 'Mb', which is refused.*write MB"),
        ("100mB", "unit 'mB', which is refused.*write MB"),
        ("10kb", "unit 'kb', which is refused.*write KB or kB"),
        ("10Kib", "unit 'Kib', which is refused.*write KiB"),
        ("10KIB", "unit 'KIB', which is refused.*write KiB"),
        ("10gib", "unit 'gib', which is refused.*write GiB"),
        ("5b", "unit 'b', which is refused.*write B"),
        ("1tb", "unit 'tb', which is refused.*write TB"),
        # A negative zero reads as a typo of 0 or -1.
        ("-0", "negative zero"),
        ("-00", "negative zero"),
        ("-0MB", "negative zero"),
        # Numbers Kafka's long cannot hold.
        (2**63, "more than Kafka can hold"),
        ("9223372036854775808", "more than Kafka can hold"),
        ("10000000TB", "more than Kafka can hold"),
        # Digits only in ASCII; no sign, underscores, separators, other spaces.
        ("\u0661\u0660MB", "not a whole number"),
        ("+5MB", "not a whole number"),
        ("1_000", "not a whole number"),
        ("1,000", "not a whole number"),
        ("100\u00a0MB", "not a whole number"),
        ("100 M B", "not a whole number"),
        ("MB", "not a whole number"),
        ([100], "must be a number or a string"),
        ({"MB": 100}, "must be a number or a string"),
    ],
)
def test_parse_size_refuses(text, message):
    with pytest.raises(ValueError, match=message):
        retention.parse_size(text, "retention_bytes")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("7 days", "unknown unit 'days'"),
        ("1mo", "unknown unit 'mo'"),
        ("1y", "unknown unit"),
        ("30M", "unit 'M', which is refused because its case changes its meaning.*write m"),
        ("5MS", "unit 'MS', which is refused.*write ms"),
        ("5Ms", "unit 'Ms', which is refused.*write ms"),
        ("5mS", "unit 'mS', which is refused.*write ms"),
        ("30Min", "unit 'Min', which is refused.*write min"),
        ("30MIN", "unit 'MIN', which is refused.*write min"),
        ("-0", "negative zero"),
        ("-0d", "negative zero"),
        ("-1d", "only negative value is -1"),
        ("1.5h", "not a whole number"),
        (str(2**63), "more than Kafka can hold"),
        ("99999999999999999w", "more than Kafka can hold"),
        (False, "must be a number"),
    ],
)
def test_parse_duration_refuses(text, message):
    with pytest.raises(ValueError, match=message):
        retention.parse_duration(text, "retention_ms")


def test_a_refused_unit_names_every_accepted_spelling():
    with pytest.raises(ValueError) as size_error:
        retention.parse_size("1mb", "retention_bytes")
    assert retention.SIZE_UNIT_NAMES in str(size_error.value)
    with pytest.raises(ValueError) as duration_error:
        retention.parse_duration("1M", "retention_ms")
    assert retention.DURATION_UNIT_NAMES in str(duration_error.value)


@pytest.mark.parametrize(
    ("value", "expected", "message"),
    [
        (0, 0, None),
        ("5GiB", 5 * 1024**3, None),
        (-1, None, "cannot be unlimited"),
        ("-1", None, "cannot be unlimited"),
        ("-0", None, "negative zero"),
        ("lots", None, "not a whole number"),
        ("5mb", None, "write MB"),
        (True, None, "must be a number"),
    ],
)
def test_parse_max_delete(value, expected, message):
    if message is None:
        assert retention.parse_max_delete(value) == expected
    else:
        with pytest.raises(ValueError, match=message):
            retention.parse_max_delete(value)


@pytest.mark.parametrize(
    ("key", "value", "expected", "message"),
    [
        ("retention.ms", "86400000", 86_400_000, None),
        ("retention.ms", "-1", -1, None),
        ("retention.bytes", " 1000 ", 1000, None),
        ("retention.ms", "7d", None, "takes a whole number of ms or -1 in config.*retention_ms"),
        ("retention.bytes", "100MB", None, "whole number of bytes.*retention_bytes"),
        ("retention.ms", "-0", None, "negative zero"),
        ("retention.ms", "-2", None, "only negative value is -1"),
        ("retention.bytes", "1.5", None, "takes a whole number"),
        ("retention.bytes", "true", None, "takes a whole number"),
        ("retention.bytes", str(2**63), None, "more than Kafka can hold"),
    ],
)
def test_parse_kafka_retention(key, value, expected, message):
    if message is None:
        assert retention.parse_kafka_retention(key, value) == expected
    else:
        with pytest.raises(ValueError, match=message):
            retention.parse_kafka_retention(key, value)


@pytest.mark.parametrize(
    ("new", "current", "lower"),
    [
        (100, -1, True),
        (100, 200, True),
        (200, 100, False),
        (-1, 100, False),
        (100, 100, False),
        (0, 100, True),
        (None, 100, False),
        (100, None, False),
    ],
)
def test_is_lower_limit(new, current, lower):
    assert retention.is_lower_limit(new, current) is lower


@pytest.mark.parametrize(
    ("before", "after", "lowered"),
    [
        ({"retention.ms": -1}, {"retention.ms": 604800000}, {"retention.ms": 604800000}),
        ({"retention.ms": 100}, {"retention.ms": 200}, {}),
        (
            {"retention.bytes": -1, "retention.ms": 100},
            {"retention.bytes": 10, "retention.ms": 50},
            {"retention.bytes": 10, "retention.ms": 50},
        ),
        ({"retention.bytes": 10}, {"retention.bytes": -1}, {}),
        ({}, {"retention.bytes": 10}, {}),
    ],
)
def test_lowered_retention_names_only_the_keys_that_keep_less(before, after, lowered):
    assert retention.lowered_retention(before, after) == lowered


@pytest.mark.parametrize(
    ("brokers", "defaults"),
    [
        (
            {1: {"log.retention.bytes": "-1", "log.retention.hours": "168"}},
            {"retention.bytes": -1, "retention.ms": 604_800_000},
        ),
        (
            {
                1: {
                    "log.retention.ms": "1000",
                    "log.retention.minutes": "5",
                    "log.retention.hours": "1",
                }
            },
            {"retention.ms": 1000},
        ),
        (
            {
                1: {
                    "log.retention.ms": None,
                    "log.retention.minutes": "5",
                    "log.retention.hours": "1",
                }
            },
            {"retention.ms": 300_000},
        ),
        ({1: {"log.retention.ms": "-1"}}, {"retention.ms": -1}),
        # Brokers that differ: the smallest limit deletes most, so it counts.
        (
            {
                1: {"log.retention.bytes": "-1", "log.retention.hours": "168"},
                2: {"log.retention.bytes": "500", "log.retention.hours": "24"},
            },
            {"retention.bytes": 500, "retention.ms": 86_400_000},
        ),
    ],
)
def test_broker_retention_defaults(brokers, defaults):
    assert retention.broker_retention_defaults(brokers) == defaults


@pytest.mark.parametrize(
    ("size", "earliest", "end", "at_cutoff", "older"),
    [
        (1000, 0, 100, 50, 500),  # half the offsets are older than the cut-off
        (1000, 0, 100, 0, 0),  # the first record is already new enough
        (1000, 0, 100, -1, 1000),  # no record at or after the cut-off: all of it
        (1000, 40, 140, 90, 500),  # offsets need not start at 0
        (1000, 40, 140, 10, 0),  # a cut-off offset before the log start deletes nothing
        (1000, 0, 3, 1, 334),  # rounded up
        (0, 0, 100, -1, 0),  # nothing on disk
        (1000, 100, 100, -1, 0),  # no records left
    ],
)
def test_bytes_older_than_estimates_from_offsets(size, earliest, end, at_cutoff, older):
    assert retention.bytes_older_than(size, earliest, end, at_cutoff) == older


def test_deletable_bytes_takes_the_larger_of_size_and_time_per_partition():
    partitions = {
        0: {"size": 1000, "earliest": 0, "end": 10, "at_cutoff": 2},  # time: 200, size: 700
        1: {"size": 1000, "earliest": 0, "end": 10, "at_cutoff": 9},  # time: 900, size: 700
        2: {"size": 100},  # no time facts (retention.ms not lowered or no data)
    }
    assert retention.deletable_bytes(partitions, retention_bytes=300) == 700 + 900 + 0
    assert retention.deletable_bytes(partitions) == 200 + 900
    assert retention.deletable_bytes(partitions, retention_bytes=-1) == 200 + 900


def test_cutoffs_and_preview():
    lowered = {"a": {"retention.ms": 1000}, "b": {"retention.bytes": 10}, "c": {"retention.ms": -1}}
    assert retention.cutoffs_for(lowered, ["d"], now_ms=5000) == {
        "a": 4000,
        "b": None,
        "c": None,
        "d": None,
    }
    facts = {
        "a": {0: {"size": 100, "earliest": 0, "end": 10, "at_cutoff": -1}},
        "b": {0: {"size": 5}, 1: {"size": 50}},
        "d": {0: {"size": 7}, 1: {"size": 0}},
        "e": {0: {"size": 0}},
    }
    assert retention.deletion_preview(facts, lowered, {"d", "e"}) == {"a": 100, "b": 40, "d": 7}


def test_guard_names_what_was_asked_what_it_deletes_and_what_to_do():
    too_much = retention.over_guard({"a": 10, "b": 500}, max_delete=100)
    assert too_much == {"b": 500}
    message = retention.guard_message(too_much, 100, {"b": "retention.ms=1000"})
    assert message == (
        "Nothing was changed: retention.ms=1000 would let Kafka delete up to 500 bytes of b"
        " (more than max_delete_bytes=100 per topic); set allow_data_loss=true or raise"
        " max_delete_bytes if that is intended"
    )


def test_retention_changes_made_reports_only_what_the_brokers_show():
    changes = {
        "a": {"retention.ms": {"before": 1, "after": 2}},
        "b": {
            "retention.ms": {"before": 1, "after": 2},
            "retention.bytes": {"before": -1, "after": 5},
        },
        "c": {"retention.ms": {"before": 1, "after": 2}},
    }
    read_back = {"a": {"retention.ms": 2}, "b": {"retention.ms": 1, "retention.bytes": 5}, "c": {}}
    assert retention.retention_changes_made(changes, read_back) == {
        "a": {"retention.ms": {"before": 1, "after": 2}},
        "b": {"retention.bytes": {"before": -1, "after": 5}},
    }


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
