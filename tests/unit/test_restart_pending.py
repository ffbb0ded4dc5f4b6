"""service_restart_pending's pure part: when a running process is older than its files."""

from __future__ import annotations

import pytest
from module_utils_loader import load

restart_pending = load("restart_pending")

SHOW = (
    "ActiveState=active\nMainPID=4242\nExecMainStartTimestampMonotonic=5000000000\n"
    "NeedDaemonReload=no\n"
)


def test_systemctl_show_output_is_read_as_properties():
    assert restart_pending.parse_systemctl_show(SHOW + "Odd line without equals\n") == {
        "ActiveState": "active",
        "MainPID": "4242",
        "ExecMainStartTimestampMonotonic": "5000000000",
        "NeedDaemonReload": "no",
    }


@pytest.mark.parametrize(
    ("properties", "expected"),
    [
        # started 5000 s after boot; now is 6000 s after boot, wall 1e9: started 1000 s ago
        (SHOW, 1_000_000_000 - 1000),
        (
            "ActiveState=activating\nMainPID=7\nExecMainStartTimestampMonotonic=5500000000",
            1e9 - 500,
        ),
        ("ActiveState=inactive\nMainPID=0\nExecMainStartTimestampMonotonic=5000000000", None),
        ("ActiveState=failed\nMainPID=0\nExecMainStartTimestampMonotonic=0", None),
        ("ActiveState=active\nMainPID=0\nExecMainStartTimestampMonotonic=5000000000", None),
        ("ActiveState=active\nMainPID=12\nExecMainStartTimestampMonotonic=0", None),
        ("ActiveState=active\nMainPID=12\nExecMainStartTimestampMonotonic=n/a", None),
        ("", None),
    ],
)
def test_start_time_from_the_monotonic_clock(properties, expected):
    parsed = restart_pending.parse_systemctl_show(properties)
    assert restart_pending.started_at(parsed, wall_now=1e9, monotonic_now=6000.0) == expected


@pytest.mark.parametrize(
    ("mtimes", "start", "expected"),
    [
        ({"/etc/kafka/server.properties": 90.0, "/opt/kafka": 50.0}, 100.0, []),
        (
            {"/etc/kafka/server.properties": 120.0, "/opt/kafka": 50.0},
            100.0,
            ["/etc/kafka/server.properties"],
        ),
        # every newer file is named, oldest first
        ({"b": 130.0, "a": 110.0, "c": 10.0}, 100.0, ["a", "b"]),
        # a missing file is not a reason
        ({"a": None, "b": 101.0}, 100.0, ["b"]),
        # written in the same instant the process started: it read that file
        ({"a": 100.0}, 100.0, []),
        # not running: nothing to restart
        ({"a": 120.0}, None, []),
    ],
)
def test_files_newer_than_the_process(mtimes, start, expected):
    assert restart_pending.newer_than_start(mtimes, start) == expected
