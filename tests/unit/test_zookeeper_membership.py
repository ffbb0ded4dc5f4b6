"""zookeeper_member_changes and zookeeper_digest: what the zookeeper role plans when the
inventory changes a running ensemble's members, and the super user's digest it configures."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

PLUGIN = (
    Path(__file__).resolve().parents[2] / "plugins" / "plugin_utils" / "zookeeper_membership.py"
)
spec = importlib.util.spec_from_file_location("zookeeper_membership", PLUGIN)
membership = importlib.util.module_from_spec(spec)
spec.loader.exec_module(membership)

ADDRESSES = {f"zk-{i}": f"10.0.0.{i}" for i in range(1, 8)}
THREE = {1: "10.0.0.1", 2: "10.0.0.2", 3: "10.0.0.3"}


def disk(myid, servers):
    return {"myid": str(myid), "servers": {str(k): v for k, v in servers.items()}}


def members(*numbers):
    return {f"zk-{i}": i for i in numbers}


def plan(on_disk, *numbers, addresses=None):
    return membership.zookeeper_member_changes(
        on_disk,
        members(*numbers),
        {f"zk-{i}": (addresses or ADDRESSES)[f"zk-{i}"] for i in numbers},
        ADDRESSES,
    )


def running_three():
    return {f"zk-{i}": disk(i, THREE) for i in (1, 2, 3)}


def test_digest_is_what_zookeepers_digest_provider_computes():
    # DigestAuthenticationProvider.generateDigest("super:adminpw"), as ZooKeeper 3.9.5 printed it
    assert membership.zookeeper_digest("super:adminpw") == "super:YW0smZw1fP8Plz4LetS54OLjO/8="


@pytest.mark.parametrize("wrong", ["no-colon", ":password", None, 5])
def test_digest_refuses_what_is_not_user_and_password(wrong):
    with pytest.raises(AnsibleFilterError, match="zookeeper_digest"):
        membership.zookeeper_digest(wrong)


def test_new_ensemble_and_unchanged_ensemble_have_no_steps():
    fresh = plan({"zk-1": {}, "zk-2": {}, "zk-3": {}}, 1, 2, 3)
    assert (fresh["current"], fresh["steps"], fresh["refusal"]) == ([], [], "")
    same = plan(running_three(), 1, 2, 3)
    assert (same["current"], same["target"], same["steps"], same["refusal"]) == (
        [1, 2, 3],
        [1, 2, 3],
        [],
        "",
    )


def test_two_members_join_one_at_a_time_by_myid():
    on_disk = {**running_three(), "zk-4": {}, "zk-5": {}}
    result = plan(on_disk, 1, 2, 3, 4, 5)
    assert result["refusal"] == ""
    assert result["steps"] == [
        {"action": "add", "myid": 4, "host": "zk-4", "address": "10.0.0.4"},
        {"action": "add", "myid": 5, "host": "zk-5", "address": "10.0.0.5"},
    ]


def test_leaving_members_are_found_by_address_and_removed_after_joining_ones():
    five = {**THREE, 4: "10.0.0.4", 5: "10.0.0.5"}
    on_disk = {f"zk-{i}": disk(i, five) for i in (1, 2, 3)}
    on_disk["zk-6"] = {}
    result = plan(on_disk, 1, 2, 3, 6, 7 - 2)  # 5 stays, 4 leaves, 6 joins
    assert result["refusal"] == ""
    assert [(s["action"], s["myid"], s["host"]) for s in result["steps"]] == [
        ("add", 6, "zk-6"),
        ("remove", 4, "zk-4"),
    ]


def test_a_leaving_member_no_inventory_host_has_gets_no_host():
    five = {**THREE, 4: "192.0.2.4", 5: "192.0.2.5"}
    result = plan({f"zk-{i}": disk(i, five) for i in (1, 2, 3)}, 1, 2, 3)
    assert [(s["myid"], s["host"], s["address"]) for s in result["steps"]] == [
        (4, "", "192.0.2.4"),
        (5, "", "192.0.2.5"),
    ]


def test_the_view_most_members_hold_wins():
    # zk-3 was down while 4 and 5 joined; zk-4 and zk-5 hold the current view too.
    five = {**THREE, 4: "10.0.0.4", 5: "10.0.0.5"}
    on_disk = {f"zk-{i}": disk(i, five) for i in (1, 2, 4, 5)}
    on_disk["zk-3"] = disk(3, THREE)
    result = plan(on_disk, 1, 2, 3, 4, 5)
    assert (result["current"], result["steps"], result["refusal"]) == ([1, 2, 3, 4, 5], [], "")


def test_a_new_member_that_started_once_does_not_outvote_the_ensemble():
    # zk-4 was started with the inventory's members (1-5) and stopped before it was added.
    on_disk = {
        **running_three(),
        "zk-4": disk(4, {**THREE, 4: "10.0.0.4", 5: "10.0.0.5"}),
        "zk-5": {},
    }
    result = plan(on_disk, 1, 2, 3, 4, 5)
    assert [s["myid"] for s in result["steps"]] == [4, 5]


@pytest.mark.parametrize(
    ("on_disk", "numbers", "message"),
    [
        # a standalone member (no server lines) cannot grow live
        (
            {"zk-1": disk(1, {}), "zk-2": {}, "zk-3": {}},
            (1, 2, 3),
            "zk-1 runs ZooKeeper standalone",
        ),
        # shrinking to one member
        ("three", (1,), "a 3-member ensemble cannot become one of 1 live"),
        # three new members of five... would be four of seven
        ("three", (1, 2, 3, 4, 5, 6, 7), "4 new members of 7 could elect a leader of their own"),
    ],
    ids=["standalone-grows", "shrinks-to-one", "too-many-joiners"],
)
def test_refusals(on_disk, numbers, message):
    on_disk = running_three() if on_disk == "three" else on_disk
    result = plan(on_disk, *numbers)
    assert result["steps"] == []
    assert message in result["refusal"]


def test_a_member_that_moves_to_another_address_is_refused_and_named():
    moved = {**ADDRESSES, "zk-3": "10.0.9.3"}
    result = plan(running_three(), 1, 2, 3, addresses=moved)
    assert result["steps"] == []
    assert "member 3 (zk-3) would move from 10.0.0.3 to 10.0.9.3" in result["refusal"]
    assert "give the new host a new myid" in result["refusal"]
    result = plan({**running_three(), "zk-4": {}, "zk-5": {}}, 1, 2, 3, 4, 5, addresses=moved)
    assert result["steps"] == []
    assert "not both in one run" in result["refusal"]


@pytest.mark.parametrize(
    "wrong",
    [([], {}, {}), ({}, "zk-1", {}), ({"zk-1": disk(1, {"x": "10.0.0.1"})}, members(1), {})],
    ids=["on-disk-not-a-dict", "myids-not-a-dict", "myid-not-a-number"],
)
def test_wrong_input_is_refused_with_a_clear_error(wrong):
    on_disk, myids, addresses = wrong
    with pytest.raises(AnsibleFilterError, match="zookeeper_member_changes"):
        membership.zookeeper_member_changes(on_disk, myids, addresses or {"zk-1": "10.0.0.1"})
