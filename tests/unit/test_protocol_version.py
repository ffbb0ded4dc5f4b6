"""kafka_protocol_version_plan: the inter.broker.protocol.version the kafka_broker role writes
on each ZooKeeper-mode broker, and every kind of wrong value it refuses."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

PLUGIN = Path(__file__).resolve().parents[2] / "plugins" / "plugin_utils" / "protocol_version.py"
spec = importlib.util.spec_from_file_location("protocol_version", PLUGIN)
protocol = importlib.util.module_from_spec(spec)
spec.loader.exec_module(protocol)
plan = protocol.protocol_version_plan


def brokers(protocol_on_disk="", release="3.9.2", names=("k1", "k2", "k3")):
    return {name: {"protocol": protocol_on_disk, "release": release} for name in names}


def test_a_new_cluster_writes_no_version_so_kafka_uses_its_release():
    result = plan(brokers(release=""), "", "3.9.2")
    assert result["versions"] == {"k1": "", "k2": "", "k3": ""}
    assert result["problems"] == [] and result["raising"] == [] and not result["held"]


def test_an_unpinned_cluster_on_its_line_stays_unpinned():
    result = plan(brokers(), "", "3.9.2")
    assert set(result["versions"].values()) == {""}
    assert result["current"] == {"k1": "3.9", "k2": "3.9", "k3": "3.9"}


def test_an_upgrade_across_lines_keeps_the_older_lines_version():
    result = plan(brokers(release="3.8.1"), "", "3.9.2")
    assert result["versions"] == {"k1": "3.8", "k2": "3.8", "k3": "3.8"}
    assert result["held"] and result["raising"] == [] and result["problems"] == []


def test_a_pinned_version_is_kept_once_the_brokers_run_the_new_release():
    result = plan(brokers("3.8"), "", "3.9.2")
    assert result["versions"] == {"k1": "3.8", "k2": "3.8", "k3": "3.8"}
    assert not result["held"] and result["raising"] == []


def test_a_new_broker_of_a_pinned_cluster_takes_the_lowest_pin():
    members = {**brokers("3.8", names=("k1", "k2")), "k4": {"protocol": "", "release": ""}}
    result = plan(members, "", "3.9.2")
    assert result["versions"]["k4"] == "3.8"
    assert result["current"]["k4"] == "" and "k4" not in result["raising"]


def test_the_requested_version_raises_every_broker_below_it():
    members = {**brokers("3.8", names=("k1", "k2")), "k3": {"protocol": "3.9", "release": "3.9.2"}}
    result = plan(members, "3.9", "3.9.2")
    assert result["versions"] == {"k1": "3.9", "k2": "3.9", "k3": "3.9"}
    assert result["raising"] == ["k1", "k2"] and result["problems"] == []


def test_the_requested_version_already_run_raises_nothing():
    result = plan(brokers("3.9"), "3.9", "3.9.2")
    assert result["raising"] == [] and result["problems"] == []


def test_an_iv_step_sorts_below_its_line():
    assert protocol.protocol_key("3.9-IV0") < protocol.protocol_key("3.9")
    assert protocol.protocol_key("3.8") < protocol.protocol_key("3.9-IV0")
    result = plan(brokers("3.9-IV0"), "3.9", "3.9.2")
    assert result["raising"] == ["k1", "k2", "k3"]


@pytest.mark.parametrize("wrong", ["latest", "3", "3.9.2", "v3.9", "3.9-iv0", "3.9-IV", " ", "3,9"])
def test_a_requested_value_that_is_not_a_protocol_version_is_refused(wrong):
    result = plan(brokers("3.8"), wrong, "3.9.2")
    if not wrong.strip():
        # Blank means "not set": the pins on disk stay.
        assert result["problems"] == [] and set(result["versions"].values()) == {"3.8"}
        return
    assert result["versions"] == {}
    assert result["problems"] == [
        f"kafka_broker_inter_broker_protocol_version '{wrong.strip()}' is not a protocol version "
        "such as '3.9' or '3.9-IV0'."
    ]


def test_a_version_newer_than_the_target_release_is_refused():
    result = plan(brokers("3.8"), "4.0", "3.9.2")
    assert result["versions"] == {}
    assert "newer than Kafka 3.9.2 speaks (at most 3.9)" in result["problems"][0]


def test_lowering_a_brokers_version_is_refused_naming_it():
    members = {**brokers("3.8", names=("k1",)), "k2": {"protocol": "3.9", "release": "3.9.2"}}
    result = plan(members, "3.8", "3.9.2")
    assert result["problems"] == [
        "Nothing was changed: k2 runs inter.broker.protocol.version 3.9; 3.8 would lower it, "
        "which Kafka does not support. "
        "Keep kafka_broker_inter_broker_protocol_version at 3.9 or above."
    ]


def test_an_unpinned_broker_ahead_of_a_pinned_cluster_is_refused_not_lowered():
    members = {**brokers("3.8", names=("k1",)), "k2": {"protocol": "", "release": "3.9.2"}}
    result = plan(members, "", "3.9.2")
    assert len(result["problems"]) == 1 and result["problems"][0].startswith(
        "Nothing was changed: k2 runs"
    )


def test_a_broken_version_on_disk_is_refused_naming_the_host():
    result = plan(brokers("three"), "", "3.9.2")
    assert result["versions"] == {}
    assert result["problems"][0].startswith(
        "k1: server.properties names inter.broker.protocol.version 'three'"
    )


def test_release_lines():
    assert protocol.release_line("3.9.2") == "3.9"
    assert protocol.release_line("4.4.0") == "4.4"
    assert protocol.release_line("") == "" and protocol.release_line(None) == ""


def test_raising_is_refused_while_a_broker_runs_an_older_release_naming_each():
    running = {"k1": "3.9.2", "k2": "3.8.1", "k3": ""}
    result = plan(brokers("3.8"), "3.9", "3.9.2", running)
    assert result["problems"] == [
        "Nothing was changed: inter.broker.protocol.version would be raised to 3.9, but not every "
        "broker runs a release that speaks it (k2: 3.8.1, k3: not running). Finish the rolling "
        "upgrade to Kafka 3.9.2 first, then raise it."
    ]


def test_raising_goes_ahead_when_every_broker_read_runs_a_release_that_speaks_it():
    running = {"k1": "3.9.2", "k2": "3.9.2"}  # k3 is not in this run: not read
    for requested in ("3.9", "3.9-IV0", "3.8"):
        result = plan(brokers("3.8"), requested, "3.9.2", running)
        assert result["problems"] == [], requested


def test_the_releases_run_are_not_asked_about_when_nothing_goes_up():
    result = plan(brokers("3.8", release="3.8.1"), "", "3.9.2", {"k1": "3.8.1", "k2": ""})
    assert result["problems"] == [] and result["raising"] == []
