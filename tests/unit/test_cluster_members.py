"""member_ids and member_addresses: the ids and addresses the zookeeper and
kafka_broker roles write into server lines, node ids and listeners."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

PLUGIN = Path(__file__).resolve().parents[2] / "plugins" / "plugin_utils" / "cluster_members.py"
spec = importlib.util.spec_from_file_location("cluster_members", PLUGIN)
cluster_members = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cluster_members)


def facts(address):
    return {"ansible_facts": {"default_ipv4": {"address": address}}}


@pytest.mark.parametrize(
    ("hostvars", "expected"),
    [
        ({"a": {}, "b": {}, "c": {}}, {"a": 1, "b": 2, "c": 3}),
        ({"a": {}, "b": {"node_id": 7}, "c": {}}, {"a": 1, "b": 7, "c": 3}),
        # add_host and inventories hand over strings
        ({"a": {"node_id": "5"}, "b": {}, "c": {}}, {"a": 5, "b": 2, "c": 3}),
        # duplicates are returned as they are: preflight names them
        ({"a": {}, "b": {}, "c": {"node_id": 1}}, {"a": 1, "b": 2, "c": 1}),
    ],
    ids=["positions", "explicit-id-wins", "string-id", "duplicate-kept"],
)
def test_member_ids(hostvars, expected):
    assert cluster_members.member_ids(["a", "b", "c"], hostvars, "node_id") == expected


def test_member_ids_refuses_an_id_that_is_not_a_number():
    with pytest.raises(AnsibleFilterError, match="node_id of b is 'two', not a whole number"):
        cluster_members.member_ids(["a", "b"], {"a": {}, "b": {"node_id": "two"}}, "node_id")


def test_member_addresses_prefer_the_host_variable_then_the_facts():
    hostvars = {
        "a": {"advertised": "a.example", **facts("10.0.0.1")},
        "b": facts("10.0.0.2"),
        "c": {},
        "d": {"advertised": ""},
    }
    assert cluster_members.member_addresses(["a", "b", "c", "d"], hostvars, "advertised") == {
        "a": "a.example",
        "b": "10.0.0.2",
        "c": "",
        "d": "",
    }


# A node's identity never moves: ids on disk win, new members take free ids.
@pytest.mark.parametrize(
    ("members", "hostvars", "on_disk", "taken", "expected"),
    [
        # a fresh cluster: positions, as before
        (["a", "b", "c"], {}, {}, [], {"a": 1, "b": 2, "c": 3}),
        # renamed hosts (their names sort the other way round now): their data keeps their ids
        (["x", "y", "z"], {}, {"x": "3", "y": "2", "z": "1"}, [], {"x": 3, "y": 2, "z": 1}),
        # b was replaced by "d": the survivors keep 1 and 3, the newcomer takes the free 2
        (["a", "c", "d"], {}, {"a": 1, "c": 3}, [], {"a": 1, "c": 3, "d": 2}),
        # a new member whose position is free keeps its position
        (["a", "b", "c", "d"], {}, {"a": 1, "b": 2, "c": 3}, [], {"a": 1, "b": 2, "c": 3, "d": 4}),
        # a position registered in the running cluster (a broker outside the inventory) is skipped
        (["a", "b"], {}, {"a": 1}, [2, 3], {"a": 1, "b": 4}),
        # the id on disk wins over the inventory's (member_id_problems reports the mismatch)
        (["a", "b"], {"a": {"node_id": 7}}, {"a": 1}, [], {"a": 1, "b": 2}),
        # an explicit id is kept for a member without data
        (["a", "b"], {"b": {"node_id": 9}}, {"a": ""}, [], {"a": 1, "b": 9}),
        # a newcomer never takes an explicit id when its position is held
        (
            ["a", "b", "c"],
            {"a": {"node_id": 1}},
            {"b": 2, "c": None},
            [3],
            {"a": 1, "b": 2, "c": 4},
        ),
    ],
    ids=[
        "fresh",
        "renamed",
        "replaced",
        "added",
        "registered-skipped",
        "disk-wins",
        "explicit-new",
        "newcomer-avoids-explicit",
    ],
)
def test_member_ids_keep_the_ids_on_disk(members, hostvars, on_disk, taken, expected):
    assert cluster_members.member_ids(members, hostvars, "node_id", on_disk, taken) == expected


@pytest.mark.parametrize(
    ("hostvars", "on_disk", "expected"),
    [
        ({}, {}, []),
        ({}, {"a": 1, "b": 2, "c": 3}, []),
        ({"a": {"node_id": 1}}, {"a": "1"}, []),
        (
            {"a": {"node_id": 2}},
            {"a": 1},
            [
                r"^a: the inventory sets node_id=2, but meta.properties on a holds id 1\. "
                r"The id on disk wins: set node_id: 1 for a, or remove the variable"
            ],
        ),
        ({"b": {"node_id": "two"}}, {}, [r"^node_id of b is 'two', not a whole number$"]),
        ({"b": {"node_id": True}}, {}, [r"^node_id of b is True, not a whole number$"]),
        ({"b": {"node_id": "1.5"}}, {}, [r"^node_id of b is '1.5', not a whole number$"]),
        ({"b": {"node_id": "-0"}}, {}, [r"^node_id of b is '-0', not a whole number$"]),
        # two hosts restored from one disk image
        ({}, {"a": 1, "b": 1}, [r"^id 1 is held by a \(on disk\) and b \(on disk\)$"]),
        ({"c": {"node_id": 1}}, {"a": 1}, [r"^id 1 is held by a \(on disk\) and c \(inventory\)$"]),
        ({"c": {"node_id": 1}}, {}, [r"^id 1 is held by a \(position\) and c \(inventory\)$"]),
    ],
    ids=[
        "fresh",
        "all-on-disk",
        "agree",
        "mismatch",
        "word",
        "boolean",
        "decimal",
        "negative-zero",
        "cloned-disk",
        "explicit-clash-disk",
        "explicit-clash-position",
    ],
)
def test_member_id_problems(hostvars, on_disk, expected):
    problems = cluster_members.member_id_problems(
        ["a", "b", "c"], hostvars, "node_id", on_disk, "meta.properties"
    )
    assert len(problems) == len(expected), problems
    for problem, pattern in zip(problems, expected, strict=True):
        assert re.search(pattern, problem), problem
