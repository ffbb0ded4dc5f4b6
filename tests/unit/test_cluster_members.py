"""member_ids and member_addresses: the ids and addresses the zookeeper and
kafka_broker roles write into server lines, node ids and listeners."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

PLUGIN = Path(__file__).resolve().parents[2] / "plugins" / "filter" / "cluster_members.py"
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


def test_filters_are_registered_under_their_names():
    assert set(cluster_members.FilterModule().filters()) == {"member_ids", "member_addresses"}
