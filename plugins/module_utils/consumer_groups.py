# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""Consumer groups: lag per partition, and where a reset moves a group.

First pure functions on what the modules read from Kafka (no I/O), so that the unit
tests cover every rule: kafka_consumer_group_info reports lag with them,
kafka_consumer_group plans its moves (and shows them in check and diff mode) with them
before it commits. Then the few reads and the commit, at the end of the file.

Offsets are keyed ``(topic, partition)``. A partition the group never committed has no
entry in ``committed``.
"""

import re
import time
from datetime import datetime

try:
    from kafka.structs import OffsetAndMetadata, TopicPartition
except ImportError:  # reported by kafka_admin.ensure_kafka_python
    OffsetAndMetadata = TopicPartition = None

# Group states in which no member holds partitions: the only ones a reset may touch.
# (Kafka's own kafka-consumer-groups.sh --reset-offsets refuses the others too.)
# "Dead" is also what Kafka answers for a group it does not know.
STATES_WITHOUT_MEMBERS = ("Empty", "Dead")
RESET_TARGETS = ("earliest", "latest", "timestamp", "offset")

_DIGITS = re.compile(r"^[0-9]+$")


def lag_report(partitions_by_topic, committed, end_offsets):
    """Per topic: each partition's committed offset, end offset and lag, and the topic's
    total; plus the group's total. A partition without a committed offset has
    ``committed_offset`` and ``lag`` None and counts in ``uncommitted_partitions``,
    not in the totals (its lag depends on where the consumer would start)."""
    topics = {}
    group_lag = 0
    for topic in sorted(partitions_by_topic):
        rows = []
        topic_lag = 0
        uncommitted = 0
        for partition in sorted(partitions_by_topic[topic]):
            end = end_offsets.get((topic, partition))
            offset = committed.get((topic, partition))
            lag = None
            if offset is None or offset < 0:
                offset = None
                uncommitted += 1
            elif end is not None:
                # A commit past the end (the log was truncated) is no lag, not a negative one.
                lag = max(end - offset, 0)
                topic_lag += lag
            rows.append(dict(partition=partition, committed_offset=offset, end_offset=end, lag=lag))
        topics[topic] = dict(partitions=rows, lag=topic_lag, uncommitted_partitions=uncommitted)
        group_lag += topic_lag
    return dict(topics=topics, lag=group_lag)


def clamp(offset, earliest, latest):
    """An offset Kafka can serve: within [earliest, latest]."""
    return min(max(offset, earliest), latest)


def reset_moves(partitions_by_topic, committed, earliest, latest, resolved):
    """Where each partition's committed offset goes.

    ``resolved`` is the target per partition before clamping: an offset, or None where a
    timestamp is later than the partition's last record (the group then starts at the
    end, as Kafka's tool does). Every target is clamped to what the partition holds.
    Returns every partition, moved or not: dicts with topic, partition, from (None when
    the group never committed there) and to."""
    moves = []
    for topic in sorted(partitions_by_topic):
        for partition in sorted(partitions_by_topic[topic]):
            key = (topic, partition)
            low, high = earliest[key], latest[key]
            target = resolved.get(key)
            target = high if target is None or target < 0 else clamp(target, low, high)
            before = committed.get(key)
            before = None if before is None or before < 0 else before
            moves.append({"topic": topic, "partition": partition, "from": before, "to": target})
    return moves


def moved(moves):
    """The moves that change a committed offset."""
    return [move for move in moves if move["from"] != move["to"]]


def offsets_by_topic(moves, side):
    """``{topic: {partition: offset}}`` for one side of the moves ('from' or 'to'), for --diff."""
    found = {}
    for move in moves:
        found.setdefault(move["topic"], {})[str(move["partition"])] = move[side]
    return found


def parse_timestamp(value):
    """Milliseconds since the epoch, from digits (already milliseconds) or an ISO 8601 time
    with its time zone (``2026-11-28T10:00:00Z``, ``2026-11-28T10:00:00+01:00``).
    Raises ValueError with a message for the user."""
    text = str(value).strip()
    if _DIGITS.match(text):
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"timestamp {value!r} is neither milliseconds since the epoch nor an ISO 8601 time"
            " such as 2026-11-28T10:00:00Z"
        ) from None
    if moment.tzinfo is None:
        raise ValueError(
            f"timestamp {value!r} has no time zone; add one (Z for UTC, or +01:00), as the"
            " brokers' clocks and the controller's may be in different zones"
        )
    return int(moment.timestamp() * 1000)


def reset_problems(params):
    """What is wrong with kafka_consumer_group's options, before any request (plain data)."""
    problems = []
    target = params.get("reset_to")
    if not params.get("group"):
        problems.append("group is empty: name the consumer group whose offsets to reset")
    if not params.get("topics"):
        problems.append("topics is empty: name the topics whose offsets the group resets")
    if target == "timestamp" and params.get("timestamp") in (None, ""):
        problems.append("reset_to is timestamp, so give timestamp (ISO 8601 with a zone, or ms)")
    if target == "offset":
        offset = params.get("offset")
        if offset is None:
            problems.append("reset_to is offset, so give offset (0 or more)")
        elif offset < 0:
            problems.append(f"offset must be 0 or more, got {offset}")
    if target != "timestamp" and params.get("timestamp") not in (None, ""):
        problems.append(f"timestamp is given, but reset_to is {target}; use reset_to: timestamp")
    if target != "offset" and params.get("offset") is not None:
        problems.append(f"offset is given, but reset_to is {target}; use reset_to: offset")
    if target == "timestamp" and params.get("timestamp") not in (None, ""):
        try:
            parse_timestamp(params["timestamp"])
        except ValueError as error:
            problems.append(str(error))
    return problems


def members_summary(members):
    """The group's members as people read them: client id @ host."""
    return ", ".join(
        sorted(
            f"{member.get('client_id') or '?'}@{(member.get('client_host') or '?').lstrip('/')}"
            for member in members
        )
    )


# --- Talking to Kafka: the only functions here that do --------------------------------


def call_with_retries(call, timeout_s, *args):
    """Run a kafka-python call, again while Kafka answers with an error it calls retriable
    (a group's coordinator not elected yet, or moved), until ``timeout_s`` has passed."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return call(*args)
        except Exception as error:  # only kafka-python's retriable errors are retried
            if not getattr(error, "retriable", False) or time.monotonic() >= deadline:
                raise
            time.sleep(0.5)


def read_groups(admin, names, timeout_s):
    """{group_id: description} for the named groups (every group when names is None).
    A group Kafka does not know reads as Dead: it is left out."""
    if names is None:
        listed = call_with_retries(admin.list_groups, timeout_s)
        names = sorted(set(group["group_id"] for group in listed))
    if not names:
        return {}
    described = call_with_retries(admin.describe_groups, timeout_s, list(names))
    return dict(
        (name, group) for name, group in described.items() if group.get("group_state") != "Dead"
    )


def read_committed(admin, names, timeout_s):
    """{group_id: {(topic, partition): committed offset}}."""
    if not names:
        return {}
    found = call_with_retries(admin.list_group_offsets, timeout_s, dict((n, None) for n in names))
    return dict(
        (name, dict(((tp.topic, tp.partition), entry.offset) for tp, entry in offsets.items()))
        for name, offsets in found.items()
    )


def read_partition_offsets(admin, partitions, spec, timeout_s):
    """{(topic, partition): offset} for a kafka-python OffsetSpec or a timestamp in ms
    (-1 where no record is that late)."""
    if not partitions:
        return {}
    found = call_with_retries(
        admin.list_partition_offsets,
        timeout_s,
        dict((TopicPartition(topic, partition), spec) for topic, partition in partitions),
    )
    return dict(((tp.topic, tp.partition), entry.offset) for tp, entry in found.items())


def commit_offsets(admin, group, offsets, timeout_s):
    """Commit {(topic, partition): offset} for an empty group; the partitions Kafka refused,
    with its error's name. Kafka answers per partition; a commit refused with an error it
    calls retriable (the coordinator being elected or moved) is sent again until timeout_s."""
    request = dict(
        (TopicPartition(topic, partition), OffsetAndMetadata(offset, "", None))
        for (topic, partition), offset in offsets.items()
    )
    deadline = time.monotonic() + timeout_s
    while True:
        results = call_with_retries(admin.alter_group_offsets, timeout_s, group, request)
        refused = dict(
            ((tp.topic, tp.partition), error)
            for tp, error in results.items()
            if error is not None and error.__name__ != "NoError"
        )
        retriable = [error for error in refused.values() if getattr(error, "retriable", False)]
        if not retriable or time.monotonic() >= deadline:
            return dict((key, error.__name__) for key, error in refused.items())
        time.sleep(0.5)
