"""kraft_voter_changes: what the kafka_broker role plans when the inventory changes the
controllers of a running dynamic KRaft quorum (kafka_broker_dynamic_quorum)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

PLUGIN = Path(__file__).resolve().parents[2] / "plugins" / "plugin_utils" / "kraft_membership.py"
spec = importlib.util.spec_from_file_location("kraft_membership", PLUGIN)
membership = importlib.util.module_from_spec(spec)
spec.loader.exec_module(membership)

ADDRESSES = {f"ctl-{i}": f"10.0.0.{i}" for i in range(1, 8)}


def voters(*numbers):
    """The voters as kafka_cluster_health returns them."""
    return [
        {"id": i, "directory_id": f"dir-of-{i}", "endpoint": f"10.0.0.{i}:9093", "caught_up": True}
        for i in numbers
    ]


def controllers(*numbers):
    return {f"ctl-{i}": i for i in numbers}


def test_the_same_voters_need_no_step():
    plan = membership.kraft_voter_changes(voters(1, 2, 3), controllers(1, 2, 3), [], ADDRESSES)
    assert plan == {"current": [1, 2, 3], "target": [1, 2, 3], "steps": [], "refusal": ""}


def test_new_controllers_join_one_at_a_time_by_node_id():
    plan = membership.kraft_voter_changes(voters(1, 2, 3), controllers(5, 1, 4, 2, 3))
    assert plan["target"] == [1, 2, 3, 4, 5]
    assert plan["steps"] == [
        {"action": "add", "id": 4, "host": "ctl-4", "directory_id": None},
        {"action": "add", "id": 5, "host": "ctl-5", "directory_id": None},
    ]
    assert plan["refusal"] == ""


def test_leaving_controllers_go_after_the_new_ones_with_their_directory_and_host():
    plan = membership.kraft_voter_changes(
        voters(1, 2, 3, 4, 5), controllers(1, 2, 3, 6), [], ADDRESSES
    )
    assert [(s["action"], s["id"]) for s in plan["steps"]] == [
        ("add", 6),
        ("remove", 4),
        ("remove", 5),
    ]
    assert plan["steps"][1] == {
        "action": "remove",
        "id": 4,
        "host": "ctl-4",
        "directory_id": "dir-of-4",
        "endpoint": "10.0.0.4:9093",
    }


def test_leaving_controllers_that_are_not_caught_up_go_first():
    """Until a failed controller has left, every gate needs a majority without it."""
    current = voters(1, 2, 3, 4, 5)
    current[4]["caught_up"] = False
    plan = membership.kraft_voter_changes(current, controllers(1, 2, 3), [], ADDRESSES)
    assert [(s["action"], s["id"]) for s in plan["steps"]] == [("remove", 5), ("remove", 4)]


def test_a_leaving_controller_no_inventory_host_has_keeps_an_empty_host():
    """Its Kafka is not stopped by the role; the role says so and names the endpoint."""
    plan = membership.kraft_voter_changes(voters(1, 2, 3), controllers(1, 2), [], {"x": "10.9.9.9"})
    assert plan["steps"] == [
        {
            "action": "remove",
            "id": 3,
            "host": "",
            "directory_id": "dir-of-3",
            "endpoint": "10.0.0.3:9093",
        }
    ]


def test_a_leaving_voter_without_an_endpoint_has_no_host():
    """Kafka before 3.9 reports no endpoints."""
    old = [{"id": 1}, {"id": 2}, {"id": 3}]
    plan = membership.kraft_voter_changes(old, controllers(1, 2), [], ADDRESSES)
    assert plan["steps"][0]["host"] == ""
    assert plan["steps"][0]["directory_id"] is None


def test_a_broker_that_stays_cannot_stop_being_a_controller():
    plan = membership.kraft_voter_changes(voters(1, 2, 3), controllers(1, 2), [1, 2, 3])
    assert plan["steps"] == []
    assert plan["refusal"].startswith("node 3 would stay a broker but stop being a controller;")
    two = membership.kraft_voter_changes(voters(1, 2, 3, 4, 5), controllers(1, 2, 3), [1, 4, 5])
    assert two["refusal"].startswith("nodes 4, 5 would stay brokers but stop being controllers;")


def test_a_controller_back_with_a_new_directory_is_refused_with_the_command_to_mend_it():
    observers = [{"id": 3, "directory_id": "new-dir", "lag": 0}, {"id": 7, "directory_id": None}]
    plan = membership.kraft_voter_changes(
        voters(1, 2, 3), controllers(1, 2, 3), [], ADDRESSES, observers
    )
    assert plan["steps"] == []
    assert "controller 3 (ctl-3) runs with a new metadata directory (new-dir)" in plan["refusal"]
    assert "--controller-id 3 --controller-directory-id dir-of-3" in plan["refusal"]


def test_an_observer_with_the_voters_own_directory_is_no_refusal():
    observers = [{"id": 3, "directory_id": "dir-of-3"}, {"id": 9, "directory_id": "x"}]
    plan = membership.kraft_voter_changes(
        voters(1, 2, 3), controllers(1, 2, 3), [], ADDRESSES, observers
    )
    assert plan["refusal"] == ""


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        ([], controllers(1), "the quorum's voters are needed"),
        (None, controllers(1), "the quorum's voters are needed"),
        (voters(1), {}, "the inventory's controllers are needed"),
        (voters(1), ["ctl-1"], "the inventory's controllers are needed"),
        ([{"id": "one"}], controllers(1), "the voter id 'one' is not a number"),
        (voters(1), {"ctl-1": None}, "the node id None is not a number"),
    ],
)
def test_wrong_input_is_an_error_naming_it(current, target, message):
    with pytest.raises(AnsibleFilterError, match=message):
        membership.kraft_voter_changes(current, target)
