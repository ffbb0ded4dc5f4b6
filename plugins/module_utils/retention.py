# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""Retention values people write (100MB, 10GiB, 7d) and what a new limit would delete. No I/O."""

import re

# Decimal units are powers of 1000, binary (KiB, MiB, ...) powers of 1024, as in IEC 80000-13.
SIZE_UNITS = {
    "B": 1,
    "KB": 1000,
    "MB": 1000**2,
    "GB": 1000**3,
    "TB": 1000**4,
    "KIB": 1024,
    "MIB": 1024**2,
    "GIB": 1024**3,
    "TIB": 1024**4,
}
SIZE_UNIT_NAMES = "B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024)"

DURATION_UNITS = {
    "MS": 1,
    "S": 1000,
    "M": 60 * 1000,
    "MIN": 60 * 1000,
    "H": 3600 * 1000,
    "D": 24 * 3600 * 1000,
    "W": 7 * 24 * 3600 * 1000,
}
DURATION_UNIT_NAMES = "ms, s, m or min, h, d (24 h), w (7 d)"

# A whole number, then at most one space, then letters only: "100MB", "7 d", "-1".
_AMOUNT = re.compile(r"^\s*(-?[0-9]+)(?: ?([A-Za-z]+))?\s*$")
RETENTION_KEYS = {"retention.bytes": "size", "retention.ms": "duration"}


def _parse_amount(value, units, unit_names, what):
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
    number, unit = int(match.group(1)), match.group(2)
    if number == -1 and not unit:
        return -1
    if number < 0:
        raise ValueError(f"{what} {value!r} is negative; the only negative value is -1 (unlimited)")
    if unit is None:
        return number
    factor = units.get(unit.upper())
    if factor is None:
        raise ValueError(f"{what} {value!r} has an unknown unit {unit!r}: use one of {unit_names}")
    return number * factor


def parse_size(value, what="size"):
    """Bytes for 100000000, '100MB' (10**8), '10GiB' (10 * 2**30), '-1' (unlimited)."""
    return _parse_amount(value, SIZE_UNITS, SIZE_UNIT_NAMES, what)


def parse_duration(value, what="duration"):
    """Milliseconds for 86400000, '7d', '12h', '30 min', '-1' (unlimited)."""
    return _parse_amount(value, DURATION_UNITS, DURATION_UNIT_NAMES, what)


def is_lower_limit(new, current):
    """True when ``new`` allows less than ``current``; -1 means unlimited."""
    if new == -1:
        return False
    return current == -1 or new < current


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
