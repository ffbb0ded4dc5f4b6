# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""Retention values people write (100MB, 10GiB, 7d) and what a new limit would delete. No I/O."""

import re

# Units are matched exactly as written: a letter whose case changes its meaning (b bit and
# B byte, m milli and M mega, m minute and M month) is never guessed.
# Decimal units are powers of 1000, binary (KiB, MiB, ...) powers of 1024, as in IEC 80000-13.
SIZE_UNITS = {
    "B": 1,
    "kB": 1000,
    "KB": 1000,
    "MB": 1000**2,
    "GB": 1000**3,
    "TB": 1000**4,
    "KiB": 1024,
    "MiB": 1024**2,
    "GiB": 1024**3,
    "TiB": 1024**4,
}
SIZE_UNIT_NAMES = (
    "B, kB or KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024),"
    " in exactly that case"
)

# s, h, d and w mean the same in either case; units with an m are lowercase only.
DURATION_UNITS = {
    "ms": 1,
    "s": 1000,
    "S": 1000,
    "m": 60 * 1000,
    "min": 60 * 1000,
    "h": 3600 * 1000,
    "H": 3600 * 1000,
    "d": 24 * 3600 * 1000,
    "D": 24 * 3600 * 1000,
    "w": 7 * 24 * 3600 * 1000,
    "W": 7 * 24 * 3600 * 1000,
}
DURATION_UNIT_NAMES = (
    "ms, s, m or min, h, d (24 h), w (7 d); s, h, d and w may be capitals, ms, m and min"
    " are lowercase only"
)

# Why a unit that differs only in case from an accepted one is refused.
_CASE_HINTS = {
    "size": "b is a bit and B a byte, m is milli and M mega",
    "duration": "M is read as month or mega, and there are no months",
}

# Kafka stores both retention values as a Java long.
KAFKA_LONG_MAX = 2**63 - 1

# A whole number, then at most one space, then letters only: "100MB", "7 d", "-1".
_AMOUNT = re.compile(r"^\s*(-?[0-9]+)(?: ?([A-Za-z]+))?\s*$")
RETENTION_KEYS = {"retention.bytes": "size", "retention.ms": "duration"}
RETENTION_OPTIONS = {"retention_bytes": "retention.bytes", "retention_ms": "retention.ms"}


_KINDS = {
    "size": (SIZE_UNITS, SIZE_UNIT_NAMES),
    "duration": (DURATION_UNITS, DURATION_UNIT_NAMES),
    "bare": ({}, "none: a plain number"),
}


def _unit_problem(what, value, unit, kind):
    units, unit_names = _KINDS[kind]
    same_letters = sorted(name for name in units if name.lower() == unit.lower())
    if same_letters == ["m"]:
        same_letters.append("min")
    if same_letters:
        return (
            f"{what} {value!r} has the unit {unit!r}, which is refused because its case"
            f" changes its meaning ({_CASE_HINTS[kind]}): write {' or '.join(same_letters)};"
            f" units: {unit_names}"
        )
    return f"{what} {value!r} has an unknown unit {unit!r}: use one of {unit_names}"


def _parse_amount(value, what, kind):
    units, unit_names = _KINDS[kind]
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number, not {value!r}")
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value
    else:
        raise ValueError(f"{what} must be a number or a string such as '100MB', got {value!r}")
    match = _AMOUNT.match(text)
    if not match:
        raise ValueError(
            f"{what} {value!r} is not a whole number with an optional unit"
            f" ({unit_names}); use -1 for unlimited"
        )
    digits, unit = match.group(1), match.group(2)
    number = int(digits)
    if digits.startswith("-") and number == 0:
        raise ValueError(
            f"{what} {value!r} is a negative zero, which reads as a typo: write 0 (keep"
            " nothing) or -1 (unlimited)"
        )
    if number == -1 and not unit:
        return -1
    if number < 0:
        raise ValueError(f"{what} {value!r} is negative; the only negative value is -1 (unlimited)")
    if unit is not None:
        factor = units.get(unit)
        if factor is None:
            raise ValueError(_unit_problem(what, value, unit, kind))
        number *= factor
    if number > KAFKA_LONG_MAX:
        raise ValueError(
            f"{what} {value!r} is more than Kafka can hold ({KAFKA_LONG_MAX}); use -1 for unlimited"
        )
    return number


def parse_size(value, what="size"):
    """Bytes for 100000000, '100MB' (10**8), '10GiB' (10 * 2**30), '-1' (unlimited)."""
    return _parse_amount(value, what, "size")


def parse_duration(value, what="duration"):
    """Milliseconds for 86400000, '7d', '12h', '30 min', '-1' (unlimited)."""
    return _parse_amount(value, what, "duration")


def parse_max_delete(value, what="max_delete_bytes"):
    """The data-loss guard's threshold in bytes; unlimited is refused (that is allow_data_loss)."""
    number = parse_size(value, what)
    if number < 0:
        raise ValueError(f"{what} cannot be unlimited (-1); use allow_data_loss")
    return number


def parse_kafka_retention(key, value, what=None):
    """A retention.bytes / retention.ms value in Kafka's own form (a whole number or -1)."""
    what = what or f"config {key}"
    if isinstance(value, str) and not re.match(r"^\s*-?[0-9]+\s*$", value):
        raise ValueError(
            f"{what} takes a whole number of {'bytes' if key == 'retention.bytes' else 'ms'}"
            f" or -1 in config, got {value!r} (units such as 100MB or 7d are taken by"
            f" {key.replace('.', '_')})"
        )
    return _parse_amount(value, what, "bare")


def is_lower_limit(new, current):
    """True when ``new`` allows less than ``current``; -1 means unlimited."""
    if new is None or current is None or new == -1:
        return False
    return current == -1 or new < current


def lowered_retention(before, after):
    """{key: new} for the retention keys whose new value keeps less than the old one."""
    return dict(
        (key, after[key])
        for key in sorted(RETENTION_KEYS)
        if key in after and is_lower_limit(after[key], before.get(key))
    )


def broker_retention_defaults(broker_configs):
    """What retention.bytes / retention.ms become when a topic's override is removed.

    ``broker_configs`` maps broker -> {config: value (str or None)} with log.retention.bytes,
    .ms, .minutes and .hours; Kafka takes ms, else minutes, else hours. Brokers may differ:
    the smallest limit (the one that deletes most) counts.
    """
    defaults = {}
    for values in broker_configs.values():
        per_broker = {}
        if values.get("log.retention.bytes") is not None:
            per_broker["retention.bytes"] = int(values["log.retention.bytes"])
        for key, factor in (
            ("log.retention.ms", 1),
            ("log.retention.minutes", 60 * 1000),
            ("log.retention.hours", 3600 * 1000),
        ):
            if values.get(key) is not None:
                number = int(values[key])
                per_broker["retention.ms"] = -1 if number < 0 else number * factor
                break
        for key, number in per_broker.items():
            if key not in defaults or is_lower_limit(number, defaults[key]):
                defaults[key] = number
    return defaults


def partition_sizes(log_dirs):
    """{topic: {partition: bytes}} from describe_log_dirs, the largest replica of each partition."""
    sizes = {}
    for broker in log_dirs:
        for log_dir in broker.get("log_dirs", []):
            if log_dir.get("error_code", 0):
                continue
            for topic in log_dir.get("topics", []):
                per_partition = sizes.setdefault(topic["name"], {})
                for partition in topic.get("partitions", []):
                    if partition.get("is_future_key"):
                        continue  # a copy being moved between log dirs, not data of its own
                    index = partition["partition_index"]
                    per_partition[index] = max(
                        per_partition.get(index, 0), partition["partition_size"]
                    )
    return sizes


def bytes_over_limit(sizes_by_partition, limit):
    """How many bytes lie beyond a per-partition ``limit`` (retention.bytes applies per partition).

    Kafka deletes whole closed segments, so it removes at most this much; it is the
    figure the data-loss guard weighs.
    """
    if limit == -1:
        return 0
    return sum(max(0, size - limit) for size in sizes_by_partition.values())


def bytes_older_than(size, earliest, end, at_cutoff):
    """Bytes of one partition older than a cut-off time, estimated from its offsets.

    ``earliest`` and ``end`` are the partition's first and next offsets, ``at_cutoff`` the
    first offset whose timestamp is at or after the cut-off (-1 when there is none: every
    record is older). Records are taken to be of even size, so the share of offsets
    before the cut-off is the share of bytes.
    """
    if size <= 0 or end <= earliest:
        return 0
    if at_cutoff is None or at_cutoff < 0 or at_cutoff >= end:
        return size
    older = max(0, at_cutoff - earliest)
    return -(-size * older // (end - earliest))  # rounded up: the guard errs towards caution


def deletable_bytes(partitions, retention_bytes=None):
    """What a topic would lose under new retention: the sum over its partitions.

    ``partitions`` maps partition -> {"size", and when retention.ms goes down "earliest",
    "end", "at_cutoff"}. A lower retention.bytes (``retention_bytes``) and a lower
    retention.ms each delete from the oldest end, so a partition loses the larger of the two.
    """
    total = 0
    for facts in partitions.values():
        size = facts["size"]
        by_size = 0
        if retention_bytes is not None and retention_bytes != -1:
            by_size = max(0, size - retention_bytes)
        by_time = 0
        if "at_cutoff" in facts:
            by_time = bytes_older_than(size, facts["earliest"], facts["end"], facts["at_cutoff"])
        total += max(by_size, by_time)
    return total


def cutoffs_for(lowered, deletes, now_ms):
    """{topic: retention.ms cut-off timestamp or None} for read_deletion_facts."""
    cutoffs = dict((topic, None) for topic in deletes)
    for topic, keys in lowered.items():
        ms = keys.get("retention.ms")
        cutoffs[topic] = None if ms is None or ms < 0 else now_ms - ms
    return cutoffs


def deletion_preview(facts, lowered, deletes=()):
    """{topic: bytes Kafka may delete}, only topics that would lose something.

    ``facts`` comes from read_deletion_facts, ``lowered`` maps topic -> {key: new value}
    for lower retention, ``deletes`` names topics to delete (all their bytes go).
    """
    preview = {}
    for topic, partitions in sorted(facts.items()):
        if topic in deletes:
            size = sum(partition["size"] for partition in partitions.values())
        else:
            size = deletable_bytes(partitions, lowered.get(topic, {}).get("retention.bytes"))
        if size > 0:
            preview[topic] = size
    return preview


def over_guard(preview, max_delete):
    """{topic: bytes} of the preview above ``max_delete`` per topic."""
    return dict((name, size) for name, size in sorted(preview.items()) if size > max_delete)


def guard_message(too_much, max_delete, reasons):
    """The refusal: what was asked (``reasons``: topic -> words), what it deletes, what to do."""
    parts = [
        f"{reasons.get(name, 'the change')} would let Kafka delete up to {size} bytes of {name}"
        for name, size in sorted(too_much.items())
    ]
    return (
        "Nothing was changed: "
        + "; ".join(parts)
        + f" (more than max_delete_bytes={max_delete} per topic); set allow_data_loss=true"
        " or raise max_delete_bytes if that is intended"
    )


def plan_retention(desired, current_by_topic):
    """Retention keys to set per topic: {topic: {key: {"before": int, "after": int}}}.

    ``desired`` maps retention.bytes / retention.ms to numbers; ``current_by_topic``
    maps topic -> key -> current number. Topics already at the values are left out.
    """
    changes = {}
    for topic in sorted(current_by_topic):
        current = current_by_topic[topic]
        for key, value in sorted(desired.items()):
            if current.get(key) != value:
                changes.setdefault(topic, {})[key] = {"before": current.get(key), "after": value}
    return changes


def retention_changes_made(changes, read_back):
    """Of the planned ``changes``, those the brokers show were made (``read_back``: topic -> key
    -> number now). Used after a request failed part way."""
    made = {}
    for topic, change in sorted(changes.items()):
        now = read_back.get(topic, {})
        for key, value in sorted(change.items()):
            if key in now and now[key] == value["after"] and now[key] != value["before"]:
                made.setdefault(topic, {})[key] = dict(value)
    return made
