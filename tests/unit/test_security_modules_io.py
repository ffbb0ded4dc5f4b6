"""kafka_acl and kafka_user when Kafka refuses part of a request: what they report is what
they read back, never what they planned. Stand-in admin clients, no broker."""

from __future__ import annotations

import importlib

import pytest
from module_utils_loader import load

load("acl_plan")  # makes the collection importable
kafka_acl = importlib.import_module(
    "ansible_collections.datapipe.kafka_pipeline.plugins.modules.kafka_acl"
)
kafka_user = importlib.import_module(
    "ansible_collections.datapipe.kafka_pipeline.plugins.modules.kafka_user"
)
acl_plan = load("acl_plan")

from kafka.errors import NoError, SecurityDisabledError  # noqa: E402


class Failed(Exception):
    pass


class StandInModule:
    def __init__(self, params=None, diff=True):
        self.params = {"bootstrap_servers": ["k1:9093"], "request_timeout": 5, **(params or {})}
        self._diff = diff

    def fail_json(self, **result):
        raise Failed(result)


def binding(operation, principal="User:app", name="orders"):
    return dict(
        principal=principal,
        permission="ALLOW",
        operation=operation,
        resource_type="TOPIC",
        pattern_type="LITERAL",
        resource_name=name,
        host="*",
    )


class StandInAclAdmin:
    """Keeps bindings; refuses to add those whose operation is in ``refuse``, and fails the
    delete request as a whole when ``delete_fails``."""

    def __init__(self, bindings, refuse=(), delete_fails=False):
        self.bindings = [kafka_acl.to_acl(b) for b in bindings]
        self.refuse = set(refuse)
        self.delete_fails = delete_fails
        self.calls = []

    def describe_acls(self, _filter):
        self.calls.append("describe")
        return list(self.bindings), NoError

    def create_acls(self, acls):
        self.calls.append("create")
        failed = []
        for acl in acls:
            if acl.operation.name in self.refuse:
                failed.append(SecurityDisabledError)
            else:
                self.bindings.append(acl)
        return {"succeeded": [], "failed": failed}

    def delete_acls(self, filters):
        self.calls.append("delete")
        if self.delete_fails:
            raise TimeoutError("no answer")
        answer = []
        for acl_filter in filters:
            self.bindings = [b for b in self.bindings if b != acl_filter]
            answer.append((acl_filter, [], NoError))
        return answer


def test_one_describe_one_create_one_delete():
    admin = StandInAclAdmin([binding("READ"), binding("WRITE")])
    plan, problems = acl_plan.plan_acls(
        [binding("READ"), binding("DESCRIBE"), binding("ALTER")],
        kafka_acl.read_bindings(admin),
        "present",
        True,
        [],
    )
    assert problems == []
    assert kafka_acl.apply_plan(admin, plan) is None
    assert admin.calls == ["describe", "create", "delete"]
    assert {kafka_acl.from_acl(a)["operation"] for a in admin.bindings} == {
        "READ",
        "DESCRIBE",
        "ALTER",
    }


@pytest.mark.parametrize(
    ("refuse", "delete_fails", "added", "removed"),
    [
        (["ALTER"], False, ["DESCRIBE"], []),  # creation refused in part: no delete is sent
        ([], True, ["ALTER", "DESCRIBE"], []),  # creation done, delete request failed
        (["ALTER", "DESCRIBE"], False, [], []),
    ],
)
def test_acl_failure_part_way_reports_what_was_read_back(refuse, delete_fails, added, removed):
    before = [binding("READ"), binding("WRITE")]
    admin = StandInAclAdmin(before, refuse=refuse, delete_fails=delete_fails)
    plan, _problems = acl_plan.plan_acls(
        [binding("READ"), binding("DESCRIBE"), binding("ALTER")], before, "present", True, []
    )
    try:
        reason = kafka_acl.apply_plan(admin, plan)
    except TimeoutError as error:
        reason = str(error)
    assert reason
    module = StandInModule()
    with pytest.raises(Failed) as failure:
        kafka_acl.fail_part_way(
            module, admin, plan, before=before, reason=reason, result={"changed": True}
        )
    result = failure.value.args[0]
    assert [b["operation"] for b in result["added"]] == added
    assert [b["operation"] for b in result["removed"]] == removed
    assert result["changed"] == bool(added or removed)
    assert "failed part way" in result["msg"]
    assert ("nothing" in result["msg"]) == (not added and not removed)
    for operation in added:
        assert f"added User:app on TOPIC literal 'orders': ALLOW {operation}" in result["msg"]
    assert "WRITE" in result["diff"]["before"] and "WRITE" in result["diff"]["after"]


class StandInScramAdmin:
    def __init__(self, users, refuse=None):
        self.users = users  # {user: {mechanism name: iterations}}
        self.refuse = refuse

    def describe_user_scram_credentials(self, _users):
        from kafka.admin import ScramMechanism

        return {
            user: {
                "error": None,
                "credential_infos": [
                    {"mechanism": ScramMechanism[m.replace("-", "_")], "iterations": i}
                    for m, i in creds.items()
                ],
            }
            for user, creds in self.users.items()
        }

    def alter_user_scram_credentials(self, alterations):
        if self.refuse:
            return {alterations[0].user: self.refuse}
        for alteration in alterations:
            self.users.setdefault(alteration.user, {})[
                alteration.mechanism.name.replace("_", "-")
            ] = alteration.iterations
        return {alterations[0].user: None}


def test_user_refused_reports_nothing_changed_and_no_secret():
    admin = StandInScramAdmin({}, refuse="Iterations too high")
    module = StandInModule({"name": "app", "password": "hunter2-secret"})
    plan = kafka_user.plan_user("present", None, 8192, "on_create", {})
    answer = admin.alter_user_scram_credentials(kafka_user.alterations("app", plan, "pw"))
    assert answer == {"app": "Iterations too high"}
    with pytest.raises(Failed) as failure:
        kafka_user.fail_part_way(
            module, admin, plan, before={}, reason="Kafka refused it", result={"changed": True}
        )
    result = failure.value.args[0]
    assert result["changed"] is False and result["credentials"] == []
    assert "Read back from the brokers: nothing changed" in result["msg"]
    assert "hunter2-secret" not in str(result)


def test_user_alterations_carry_a_hash_never_the_password():
    plan = kafka_user.plan_user("present", "SCRAM-SHA-256", 4096, "always", {"SCRAM-SHA-256": 4096})
    [upsert] = kafka_user.alterations("app", plan, "hunter2-secret")
    assert upsert.iterations == 4096 and upsert.mechanism.name == "SCRAM_SHA_256"
    assert b"hunter2-secret" not in upsert.salted_password
    assert "hunter2" not in repr(upsert)
    assert len(upsert.salt) >= 16
