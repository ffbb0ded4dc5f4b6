"""Desired topics vs. current state -> changes, without a broker."""

from __future__ import annotations

import pytest
from module_utils_loader import load

topic_plan = load("topic_plan")

BROKERS = [1, 2, 3]


def current_topic(partitions=3, factor=1, config=None, name="t"):
    replicas = {i: [BROKERS[i % 3]] * 1 for i in range(partitions)}
    if factor > 1:
        replicas = {i: [BROKERS[(i + r) % 3] for r in range(factor)] for i in range(partitions)}
    return {
        "name": name,
        "partitions": partitions,
        "replication_factor": factor,
        "replicas": replicas,
        "leaders": {i: r[0] for i, r in replicas.items()},
        "config": config or {},
    }


def entry(value, source="DEFAULT_CONFIG", config_type="STRING"):
    return {"value": value, "source": source, "type": config_type}


def desired(name="t", state="present", partitions=None, factor=None, config=None):
    return {
        "name": name,
        "state": state,
        "partitions": partitions,
        "replication_factor": factor,
        "config": config or {},
    }


@pytest.mark.parametrize(
    ("value", "kafka"),
    [
        (True, "true"),
        (False, "false"),
        (1000, "1000"),
        (0.5, "0.5"),
        (["compact", "delete"], "compact,delete"),
        ("delete", "delete"),
        (None, None),
    ],
)
def test_config_value_to_kafka(value, kafka):
    assert topic_plan.config_value_to_kafka(value) == kafka


@pytest.mark.parametrize(
    ("desired_value", "current", "config_type", "equal"),
    [
        ("1000", "1000", "LONG", True),
        (" 1000", "1000", "LONG", True),
        ("01000", "1000", "LONG", True),
        ("1001", "1000", "LONG", False),
        ("abc", "1000", "LONG", False),
        ("0.50", "0.5", "DOUBLE", True),
        ("TRUE", "true", "BOOLEAN", True),
        ("compact, delete", "compact,delete", "LIST", True),
        ("delete,compact", "compact,delete", "LIST", False),
        ("delete", "delete", "STRING", True),
        ("Delete", "delete", "STRING", False),
        ("x", None, "STRING", False),
    ],
)
def test_config_values_equal(desired_value, current, config_type, equal):
    assert topic_plan.config_values_equal(desired_value, current, config_type) is equal


@pytest.mark.parametrize(
    ("name", "allow_internal", "problem"),
    [
        ("twitter", False, None),
        ("a.b_c-1", False, None),
        ("x" * 249, False, None),
        ("x" * 250, False, "not legal"),
        ("bad name", False, "not legal"),
        ("bad/name", False, "not legal"),
        ("..", False, "not allowed"),
        ("", False, "non-empty"),
        (None, False, "non-empty"),
        ("__consumer_offsets", False, "internal to Kafka"),
        ("__consumer_offsets", True, None),
    ],
)
def test_topic_name_problems(name, allow_internal, problem):
    problems = topic_plan.topic_name_problems(name, allow_internal)
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1
        assert problem in problems[0]


def test_missing_topic_is_created_with_its_config():
    plan = topic_plan.plan_topic(
        desired(partitions=3, factor=2, config={"retention.ms": "1000"}), None, BROKERS
    )
    assert plan["action"] == "create"
    assert plan["problems"] == []
    assert plan["partitions"] == {"before": None, "after": 3}
    assert plan["config_set"] == {"retention.ms": "1000"}
    assert plan["before"] == "absent"
    assert plan["after"]["replication_factor"] == 2


def test_create_without_counts_uses_broker_defaults():
    plan = topic_plan.plan_topic(desired(), None, BROKERS)
    assert plan["after"]["partitions"] == "broker default"
    assert plan["partitions"] == {"before": None, "after": None}


def test_unchanged_topic_needs_nothing():
    current = current_topic(config={"retention.ms": entry("1000", "DYNAMIC_TOPIC_CONFIG", "LONG")})
    plan = topic_plan.plan_topic(
        desired(partitions=3, factor=1, config={"retention.ms": "1000"}), current, BROKERS
    )
    assert plan["action"] == "none"
    assert plan["before"] is None


def test_partition_increase():
    plan = topic_plan.plan_topic(desired(partitions=6), current_topic(), BROKERS)
    assert plan["action"] == "update"
    assert plan["partitions"] == {"before": 3, "after": 6}
    assert plan["before"]["partitions"] == 3
    assert plan["after"]["partitions"] == 6


def test_config_change_names_only_the_given_keys():
    current = current_topic(
        config={
            "retention.ms": entry("1000", "DYNAMIC_TOPIC_CONFIG", "LONG"),
            "cleanup.policy": entry("delete", "DEFAULT_CONFIG", "LIST"),
        }
    )
    plan = topic_plan.plan_topic(
        desired(config={"retention.ms": "2000", "cleanup.policy": "delete"}), current, BROKERS
    )
    assert plan["config_set"] == {"retention.ms": "2000"}
    assert plan["config_reset"] == []
    assert plan["before"]["config"] == {"retention.ms": "1000", "cleanup.policy": "delete"}
    assert plan["after"]["config"] == {"retention.ms": "2000", "cleanup.policy": "delete"}


def test_exclusive_mode_resets_overrides_not_listed():
    current = current_topic(
        config={
            "retention.ms": entry("1000", "DYNAMIC_TOPIC_CONFIG", "LONG"),
            "max.message.bytes": entry("2000000", "DYNAMIC_TOPIC_CONFIG", "INT"),
            "segment.ms": entry("604800000", "DEFAULT_CONFIG", "LONG"),
        }
    )
    plan = topic_plan.plan_topic(
        desired(config={"retention.ms": "1000"}), current, BROKERS, config_exclusive=True
    )
    assert plan["action"] == "update"
    assert plan["config_set"] == {}
    assert plan["config_reset"] == ["max.message.bytes"]
    assert plan["after"]["config"]["max.message.bytes"] == "(reset to broker default)"


@pytest.mark.parametrize(
    ("wanted", "current", "message"),
    [
        (desired(partitions=0), None, "partitions must be 1 or more, got 0"),
        (desired(partitions=-3), current_topic(), "partitions must be 1 or more, got -3"),
        (desired(partitions=2), current_topic(), "Kafka cannot remove partitions"),
        (desired(factor=0), None, "replication_factor must be 1 or more"),
        (desired(factor=4), None, "more than the 3 broker(s) in the cluster (1, 2, 3)"),
        (desired(factor=4), current_topic(), "more than the 3 broker(s)"),
        (desired(config={"retention.mss": "1"}), current_topic(), "not a topic config Kafka knows"),
    ],
)
def test_problems_refuse_the_topic(wanted, current, message):
    plan = topic_plan.plan_topic(wanted, current, BROKERS)
    assert plan["action"] in ("none", "create")
    assert any(message in problem for problem in plan["problems"]), plan["problems"]


@pytest.mark.parametrize(
    ("config_type", "value", "message"),
    [
        ("LONG", "abc", "takes a whole number"),
        ("INT", "1.5", "takes a whole number"),
        ("DOUBLE", "half", "takes a number"),
        ("BOOLEAN", "yes", "takes true or false"),
    ],
)
def test_wrongly_typed_values_are_refused(config_type, value, message):
    current = current_topic(config={"k": entry("1", "DEFAULT_CONFIG", config_type)})
    plan = topic_plan.plan_topic(desired(config={"k": value}), current, BROKERS)
    assert plan["action"] == "none"
    assert message in plan["problems"][0]


def test_absent_topic_is_deleted_and_missing_one_left_alone():
    plan = topic_plan.plan_topic(desired(state="absent"), current_topic(), BROKERS)
    assert (plan["action"], plan["after"]) == ("delete", "absent")
    assert topic_plan.plan_topic(desired(state="absent"), None, BROKERS)["action"] == "none"


def test_replication_factor_increase_plans_a_reassignment():
    plan = topic_plan.plan_topic(desired(factor=3), current_topic(partitions=3, factor=1), BROKERS)
    assert plan["replication_factor"] == {"before": 1, "after": 3}
    for index, replicas in plan["reassignment"].items():
        assert len(replicas) == 3
        assert len(set(replicas)) == 3
        assert replicas[0] == BROKERS[index % 3]  # the leader stays first


def test_plan_replicas_spreads_new_replicas_evenly():
    replicas = {0: [1], 1: [1], 2: [1], 3: [1]}
    result = topic_plan.plan_replicas(replicas, {}, 2, [1, 2, 3])
    added = [r[1] for r in result.values()]
    assert sorted(added) == [2, 2, 3, 3]
    assert all(r[0] == 1 for r in result.values())


def test_plan_replicas_shrinking_keeps_the_leader():
    replicas = {0: [1, 2, 3], 1: [2, 3, 1]}
    result = topic_plan.plan_replicas(replicas, {0: 3, 1: 2}, 1, [1, 2, 3])
    assert result == {0: [3], 1: [2]}


def test_plan_topics_collects_every_problem():
    plans, problems = topic_plan.plan_topics(
        [desired("a", partitions=0), desired("b", factor=9)], {}, BROKERS
    )
    assert [p["name"] for p in plans] == ["a", "b"]
    assert len(problems) == 2


def test_build_diff_lists_only_changing_topics():
    plans, _problems = topic_plan.plan_topics(
        [desired("new"), desired("same", partitions=3)],
        {"same": current_topic(name="same")},
        BROKERS,
    )
    diff = topic_plan.build_diff(plans)
    assert list(diff["before"]) == ["new"]
    assert diff["before"]["new"] == "absent"


def test_desired_topics_from_params_applies_task_level_defaults():
    params = {
        "name": None,
        "topics": [
            {"name": "a"},
            {"name": "b", "partitions": 6, "config": {"cleanup.policy": ["compact"]}},
            {"name": "c", "state": "absent"},
        ],
        "state": "present",
        "partitions": 3,
        "replication_factor": 2,
        "config": {"retention.ms": 1000},
        "allow_internal": False,
    }
    topics, problems = topic_plan.desired_topics_from_params(params)
    assert problems == []
    by_name = {t["name"]: t for t in topics}
    assert by_name["a"] == {
        "name": "a",
        "state": "present",
        "partitions": 3,
        "replication_factor": 2,
        "config": {"retention.ms": "1000"},
    }
    assert by_name["b"]["partitions"] == 6
    assert by_name["b"]["config"] == {"cleanup.policy": "compact"}
    assert by_name["c"]["state"] == "absent"


def test_desired_topics_from_params_reads_counts_given_as_strings():
    # Inventories and -e hand over strings; entries of a list option are not typed.
    topics, problems = topic_plan.desired_topics_from_params(
        {"topics": [{"name": "a", "partitions": "6", "replication_factor": "3"}]}
    )
    assert problems == []
    assert (topics[0]["partitions"], topics[0]["replication_factor"]) == (6, 3)


@pytest.mark.parametrize(
    ("topics", "message"),
    [
        ([{"name": "a"}, {"name": "a"}], "listed more than once"),
        ([{"name": "bad name"}], "not legal"),
        ([{"name": "__transaction_state"}], "internal to Kafka"),
        ([{"name": "a", "config": {"retention.ms": None}}], "has no value"),
        ([{"name": "a", "partition": 3}], "unknown key(s) partition"),
        ([{"name": "a", "state": "gone"}], "state must be present or absent"),
        ([{"name": "a", "partitions": "three"}], "partitions must be a whole number, got 'three'"),
        ([{"name": "a", "replication_factor": 2.5}], "replication_factor must be a whole number"),
        ([{"name": "a", "config": "retention.ms=1"}], "config must be a mapping of settings"),
    ],
)
def test_desired_topics_from_params_problems(topics, message):
    params = {"topics": topics, "state": "present", "allow_internal": False}
    _topics, problems = topic_plan.desired_topics_from_params(params)
    assert any(message in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("pattern", "allow_internal", "expected"),
    [
        (None, False, ["logs.a", "logs.b", "twitter"]),
        (r"logs\..*", False, ["logs.a", "logs.b"]),
        ("logs", False, []),  # the whole name must match
        (".*", True, ["__consumer_offsets", "logs.a", "logs.b", "twitter"]),
    ],
)
def test_matching_topics(pattern, allow_internal, expected):
    import re

    names = ["twitter", "logs.b", "__consumer_offsets", "logs.a"]
    compiled = re.compile(pattern) if pattern else None
    assert topic_plan.matching_topics(names, compiled, allow_internal) == expected
