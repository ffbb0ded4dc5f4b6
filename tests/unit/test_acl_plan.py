"""kafka_acl's planning: every binding checked before any request, and what to add/remove."""

from __future__ import annotations

import pytest
from module_utils_loader import load

acl_plan = load("acl_plan")


def entry(**overrides):
    base = {
        "principal": "User:alice",
        "resource_type": "topic",
        "resource_name": "twitter",
        "operations": ["read", "describe"],
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not DROP}


DROP = object()


def binding(principal="User:alice", operation="READ", name="twitter", **overrides):
    base = dict(
        principal=principal,
        permission="ALLOW",
        operation=operation,
        resource_type="TOPIC",
        pattern_type="LITERAL",
        resource_name=name,
        host="*",
    )
    base.update(overrides)
    return base


def task(*entries, state="present", exclusive=False, protected=()):
    return {
        "acls": list(entries),
        "state": state,
        "exclusive": exclusive,
        "protected_principals": list(protected),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # principals
        (task(entry(principal="alice")), "has no type: write User:alice"),
        (task(entry(principal="user:alice")), "the type is spelt User"),
        (task(entry(principal="USER:alice")), "the type is spelt User"),
        (task(entry(principal="Group:ops")), "only User principals are supported"),
        (task(entry(principal="User:")), "has no name after User:"),
        (task(entry(principal="User: alice")), "starts or ends its name with a space"),
        (task(entry(principal="User:al\nice")), "contains a control character"),
        (task(entry(principal="")), "principal must be a non-empty string"),
        (task(entry(principal=5)), "principal must be a non-empty string"),
        # resource types
        (task(entry(resource_type="topics")), "resource_type 'topics' is not one of"),
        (task(entry(resource_type="any")), "only valid when searching ACLs"),
        (task(entry(resource_type="unknown")), "only valid when searching ACLs"),
        (task(entry(resource_type="")), "resource_type '' is not one of"),
        (task(entry(resource_type=2)), "resource_type 2 is not one of"),
        # pattern types
        (task(entry(pattern_type="match")), "only valid when searching ACLs"),
        (task(entry(pattern_type="any")), "only valid when searching ACLs"),
        (task(entry(pattern_type="wildcard")), "pattern_type 'wildcard' is not one of"),
        # operations
        (task(entry(operations=["reed"])), "operation 'reed' is not one of"),
        (task(entry(operations=["any"])), "only valid when searching ACLs"),
        (task(entry(operations=[])), "operations must be a non-empty list"),
        (task(entry(operations=7)), "operations must be a non-empty list"),
        (task(entry(operations=["cluster_action"])), "TOPIC does not support operation"),
        (task(entry(resource_type="group", operations=["write"])), "GROUP does not support"),
        (
            task(entry(resource_type="cluster", resource_name=DROP, operations=["read"])),
            "CLUSTER does not support operation READ",
        ),
        (task(entry(operation="read")), "give operations (a list) or operation (one)"),
        (task(entry(operations=DROP)), "give operations (a list) or operation (one)"),
        # permissions
        (task(entry(permission="permit")), "permission 'permit' is not one of"),
        (task(entry(permission="any")), "only valid when searching ACLs"),
        # names
        (task(entry(resource_name="")), "resource_name is empty"),
        (task(entry(resource_name=DROP)), "resource_name is required"),
        (task(entry(resource_name=" twitter")), "white space at an end"),
        (task(entry(resource_name="twitter\n")), "white space at an end"),
        (task(entry(resource_name=2024)), "resource_name must be a string (quote it)"),
        (task(entry(resource_name="has space")), "is not legal"),
        (task(entry(resource_name="x" * 250)), "is not legal"),
        (task(entry(resource_name="..")), "is not allowed by Kafka"),
        (task(entry(resource_name="a/b", pattern_type="prefixed")), "can match no topic"),
        (task(entry(resource_name="*", pattern_type="prefixed")), "a prefixed '*' matches only"),
        (
            task(entry(resource_type="cluster", resource_name="prod", operations=["alter"])),
            "the CLUSTER resource has one name, kafka-cluster",
        ),
        (
            task(
                entry(
                    resource_type="cluster",
                    resource_name=DROP,
                    pattern_type="prefixed",
                    operations=["alter"],
                )
            ),
            "the CLUSTER resource has one name",
        ),
        # hosts
        (task(entry(host="")), "host must be '*' or an IP address"),
        (task(entry(host="kafka1.internal")), "a host name never matches"),
        (task(entry(host="10.0.0.0/8")), "not a network"),
        (task(entry(host="010.0.0.1")), "is not an IP address"),
        (task(entry(host="::1")), "write 0:0:0:0:0:0:0:1"),
        (task(entry(host="0:0:0:0:0:0:0:0001")), "write 0:0:0:0:0:0:0:1"),
        (task(entry(host="FE80:0:0:0:0:0:0:1")), "write fe80:0:0:0:0:0:0:1"),
        (task(entry(host=["10.0.0.1"])), "host must be '*' or an IP address"),
        # entry shape
        (task("User:alice READ twitter"), "acls[0] must be a dictionary"),
        (task(entry(topic="twitter")), "unknown key(s) topic"),
        (task(entry(principal=DROP)), "principal is required"),
        (task(entry(resource_type=DROP)), "resource_type is required"),
        (task(entry(host=None)), "host given with no value"),
        (task(entry(resource_name=None)), "resource_name given with no value"),
        ({"acls": "User:alice", "state": "present"}, "acls must be a list"),
        # task options
        (task(entry(), state="absent", exclusive=True), "exclusive=true only makes sense"),
        (task(entry(), protected=["admin"]), "protected_principals entry 'admin' has no type"),
        (task(entry(), protected=["user:admin"]), "the type is spelt User"),
        (
            task(entry(permission="deny"), protected=["User:alice"]),
            "refusing to add a DENY for protected principal User:alice",
        ),
    ],
)
def test_wrong_values_are_refused_before_any_request(params, expected):
    bindings, problems = acl_plan.acl_task_problems(params)
    assert any(expected in problem for problem in problems), problems
    assert bindings == []


def test_every_problem_of_a_task_is_reported_at_once():
    _bindings, problems = acl_plan.acl_task_problems(
        task(entry(principal="alice"), entry(host="kafka1", operations=["reed"]))
    )
    assert len(problems) == 3
    assert problems[0].startswith("acls[0]:") and problems[2].startswith("acls[1]:")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, [binding(operation="DESCRIBE"), binding(operation="READ")]),
        ({"operation": "Read", "operations": DROP}, [binding()]),
        ({"operations": "read"}, [binding()]),
        (
            {"operations": ["DescribeConfigs"]},
            [binding(operation="DESCRIBE_CONFIGS")],
        ),
        ({"operations": ["describe-configs"]}, [binding(operation="DESCRIBE_CONFIGS")]),
        ({"operations": ["all"]}, [binding(operation="ALL")]),
        ({"pattern_type": "Prefixed", "operations": ["read"]}, [binding(pattern_type="PREFIXED")]),
        ({"resource_name": "*", "operations": ["read"]}, [binding(name="*")]),
        ({"principal": "User:*", "operations": ["read"]}, [binding(principal="User:*")]),
        ({"host": "10.0.0.1", "operations": ["read"]}, [binding(host="10.0.0.1")]),
        ({"host": "0:0:0:0:0:0:0:1", "operations": ["read"]}, [binding(host="0:0:0:0:0:0:0:1")]),
        ({"permission": "Deny", "operations": ["read"]}, [binding(permission="DENY")]),
        (
            {"principal": "User:CN=kafka1.internal,O=Example", "operations": ["read"]},
            [binding(principal="User:CN=kafka1.internal,O=Example")],
        ),
        (
            {"resource_type": "cluster", "resource_name": DROP, "operations": ["IdempotentWrite"]},
            [binding(operation="IDEMPOTENT_WRITE", resource_type="CLUSTER", name="kafka-cluster")],
        ),
        (
            {"resource_type": "TransactionalId", "resource_name": "tx-1", "operations": ["write"]},
            [binding(operation="WRITE", resource_type="TRANSACTIONAL_ID", name="tx-1")],
        ),
        (
            {"resource_type": "group", "resource_name": "my group", "operations": ["read"]},
            [binding(resource_type="GROUP", name="my group")],
        ),
    ],
)
def test_entries_become_bindings_in_kafkas_spelling(overrides, expected):
    bindings, problems = acl_plan.acl_task_problems(task(entry(**overrides)))
    assert problems == []
    assert bindings == expected


def test_the_same_binding_twice_is_one_binding():
    bindings, problems = acl_plan.acl_task_problems(
        task(entry(operations=["read"]), entry(operations=["READ"]))
    )
    assert problems == [] and bindings == [binding()]


def test_present_adds_only_what_is_missing():
    desired = [binding(), binding(operation="DESCRIBE")]
    current = [binding(), binding(principal="User:bob")]
    plan, problems = acl_plan.plan_acls(desired, current, "present", False, [])
    assert problems == []
    assert plan["add"] == [binding(operation="DESCRIBE")]
    assert plan["remove"] == []


def test_absent_removes_only_what_exists():
    desired = [binding(), binding(operation="DESCRIBE")]
    plan, problems = acl_plan.plan_acls(desired, [binding()], "absent", False, [])
    assert problems == [] and plan == {"add": [], "remove": [binding()], "scope": ["User:alice"]}


def test_exclusive_removes_the_named_principals_other_bindings_only():
    desired = [binding()]
    current = [
        binding(),
        binding(operation="WRITE"),
        binding(resource_type="GROUP", name="g"),
        binding(principal="User:bob", operation="WRITE"),
    ]
    plan, problems = acl_plan.plan_acls(desired, current, "present", True, [])
    assert problems == []
    assert plan["add"] == []
    assert plan["remove"] == [binding(resource_type="GROUP", name="g"), binding(operation="WRITE")]


def test_a_binding_differing_only_in_host_or_pattern_is_another_binding():
    desired = [binding(host="10.0.0.1")]
    current = [binding(), binding(pattern_type="PREFIXED")]
    plan, _problems = acl_plan.plan_acls(desired, current, "present", True, [])
    assert plan["add"] == desired
    assert plan["remove"] == sorted(current, key=lambda b: b["pattern_type"])


@pytest.mark.parametrize(("state", "exclusive"), [("absent", False), ("present", True)])
def test_protected_principals_bindings_are_never_removed(state, exclusive):
    admin = binding(principal="User:admin", operation="ALL")
    desired = [binding(principal="User:admin")] if exclusive else [admin]
    _plan, problems = acl_plan.plan_acls(desired, [admin], state, exclusive, ["User:admin"])
    assert len(problems) == 1
    assert "refusing to remove bindings of protected principal(s) User:admin" in problems[0]
    assert "User:admin on TOPIC literal 'twitter': ALLOW ALL from host *" in problems[0]


def test_diff_is_sorted_lines_of_the_named_principals():
    current = [binding(operation="WRITE"), binding(principal="User:bob")]
    plan, _problems = acl_plan.plan_acls([binding()], current, "present", True, [])
    diff = acl_plan.build_acl_diff(plan, current)
    assert diff["before"] == "User:alice on TOPIC literal 'twitter': ALLOW WRITE from host *\n"
    assert diff["after"] == "User:alice on TOPIC literal 'twitter': ALLOW READ from host *\n"
    assert "User:bob" not in diff["before"] + diff["after"]


def test_changes_made_names_only_what_the_brokers_show():
    plan = {
        "add": [binding(), binding(operation="DESCRIBE")],
        "remove": [binding(operation="WRITE")],
        "scope": ["User:alice"],
    }
    now = [binding(), binding(operation="WRITE")]
    added, removed = acl_plan.changes_made(plan, now)
    assert added == [binding()] and removed == []
    assert acl_plan.describe_changes(added, removed) == (
        "added User:alice on TOPIC literal 'twitter': ALLOW READ from host *"
    )
    assert acl_plan.describe_changes([], []) == "nothing"


@pytest.mark.parametrize(
    ("value", "spelled"),
    [
        ("READ", "READ"),
        ("read", "READ"),
        ("DescribeConfigs", "DESCRIBE_CONFIGS"),
        ("describe_configs", "DESCRIBE_CONFIGS"),
        ("describe-configs", "DESCRIBE_CONFIGS"),
        ("TransactionalId", "TRANSACTIONAL_ID"),
        (3, None),
    ],
)
def test_canonical_spelling(value, spelled):
    assert acl_plan.canonical_spelling(value) == spelled
