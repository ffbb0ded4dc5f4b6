# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""The inter.broker.protocol.version each broker of a ZooKeeper-mode cluster runs with.

Kafka's upgrade procedure in ZooKeeper mode: the brokers keep the protocol version of
the release they ran while each one moves to the new release, then a second roll raises
it. A broker runs the version its server.properties names, or the one of its own release
when none is named. Pure functions: the kafka_broker role reads the members' files and
fails with these messages before it writes anything.
"""

from __future__ import annotations

import re

_VERSION = re.compile(r"^([0-9]+)[.]([0-9]+)(?:-IV([0-9]+))?$")
_RELEASE = re.compile(r"^([0-9]+)[.]([0-9]+)[.][0-9]+")
# "3.9" means the newest step of 3.9: above any "3.9-IVn".
_NEWEST_STEP = 10**6


def protocol_key(version):
    """A sortable key of a protocol version ('3.9', '3.9-IV0'); None when it is not one."""
    match = _VERSION.match(str(version))
    if not match:
        return None
    step = _NEWEST_STEP if match.group(3) is None else int(match.group(3))
    return (int(match.group(1)), int(match.group(2)), step)


def release_line(release):
    """'3.9' for Kafka release '3.9.2'; '' when the text is not a release."""
    match = _RELEASE.match(str(release or ""))
    return f"{match.group(1)}.{match.group(2)}" if match else ""


_NOT_A_VERSION = "is not a protocol version such as '3.9' or '3.9-IV0'."


def _current_versions(members, problems):
    """Broker -> the version it runs with now: its file's, else its release line's."""
    current = {}
    for name, held in sorted(members.items()):
        on_disk = str(held.get("protocol") or "")
        if on_disk and protocol_key(on_disk) is None:
            problems.append(
                f"{name}: server.properties names inter.broker.protocol.version '{on_disk}', "
                f"which {_NOT_A_VERSION} Correct it on the host."
            )
        current[name] = on_disk or release_line(held.get("release"))
    return current


def _request_problems(requested, release):
    target_line = release_line(release)
    if protocol_key(requested) is None:
        return [f"kafka_broker_inter_broker_protocol_version '{requested}' {_NOT_A_VERSION}"]
    if target_line and protocol_key(requested) > protocol_key(target_line):
        return [
            f"kafka_broker_inter_broker_protocol_version '{requested}' is newer than Kafka "
            f"{release} speaks (at most {target_line})."
        ]
    return []


def _chosen_versions(members, requested, target_line):
    """Broker -> the version to write, and whether it is held at an older line."""
    if requested:
        return dict.fromkeys(members, requested), False
    pinned = sorted(
        (str(held["protocol"]) for held in members.values() if held.get("protocol")),
        key=protocol_key,
    )
    other_lines = sorted(
        {release_line(held.get("release")) for held in members.values()} - {"", target_line},
        key=protocol_key,
    )
    versions = {}
    for name, held in members.items():
        if held.get("protocol"):
            versions[name] = str(held["protocol"])
        elif pinned:
            # A new or unpinned broker of a pinned cluster speaks no newer than the rest.
            versions[name] = pinned[0]
        elif other_lines:
            # The brokers move to another release line: all keep the older line's version.
            versions[name] = min([*other_lines, target_line], key=protocol_key)
        else:
            versions[name] = ""
    return versions, bool(other_lines) and not pinned


def _behind(versions, raising, running, release):
    """Brokers that run a release older than the highest version being raised to."""
    if not raising or running is None:
        return []
    highest = max((versions[name] for name in raising), key=protocol_key)
    behind = [
        f"{name}: {running[name] or 'not running'}"
        for name in sorted(running)
        if not release_line(running[name])
        or protocol_key(release_line(running[name])) < protocol_key(highest)
    ]
    if not behind:
        return []
    return [
        f"Nothing was changed: inter.broker.protocol.version would be raised to {highest}, but "
        f"not every broker runs a release that speaks it ({', '.join(behind)}). Finish the "
        f"rolling upgrade to Kafka {release} first, then raise it."
    ]


def protocol_version_plan(members, requested, release, running=None):
    """What to write in each broker's server.properties, and what stops the run.

    members: broker name -> {'protocol': the version its server.properties names ('' for
    none), 'release': the release its install link points at ('' for a new broker)}.
    requested: kafka_broker_inter_broker_protocol_version ('' when not set).
    release: kafka_broker_version, the release every broker is to run.
    running: broker name -> the release its process runs ('' when it does not run), for
    the brokers read; when given, raising is refused while one of them runs an older
    release line than the version raised to (None: not read, nothing checked).

    Returns a dict: 'versions' (broker -> version to write, '' to write none), 'current'
    (broker -> version it runs with now, '' for a new broker), 'raising' (brokers whose
    version goes up, sorted), 'held' (True when the version is kept at an older line
    because the brokers move to another release line) and 'problems' (messages).
    """
    problems = []
    requested = str(requested or "").strip()
    current = _current_versions(members, problems)
    if requested:
        problems += _request_problems(requested, release)
    if problems:
        return {
            "versions": {},
            "current": current,
            "raising": [],
            "held": False,
            "problems": problems,
        }

    target_line = release_line(release)
    versions, held = _chosen_versions(members, requested, target_line)
    for name in sorted(members):
        now, then = current[name], versions[name] or target_line
        if now and then and protocol_key(then) < protocol_key(now):
            problems.append(
                f"Nothing was changed: {name} runs inter.broker.protocol.version {now}; "
                f"{then} would lower it, which Kafka does not support. Keep "
                f"kafka_broker_inter_broker_protocol_version at {now} or above."
            )
    raising = sorted(
        name
        for name in members
        if current[name]
        and versions[name]
        and protocol_key(versions[name]) > protocol_key(current[name])
    )
    problems += _behind(versions, raising, running, release)
    return {
        "versions": versions,
        "current": current,
        "raising": raising,
        "held": held,
        "problems": problems,
    }
