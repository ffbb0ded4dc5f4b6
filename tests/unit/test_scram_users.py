"""kafka_user's planning: options checked before any request, and the change per case."""

from __future__ import annotations

import pytest
from module_utils_loader import load

scram_users = load("scram_users")

SECRET = "s3cret-Pa55"


def params(**overrides):
    base = {
        "name": "alice",
        "password": SECRET,
        "mechanism": None,
        "iterations": 8192,
        "state": "present",
        "update_password": "on_create",
    }
    base.update(overrides)
    return base


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"name": ""}, "name must be a non-empty user name"),
        ({"name": None}, "name must be a non-empty user name"),
        ({"name": " alice"}, "starts or ends with white space"),
        ({"name": "alice\t"}, "starts or ends with white space"),
        ({"name": "al\x00ice"}, "control character"),
        ({"name": "User:alice"}, "is a principal, not a user name"),
        ({"password": None}, "password is required with state=present"),
        ({"password": ""}, "password is empty"),
        ({"mechanism": "SCRAM-SHA-1"}, "is not a SCRAM mechanism Kafka knows"),
        ({"mechanism": "PLAIN"}, "is not a SCRAM mechanism Kafka knows"),
        ({"mechanism": "scram-sha-512"}, "is not a SCRAM mechanism Kafka knows"),
        ({"iterations": 4095}, "outside what Kafka accepts"),
        ({"iterations": 16385}, "outside what Kafka accepts"),
        ({"iterations": 0}, "outside what Kafka accepts"),
        ({"iterations": -8192}, "outside what Kafka accepts"),
        ({"iterations": None}, "iterations must be a number"),
        ({"iterations": True}, "iterations must be a whole number"),
        ({"iterations": 8192.5}, "iterations must be a whole number"),
        ({"state": "absent", "password": SECRET}, "password given with state=absent"),
    ],
)
def test_wrong_values_are_refused_before_any_request(overrides, expected):
    problems = scram_users.user_task_problems(params(**overrides))
    assert any(expected in problem for problem in problems), problems
    assert all(SECRET not in problem for problem in problems)


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"iterations": 4096},
        {"iterations": 16384},
        {"mechanism": "SCRAM-SHA-256"},
        {"name": "CN=host,O=example"},
        {"state": "absent", "password": None, "iterations": 8192},
        {"state": "absent", "password": None, "iterations": 1},  # has a default; not used
    ],
)
def test_good_values_pass(overrides):
    assert scram_users.user_task_problems(params(**overrides)) == []


@pytest.mark.parametrize(
    ("state", "mechanism", "update_password", "current", "expected"),
    [
        ("present", None, "on_create", {}, ("create", "SCRAM-SHA-512", [])),
        ("present", "SCRAM-SHA-256", "on_create", {}, ("create", "SCRAM-SHA-256", [])),
        ("present", None, "on_create", {"SCRAM-SHA-512": 8192}, ("none", None, [])),
        ("present", None, "always", {"SCRAM-SHA-512": 8192}, ("update", "SCRAM-SHA-512", [])),
        ("present", None, "on_create", {"SCRAM-SHA-256": 8192}, ("create", "SCRAM-SHA-512", [])),
        ("absent", None, "on_create", {}, ("none", None, [])),
        ("absent", None, "on_create", {"SCRAM-SHA-512": 4096}, ("delete", None, ["SCRAM-SHA-512"])),
        (
            "absent",
            None,
            "on_create",
            {"SCRAM-SHA-512": 4096, "SCRAM-SHA-256": 4096},
            ("delete", None, ["SCRAM-SHA-256", "SCRAM-SHA-512"]),
        ),
        ("absent", "SCRAM-SHA-256", "on_create", {"SCRAM-SHA-512": 4096}, ("none", None, [])),
        (
            "absent",
            "SCRAM-SHA-256",
            "on_create",
            {"SCRAM-SHA-512": 4096, "SCRAM-SHA-256": 4096},
            ("delete", None, ["SCRAM-SHA-256"]),
        ),
    ],
)
def test_plan_user(state, mechanism, update_password, current, expected):
    plan = scram_users.plan_user(state, mechanism, 8192, update_password, current)
    assert (plan["action"], plan["upsert"], plan["delete"]) == expected


def test_other_iterations_on_create_warn_and_change_nothing():
    plan = scram_users.plan_user("present", None, 8192, "on_create", {"SCRAM-SHA-512": 4096})
    assert plan["action"] == "none"
    assert "4096 iterations, not 8192" in plan["warnings"][0]


def test_diff_shows_mechanisms_and_iterations_never_a_secret():
    current = {"SCRAM-SHA-256": 4096}
    plan = scram_users.plan_user("present", None, 8192, "on_create", current)
    diff = scram_users.build_user_diff("alice", plan, current)
    assert diff["before"] == {
        "user": "alice",
        "credentials": [{"mechanism": "SCRAM-SHA-256", "iterations": 4096}],
    }
    assert diff["after"] == {
        "user": "alice",
        "credentials": [
            {"mechanism": "SCRAM-SHA-256", "iterations": 4096},
            {"mechanism": "SCRAM-SHA-512", "iterations": 8192},
        ],
        "password_changed": True,
    }
    assert "salt" not in str(diff) and SECRET not in str(diff)


def test_diff_of_a_deleted_user_is_empty_after():
    current = {"SCRAM-SHA-512": 8192}
    plan = scram_users.plan_user("absent", None, 8192, "on_create", current)
    diff = scram_users.build_user_diff("alice", plan, current)
    assert diff["after"] == {}
    assert diff["before"]["credentials"] == [{"mechanism": "SCRAM-SHA-512", "iterations": 8192}]


@pytest.mark.parametrize(
    ("action", "before", "after", "expected"),
    [
        ("create", {}, {"SCRAM-SHA-512": 8192}, ["SCRAM-SHA-512 credential of alice created"]),
        ("create", {}, {}, []),
        ("delete", {"SCRAM-SHA-512": 8192}, {}, ["SCRAM-SHA-512 credential of alice deleted"]),
        (
            "update",
            {"SCRAM-SHA-512": 4096},
            {"SCRAM-SHA-512": 8192},
            ["SCRAM-SHA-512 credential of alice written again"],
        ),
        (
            "update",
            {"SCRAM-SHA-512": 8192},
            {"SCRAM-SHA-512": 8192},
            [
                "SCRAM-SHA-512 credential of alice unknown: it looks the same, and Kafka cannot"
                " tell whether its password was written"
            ],
        ),
    ],
)
def test_describe_made_reports_only_what_was_read_back(action, before, after, expected):
    plan = {
        "action": action,
        "upsert": "SCRAM-SHA-512" if action != "delete" else None,
        "iterations": 8192,
        "delete": ["SCRAM-SHA-512"] if action == "delete" else [],
        "warnings": [],
    }
    assert scram_users.describe_made("alice", plan, before, after) == expected


def test_an_error_code_without_a_message_is_a_refusal():
    # A ZooKeeper-mode broker that is not the controller answers NOT_CONTROLLER (41) with
    # no message; read by the message alone, that looked like success.
    names = {41: "NOT_CONTROLLER", 0: "NO_ERROR"}
    assert scram_users.refusals([("logstash-consumer", 41, None)], names) == [
        "logstash-consumer: NOT_CONTROLLER"
    ]
    assert scram_users.refusals([("u", 41, "")], names) == ["u: NOT_CONTROLLER"]


def test_a_refusal_keeps_the_brokers_message_and_unknown_codes_are_named_by_number():
    assert scram_users.refusals([("u", 68, "too few iterations")], {}) == [
        "u: error code 68 (too few iterations)"
    ]


def test_accepted_changes_are_no_refusal():
    assert scram_users.refusals([("u", 0, None), ("v", 0, "")], {0: "NO_ERROR"}) == []
