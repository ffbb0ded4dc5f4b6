"""kafka_feature's pure part: the level a feature takes, and every wrong value refused."""

from __future__ import annotations

import pytest
from module_utils_loader import load

feature_plan = load("feature_plan")
NAME = "metadata.version"


def plan(finalized, supported, requested):
    return feature_plan.feature_plan(NAME, finalized, supported, requested)


def test_latest_is_the_highest_level_the_brokers_support():
    assert plan(26, (7, 27), "latest") == (27, [])


def test_a_feature_already_at_the_target_stays():
    assert plan(27, (7, 27), "latest") == (27, [])
    assert plan(27, (7, 27), "27") == (27, [])


def test_an_unfinalized_feature_can_be_finalized():
    assert plan(None, (1, 2), "latest") == (2, [])


def test_a_lower_level_is_refused_never_applied():
    target, problems = plan(27, (7, 27), "26")
    assert target == 26
    assert problems == [
        "metadata.version is at level 27; level 26 would lower it, which Kafka cannot do"
        " without losing metadata, so it is never lowered here"
    ]


def test_a_level_above_what_the_brokers_support_says_a_node_runs_an_older_release():
    _target, problems = plan(26, (7, 26), "27")
    assert len(problems) == 1
    assert "above the highest the brokers support (26)" in problems[0]
    assert "finish the rolling upgrade first" in problems[0]


def test_a_level_below_what_the_brokers_support_is_refused():
    _target, problems = plan(None, (7, 27), "3")
    assert problems == ["level 3 of metadata.version is below the lowest the brokers support (7)"]


def test_a_feature_the_broker_does_not_know_is_refused():
    target, problems = plan(None, None, "latest")
    assert target is None
    assert "does not support the feature metadata.version" in problems[0]


@pytest.mark.parametrize("wrong", ["0", "-1", "newest", "4.4-IV0", "", " ", "2.5", None])
def test_every_other_level_value_is_refused_before_any_request(wrong):
    assert feature_plan.requested_level_problem(wrong) == (
        f"level must be 'latest' or a whole number of at least 1, not {wrong!r}"
    )
    target, problems = plan(26, (7, 27), wrong)
    assert target is None and len(problems) == 1


@pytest.mark.parametrize("right", ["latest", "1", "27", " 27 ", 27])
def test_latest_and_whole_numbers_are_accepted(right):
    assert feature_plan.requested_level_problem(right) is None
