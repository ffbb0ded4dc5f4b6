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


# --- every kind of wrong value, refused before any request -----------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        # names Kafka would refuse, or take for another topic
        ({"name": "a" * 250}, "is not legal"),
        ({"name": "."}, "not allowed by Kafka"),
        ({"name": "caf\u00e9"}, "is not legal"),
        ({"topics": [{"name": 42}]}, "a topic name must be a non-empty string, got 42"),
        ({"topics": [{"name": "a.b"}, {"name": "a_b"}]}, "topics a.b and a_b collide"),
        ({"topics": ["a"]}, "topics entry 1 is 'a', not a mapping with a name"),
        # values given as null are refused, never taken as "not given"
        ({"topics": [{"name": "a", "partitions": None}]}, "partitions is empty (null)"),
        ({"topics": [{"name": "a", "state": None}]}, "state is empty (null)"),
        ({"topics": [{"name": "a", "config": None}]}, "config is empty (null)"),
        ({"topics": [{"name": "a", "replication_factor": None}]}, "is empty (null)"),
        # counts: whole numbers within what Kafka holds, in ASCII digits
        ({"topics": [{"name": "a", "partitions": "\u0663"}]}, "must be a whole number"),
        ({"topics": [{"name": "a", "partitions": "1_000"}]}, "must be a whole number"),
        ({"topics": [{"name": "a", "partitions": True}]}, "must be a whole number, got True"),
        ({"topics": [{"name": "a", "partitions": 3.0}]}, "must be a whole number, got 3.0"),
        ({"topics": [{"name": "a", "partitions": "-0"}]}, "partitions must be 1 or more, got 0"),
        ({"name": "a", "partitions": 0}, "partitions must be 1 or more, got 0"),
        ({"name": "a", "partitions": 2**31}, "partitions must be at most 2147483647"),
        ({"name": "a", "replication_factor": 2**15}, "replication_factor must be at most 32767"),
        ({"name": "a", "replication_factor": -1}, "replication_factor must be 1 or more"),
        # config keys and values
        ({"name": "a", "config": {1: "x"}}, "config key 1 is not a Kafka config name"),
        ({"name": "a", "config": {"retention ms": 1}}, "config key 'retention ms' is not a"),
        ({"name": "a", "config": {"": 1}}, "config key '' is not a Kafka config name"),
        ({"name": "a", "config": {"segment.ms": {"a": 1}}}, "config segment.ms takes a value"),
        ({"name": "a", "config": {"segment.ms": float("nan")}}, "nan is not a number Kafka"),
        ({"name": "a", "config": {"segment.ms": float("inf")}}, "inf is not a number Kafka"),
        ({"name": "a", "config": {"cleanup.policy": ["a,b"]}}, "with a comma"),
        ({"name": "a", "config": {"cleanup.policy": ["delete", ""]}}, "has an empty item"),
        ({"name": "a", "config": {"cleanup.policy": [["x"]]}}, "takes a value or a list"),
        ({"name": "a", "config": {"min.insync.replicas": "-0"}}, "is a negative zero"),
        ({"name": "a", "config": {"retention.ms": "7d"}}, "units such as 100MB or 7d"),
        ({"name": "a", "config": {"retention.bytes": "-0"}}, "negative zero"),
        ({"name": "a", "config": {"retention.bytes": -5}}, "only negative value is -1"),
        ({"name": "a", "config": {"retention.ms": True}}, "takes a whole number"),
        ({"name": "a", "config": ["retention.ms"]}, "config must be a mapping of settings"),
        (
            {"topics": [{"name": "a", "config": {"retention.ms": 1.5}}]},
            "topic a: config retention.ms takes a whole number",
        ),
    ],
)
def test_every_kind_of_wrong_value_is_refused_before_any_request(params, message):
    base = {"state": "present", "allow_internal": False, "config": {}}
    _topics, problems = topic_plan.desired_topics_from_params({**base, **params})
    assert any(message in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"reassignment_throttle": 0}, "reassignment_throttle must be 1 (byte/s) or more, got 0"),
        ({"reassignment_throttle": -5}, "reassignment_throttle must be 1 (byte/s) or more"),
        ({"reassignment_timeout": 0}, "reassignment_timeout must be 1 (second) or more, got 0"),
        ({"max_delete_bytes": -1}, "max_delete_bytes cannot be unlimited (-1)"),
        ({"max_delete_bytes": "-0"}, "negative zero"),
        ({"max_delete_bytes": "5mb"}, "write MB"),
        ({"max_delete_bytes": "lots"}, "not a whole number"),
    ],
)
def test_task_options_are_checked(options, message):
    params = {"max_delete_bytes": 0, "reassignment_throttle": None, "reassignment_timeout": 600}
    _max_delete, problems = topic_plan.topic_task_option_problems({**params, **options})
    assert any(message in problem for problem in problems), problems


def test_task_options_accepted():
    params = {"max_delete_bytes": "1GiB", "reassignment_throttle": 1, "reassignment_timeout": 1}
    assert topic_plan.topic_task_option_problems(params) == (1024**3, [])


def test_the_plain_spellings_are_accepted():
    params = {
        "topics": [
            {"name": "a.b", "partitions": "3", "config": {"retention.ms": "-1"}},
            {"name": "c", "config": {"cleanup.policy": ["compact", "delete"], "x.y": 0.5}},
        ],
        "state": "present",
    }
    topics, problems = topic_plan.desired_topics_from_params(params)
    assert problems == []
    assert topics[1]["config"] == {"cleanup.policy": "compact,delete", "x.y": "0.5"}


def test_an_empty_topic_list_is_an_empty_batch():
    assert topic_plan.desired_topics_from_params({"topics": [], "state": "present"}) == ([], [])


@pytest.mark.parametrize(
    ("names", "existing", "message"),
    [
        (["a.b"], ["a_b"], "topic a.b would collide with the existing topic a_b"),
        (["a_b_c"], ["a.b.c", "x"], "collide with the existing topic a.b.c"),
        (["a.b"], ["a.b"], None),  # the same topic, not a collision
        (["a.b", "a_b"], [], "topics a.b and a_b collide"),
        (["a-b"], ["a_b"], None),  # '-' is a character of its own
    ],
)
def test_collision_problems(names, existing, message):
    problems = topic_plan.collision_problems(names, existing)
    if message is None:
        assert problems == []
    else:
        assert any(message in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("value", "config_type"),
    [
        ("1_000", "LONG"),
        ("\u0663", "INT"),
        ("nan", "DOUBLE"),
        ("inf", "DOUBLE"),
        ("1_0.5", "DOUBLE"),
    ],
)
def test_values_python_reads_but_kafka_does_not_are_refused(value, config_type):
    assert topic_plan.config_value_problem("k", value, config_type) is not None


# --- replication factors: per partition, against the brokers that are up ---------------


def mixed_topic():
    topic = current_topic(partitions=3, factor=1)
    topic["replicas"][0] = [1, 2]
    topic["replication_factor"] = 1
    return topic


def test_a_topic_with_the_factor_is_not_refused_when_a_broker_is_down():
    current = current_topic(partitions=3, factor=3)
    plan = topic_plan.plan_topic(desired(partitions=3, factor=3), current, [1, 2])
    assert (plan["action"], plan["problems"]) == ("none", [])


def test_a_config_change_goes_ahead_while_a_broker_is_down():
    current = current_topic(factor=3, config={"retention.ms": entry("1", "DEFAULT_CONFIG", "LONG")})
    plan = topic_plan.plan_topic(desired(factor=3, config={"retention.ms": "2"}), current, [1, 2])
    assert plan["problems"] == []
    assert plan["action"] == "update"
    assert plan["replication_factor"] is None


@pytest.mark.parametrize(
    ("wanted", "current"),
    [(desired(factor=3), None), (desired(factor=3), current_topic(factor=1))],
)
def test_creating_or_changing_the_factor_is_checked_against_the_brokers_up(wanted, current):
    plan = topic_plan.plan_topic(wanted, current, [1, 2])
    assert plan["problems"] == [
        "topic t: replication_factor 3 is more than the 2 broker(s) in the cluster (1, 2) that"
        " are up now: start the missing brokers, or ask for 2 or fewer replicas"
    ]


def test_a_topic_whose_partitions_differ_is_repaired_partition_by_partition():
    plan = topic_plan.plan_topic(desired(factor=2), mixed_topic(), BROKERS)
    assert plan["action"] == "update"
    assert plan["replication_factor"] == {"before": [1, 2], "after": 2}
    assert sorted(plan["reassignment"]) == [1, 2]  # partition 0 has two replicas already
    assert all(len(replicas) == 2 for replicas in plan["reassignment"].values())
    assert plan["before"]["replication_factor"] == [1, 2]


def test_a_mixed_topic_without_a_factor_asked_for_is_left_alone_with_a_warning():
    plan = topic_plan.plan_topic(desired(partitions=3), mixed_topic(), BROKERS)
    assert plan["action"] == "none"
    assert "different replication factors (1, 2)" in plan["warnings"][0]


def test_growing_and_changing_the_factor_keeps_the_target_for_the_new_partitions():
    plan = topic_plan.plan_topic(desired(partitions=5, factor=2), current_topic(), BROKERS)
    assert plan["partitions"] == {"before": 3, "after": 5}
    assert plan["target_factor"] == 2
    assert sorted(plan["reassignment"]) == [0, 1, 2]


# --- the data-loss guard over config, resets and deletion -------------------------------


def retention_topic(ms="604800000", ms_source="DEFAULT_CONFIG", size="-1"):
    return current_topic(
        config={
            "retention.ms": entry(ms, ms_source, "LONG"),
            "retention.bytes": entry(size, "DEFAULT_CONFIG", "LONG"),
        }
    )


def test_lowering_retention_in_config_is_weighed():
    plans, _problems = topic_plan.plan_topics(
        [desired(config={"retention.ms": "1000", "retention.bytes": "-1"})],
        {"t": retention_topic()},
        BROKERS,
    )
    assert not topic_plan.needs_broker_defaults(plans)
    lowered = topic_plan.lowered_by_plans(plans, {})
    assert lowered == {"t": {"retention.ms": 1000}}
    assert topic_plan.guard_reasons(plans, lowered) == {"t": "retention.ms=1000"}


def test_raising_retention_in_config_is_not_weighed():
    plans, _problems = topic_plan.plan_topics(
        [desired(config={"retention.ms": "-1"})], {"t": retention_topic()}, BROKERS
    )
    assert topic_plan.lowered_by_plans(plans, {}) == {}


def test_resetting_retention_falls_back_to_the_broker_default_and_is_weighed():
    current = retention_topic(ms="-1", ms_source="DYNAMIC_TOPIC_CONFIG")
    plans, _problems = topic_plan.plan_topics(
        [desired(config={})], {"t": current}, BROKERS, config_exclusive=True
    )
    assert plans[0]["config_reset"] == ["retention.ms"]
    assert topic_plan.needs_broker_defaults(plans)
    lowered = topic_plan.lowered_by_plans(plans, {"retention.ms": 604800000})
    assert lowered == {"t": {"retention.ms": 604800000}}
    assert topic_plan.guard_reasons(plans, lowered) == {
        "t": "resetting retention.ms to the broker default 604800000"
    }


def test_deleting_a_topic_is_a_reason_of_its_own():
    plans, _problems = topic_plan.plan_topics(
        [desired(state="absent")], {"t": current_topic()}, BROKERS
    )
    assert topic_plan.guard_reasons(plans, {}) == {"t": "deleting topic t"}


# --- after a failure part way: only what the brokers show ------------------------------


def test_changes_made_reports_what_was_read_back_and_nothing_else():
    current = {
        "grown": current_topic(name="grown", partitions=1),
        "moved": current_topic(name="moved", partitions=2, factor=1),
        "gone": current_topic(name="gone"),
    }
    current["grown"]["config"] = {"retention.ms": entry("1", "DYNAMIC_TOPIC_CONFIG", "LONG")}
    plans, problems = topic_plan.plan_topics(
        [
            desired("new"),
            desired("never", partitions=1),
            desired("grown", partitions=2, config={"retention.ms": "5"}),
            desired("moved", factor=3),
            desired("gone", state="absent"),
        ],
        current,
        BROKERS,
    )
    assert problems == []
    after_topics = {
        "new": current_topic(name="new", partitions=1),
        "grown": current_topic(name="grown", partitions=2),
        "moved": dict(
            current["moved"], replicas={0: [1, 2, 3], 1: [2, 3, 1]}, replication_factor=3
        ),
        "gone": current["gone"],  # the deletion never ran
    }
    after_configs = {"grown": {"retention.ms": entry("1", "DYNAMIC_TOPIC_CONFIG", "LONG")}}
    moving = {"moved": {0: {"adding": [2, 3], "removing": []}, 1: {"adding": [3, 1]}}}
    made = topic_plan.changes_made(plans, after_topics, after_configs, moving)
    by_name = {done["name"]: done for done in made}
    assert by_name["new"]["action"] == "create"
    assert by_name["never"]["action"] == "none"  # it was never created
    assert by_name["grown"]["action"] == "update"
    assert by_name["grown"]["partitions"] == {"before": 1, "after": 2}
    assert by_name["grown"]["config_set"] == {}  # the config change did not happen
    assert by_name["moved"]["action"] == "update"
    assert by_name["moved"]["replication_factor"] is None  # replicas still being added
    assert by_name["moved"]["reassigning"] == [0, 1]
    assert by_name["gone"]["action"] == "none"
    assert topic_plan.describe_changes_made(made) == (
        "created new; grown: partitions 1 -> 2; moved: replicas of partition(s) 0, 1 still"
        " moving in the background"
    )


def test_changes_made_after_a_finished_move_and_config_change():
    current = {"t": current_topic(partitions=1, factor=1)}
    current["t"]["config"] = {"retention.ms": entry("1", "DYNAMIC_TOPIC_CONFIG", "LONG")}
    plans, _problems = topic_plan.plan_topics(
        [desired(factor=2, config={"retention.ms": "5"})], current, BROKERS
    )
    after = {"t": dict(current["t"], replicas={0: [1, 2]})}
    configs = {"t": {"retention.ms": entry("5", "DYNAMIC_TOPIC_CONFIG", "LONG")}}
    [done] = topic_plan.changes_made(plans, after, configs, {})
    assert done["replication_factor"] == {"before": 1, "after": 2}
    assert done["config_set"] == {"retention.ms": "5"}
    assert "reassigning" not in done


def test_nothing_made_is_said_plainly():
    assert topic_plan.describe_changes_made([]) == "nothing"
