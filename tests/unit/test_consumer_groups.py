"""The consumer-group modules' pure part: lag per partition, where a reset moves each
partition, and every wrong option refused before any request."""

from __future__ import annotations

import pytest
from module_utils_loader import load

groups = load("consumer_groups")

LAYOUT = {"twitter": [0, 1, 2]}
EARLIEST = {("twitter", 0): 100, ("twitter", 1): 0, ("twitter", 2): 50}
LATEST = {("twitter", 0): 500, ("twitter", 1): 40, ("twitter", 2): 50}


def test_lag_is_the_end_minus_the_commit_with_totals_per_topic_and_group():
    report = groups.lag_report(
        {"twitter": [0, 1], "logs": [0]},
        {("twitter", 0): 450, ("twitter", 1): 40, ("logs", 0): 7},
        {("twitter", 0): 500, ("twitter", 1): 40, ("logs", 0): 10},
    )
    assert report["lag"] == 53
    assert report["topics"]["twitter"] == {
        "lag": 50,
        "uncommitted_partitions": 0,
        "partitions": [
            {"partition": 0, "committed_offset": 450, "end_offset": 500, "lag": 50},
            {"partition": 1, "committed_offset": 40, "end_offset": 40, "lag": 0},
        ],
    }
    assert report["topics"]["logs"]["lag"] == 3


def test_a_partition_never_committed_has_no_lag_and_is_counted_apart():
    report = groups.lag_report({"twitter": [0, 1]}, {("twitter", 0): 10}, LATEST)
    topic = report["topics"]["twitter"]
    assert topic["partitions"][1] == {
        "partition": 1,
        "committed_offset": None,
        "end_offset": 40,
        "lag": None,
    }
    assert topic["uncommitted_partitions"] == 1
    assert topic["lag"] == report["lag"] == 490


def test_a_commit_past_the_end_is_no_lag_rather_than_a_negative_one():
    report = groups.lag_report({"twitter": [1]}, {("twitter", 1): 45}, LATEST)
    assert report["topics"]["twitter"]["partitions"][0]["lag"] == 0


def test_a_group_without_offsets_has_no_topics_and_no_lag():
    assert groups.lag_report({}, {}, {}) == {"topics": {}, "lag": 0}


def test_reset_moves_every_partition_and_says_where_from():
    moves = groups.reset_moves(LAYOUT, {("twitter", 0): 300}, EARLIEST, LATEST, EARLIEST)
    assert moves == [
        {"topic": "twitter", "partition": 0, "from": 300, "to": 100},
        {"topic": "twitter", "partition": 1, "from": None, "to": 0},
        {"topic": "twitter", "partition": 2, "from": None, "to": 50},
    ]
    assert len(groups.moved(moves)) == 3


def test_an_offset_is_kept_within_what_each_partition_holds():
    wanted = dict.fromkeys(EARLIEST, 60)
    moves = groups.reset_moves(LAYOUT, {}, EARLIEST, LATEST, wanted)
    assert [move["to"] for move in moves] == [100, 40, 50]


def test_a_time_later_than_the_last_record_moves_to_the_end():
    # ListOffsets answers -1 where no record is that late.
    resolved = {("twitter", 0): 250, ("twitter", 1): -1, ("twitter", 2): -1}
    moves = groups.reset_moves(LAYOUT, {}, EARLIEST, LATEST, resolved)
    assert [move["to"] for move in moves] == [250, 40, 50]


def test_a_partition_already_at_its_target_is_not_moved():
    committed = {("twitter", 0): 500, ("twitter", 1): 40, ("twitter", 2): 50}
    moves = groups.reset_moves(LAYOUT, committed, EARLIEST, LATEST, LATEST)
    assert groups.moved(moves) == []


def test_the_diff_shows_each_side_per_topic_and_partition():
    moves = groups.reset_moves(LAYOUT, {("twitter", 0): 300}, EARLIEST, LATEST, EARLIEST)
    assert groups.offsets_by_topic(moves, "from") == {"twitter": {"0": 300, "1": None, "2": None}}
    assert groups.offsets_by_topic(moves, "to") == {"twitter": {"0": 100, "1": 0, "2": 50}}


@pytest.mark.parametrize(
    ("text", "milliseconds"),
    [
        ("1764324000000", 1764324000000),
        ("2025-11-28T10:00:00Z", 1764324000000),
        ("2025-11-28T11:00:00+01:00", 1764324000000),
        ("2025-11-28T10:00:00.250Z", 1764324000250),
    ],
)
def test_a_timestamp_is_milliseconds_or_an_iso_time_with_its_zone(text, milliseconds):
    assert groups.parse_timestamp(text) == milliseconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-11-28T10:00:00", "has no time zone"),
        ("yesterday", "neither milliseconds since the epoch nor an ISO 8601 time"),
        ("-5", "neither milliseconds since the epoch nor an ISO 8601 time"),
    ],
)
def test_a_timestamp_that_cannot_be_read_is_refused_with_what_to_give(text, message):
    with pytest.raises(ValueError, match=message):
        groups.parse_timestamp(text)


GOOD = {"group": "g", "topics": ["twitter"], "reset_to": "earliest"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"group": ""}, "group is empty"),
        ({"topics": []}, "topics is empty"),
        ({"reset_to": "timestamp"}, "reset_to is timestamp, so give timestamp"),
        ({"reset_to": "timestamp", "timestamp": "noon"}, "neither milliseconds"),
        ({"reset_to": "offset"}, "reset_to is offset, so give offset"),
        ({"reset_to": "offset", "offset": -1}, "offset must be 0 or more, got -1"),
        ({"timestamp": "2025-11-28T10:00:00Z"}, "use reset_to: timestamp"),
        ({"offset": 5}, "use reset_to: offset"),
    ],
)
def test_every_wrong_reset_option_is_refused_before_any_request(change, message):
    problems = groups.reset_problems({**GOOD, **change})
    assert any(message in problem for problem in problems), problems


def test_good_reset_options_have_no_problem():
    assert groups.reset_problems(GOOD) == []
    assert groups.reset_problems({**GOOD, "reset_to": "offset", "offset": 0}) == []
    assert (
        groups.reset_problems({**GOOD, "reset_to": "timestamp", "timestamp": "1764324000000"}) == []
    )


def test_members_are_named_by_client_and_host():
    members = [
        {"client_id": "logstash-0", "client_host": "/10.0.1.20"},
        {"client_id": None, "client_host": None},
    ]
    assert groups.members_summary(members) == "?@?, logstash-0@10.0.1.20"
