# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""Whether each broker's disk can hold what retention lets its partitions keep (plain data).

Kafka applies ``retention.bytes`` to each partition and deletes only whole closed
segments, so a replica can hold up to ``retention.bytes`` plus one segment
(``segment.bytes``). A broker's bound is that sum over the replicas it hosts; it must
fit in its log directories' total size minus a headroom. Topics without a size limit
(``retention.bytes`` -1) cannot be bounded and are named separately.
"""

# What bounds a replica's size on disk: its retention.bytes plus one segment.
LIMIT_KEYS = ("retention.bytes", "segment.bytes")


def broker_capacity(log_dirs):
    """{broker id: total bytes of its log directories} from DescribeLogDirs (Kafka 3.3+).

    A broker whose log directories do not report a size (older brokers) is left out.
    """
    capacity = {}
    for broker in log_dirs:
        sizes = [
            log_dir.get("total_bytes", -1)
            for log_dir in broker.get("log_dirs", [])
            if not log_dir.get("error_code", 0)
        ]
        if sizes and all(size is not None and size >= 0 for size in sizes):
            capacity[broker["broker"]] = sum(sizes)
    return capacity


def retention_bounds(assignment, limits):
    """Per broker, the most its replicas may hold, and the topics without a size limit.

    ``assignment``: {(topic, partition): [broker ids]}; ``limits``: {topic:
    (retention.bytes, segment.bytes)}. Returns ({broker: bytes}, {broker: {topic: bytes}},
    sorted unlimited topics).
    """
    bounds, by_topic, unlimited = {}, {}, set()
    for (topic, _index), replicas in assignment.items():
        retention, segment = limits.get(topic, (-1, 0))
        if retention is None or retention < 0:
            unlimited.add(topic)
            continue
        for broker in replicas:
            bounds[broker] = bounds.get(broker, 0) + retention + segment
            topics = by_topic.setdefault(broker, {})
            topics[topic] = topics.get(topic, 0) + retention + segment
    return bounds, by_topic, sorted(unlimited)


def storage_problems(assignment, limits, capacity, headroom_percent):
    """Sentences for every broker whose bound exceeds its disk minus the headroom, naming
    the topics that weigh most; and a warning naming the topics without a size limit."""
    bounds, by_topic, unlimited = retention_bounds(assignment, limits)
    problems = []
    for broker in sorted(bounds):
        if broker not in capacity:
            continue
        room = capacity[broker] * (100 - headroom_percent) // 100
        if bounds[broker] > room:
            heaviest = sorted(by_topic[broker].items(), key=lambda item: (-item[1], item[0]))
            problems.append(
                f"broker {broker} could have to hold {bounds[broker]} bytes (retention.bytes plus"
                f" a segment for each replica it hosts) on {capacity[broker]} bytes of disk"
                f" with {headroom_percent}% kept free ({room} bytes); most from "
                + ", ".join(f"{topic} ({size} bytes)" for topic, size in heaviest[:5])
            )
    warnings = []
    if unlimited:
        warnings.append(
            "topic(s) without a size limit (retention.bytes -1), which only retention.ms bounds: "
            + ", ".join(unlimited[:20])
            + (f" and {len(unlimited) - 20} more" if len(unlimited) > 20 else "")
        )
    return problems, warnings


def spread_replicas(partitions, factor, brokers, start=0):
    """Replicas for new partitions whose placement Kafka has yet to choose: round-robin over
    the brokers from ``start``, so each broker gets its even share, as Kafka gives it."""
    brokers = sorted(brokers)
    if not brokers:
        return []
    factor = min(factor, len(brokers))
    return [
        [brokers[(start + index + offset) % len(brokers)] for offset in range(factor)]
        for index in range(partitions)
    ]
