# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""Reads the modules share: cluster, topic metadata, configs, sizes, as plain data.

Each read is one batched request however many topics are asked about.
"""

import time

try:
    from kafka.admin import ConfigResource, ConfigResourceType
    from kafka.errors import for_code
    from kafka.structs import TopicPartition
except ImportError:  # reported by kafka_admin.ensure_kafka_python
    ConfigResource = ConfigResourceType = for_code = TopicPartition = None
try:  # the request class our fast topic creation sends; optional (see create_topics)
    from kafka.protocol.admin import CreateTopicsRequest
except ImportError:
    CreateTopicsRequest = None

from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.retention import (
    broker_retention_defaults,
    cutoffs_for,
    deletion_preview,
    partition_sizes,
)

UNKNOWN_TOPIC_OR_PARTITION = 3
# ListOffsets' own "timestamps" for the first offset and the next offset of a partition.
EARLIEST_OFFSET = -2
LATEST_OFFSET = -1
BROKER_RETENTION_KEYS = (
    "log.retention.bytes",
    "log.retention.ms",
    "log.retention.minutes",
    "log.retention.hours",
)


def read_cluster(admin):
    """{"cluster_id", "controller_id", "broker_ids", "brokers": [...]}."""
    cluster = admin.describe_cluster()
    brokers = sorted(
        (
            {
                "id": broker["broker_id"],
                "host": broker["host"],
                "port": broker["port"],
                "rack": broker.get("rack"),
            }
            for broker in cluster["brokers"]
            if not broker.get("is_fenced")
        ),
        key=lambda broker: broker["id"],
    )
    return {
        "cluster_id": cluster.get("cluster_id"),
        "controller_id": cluster.get("controller_id"),
        "brokers": brokers,
        "broker_ids": [broker["id"] for broker in brokers],
    }


def read_topics(admin, names=None):
    """{name: current topic} for the named topics that exist (all topics when names is None)."""
    if names is not None and not names:
        return {}
    topics = {}
    for topic in admin.describe_topics(names):
        if topic["error_code"] == UNKNOWN_TOPIC_OR_PARTITION:
            continue
        if topic["error_code"]:
            raise RuntimeError(
                "Kafka could not describe topic {} (error code {})".format(
                    topic["name"], topic["error_code"]
                )
            )
        partitions = topic["partitions"]
        replicas = dict((p["partition_index"], list(p["replica_nodes"])) for p in partitions)
        factors = sorted(set(len(r) for r in replicas.values())) or [0]
        topics[topic["name"]] = {
            "name": topic["name"],
            "internal": bool(topic.get("is_internal")),
            "partitions": len(partitions),
            # The lowest: what the topic guarantees. replication_factors tells when they differ.
            "replication_factor": factors[0],
            "replication_factors": factors,
            "replicas": replicas,
            "leaders": dict((p["partition_index"], p["leader_id"]) for p in partitions),
            "isr": dict((p["partition_index"], list(p["isr_nodes"])) for p in partitions),
            "offline_replicas": dict(
                (p["partition_index"], list(p.get("offline_replicas") or [])) for p in partitions
            ),
            "config": {},
        }
    return topics


def read_topic_configs(admin, keys_by_topic, config_filter="all"):
    """{topic: {key: {"value", "source", "type"}}}.

    ``keys_by_topic`` maps topic -> list of keys, or None for every key. Asking for
    named keys keeps the answer small when thousands of topics are read.
    """
    if not keys_by_topic:
        return {}
    resources = [
        ConfigResource(ConfigResourceType.TOPIC, name, None if keys is None else list(keys))
        for name, keys in keys_by_topic.items()
    ]
    described = admin.describe_configs(resources, config_filter=config_filter).get("topic", {})
    result = {}
    for name, configs in described.items():
        result[name] = {}
        for key, entry in configs.items():
            result[name][key] = {
                "value": entry.get("value"),
                "source": entry.get("config_source"),
                "type": entry.get("config_type"),
                "sensitive": bool(entry.get("is_sensitive")),
            }
    return result


def read_partition_sizes(admin, topic_names):
    """{topic: {partition: bytes}} from every broker's log dirs (largest replica)."""
    if not topic_names:
        return {}
    return partition_sizes(admin.describe_log_dirs(list(topic_names)))


def read_broker_retention_defaults(admin, broker_ids):
    """{"retention.bytes", "retention.ms"}: what a topic falls back to when its override goes.

    Read from every broker that is up; where they differ the smallest limit counts.
    """
    resources = [
        ConfigResource(ConfigResourceType.BROKER, str(broker), list(BROKER_RETENTION_KEYS))
        for broker in broker_ids
    ]
    described = admin.describe_configs(resources, config_filter="all").get("broker", {})
    return broker_retention_defaults(
        dict(
            (broker, dict((key, entry.get("value")) for key, entry in configs.items()))
            for broker, configs in described.items()
        )
    )


def read_deletion_facts(admin, cutoffs):
    """What the data-loss guard weighs, per topic and partition.

    ``cutoffs`` maps topic -> the new retention.ms cut-off as a timestamp in ms, or None
    when only sizes are needed. Returns {topic: {partition: {"size"} plus, for a cut-off,
    "earliest", "end", "at_cutoff"}}. Offsets are asked only for partitions holding data,
    in one request per partition leader and kind of offset.
    """
    sizes = read_partition_sizes(admin, list(cutoffs))
    facts = dict(
        (topic, dict((index, {"size": size}) for index, size in sizes.get(topic, {}).items()))
        for topic in cutoffs
    )
    timed = dict(
        (TopicPartition(topic, index), cutoff)
        for topic, cutoff in cutoffs.items()
        if cutoff is not None and cutoff > 0
        for index, size in sizes.get(topic, {}).items()
        if size > 0
    )
    if not timed:
        return facts
    earliest = admin.list_partition_offsets(dict((tp, EARLIEST_OFFSET) for tp in timed))
    end = admin.list_partition_offsets(dict((tp, LATEST_OFFSET) for tp in timed))
    at_cutoff = admin.list_partition_offsets(timed)
    for tp in timed:
        facts[tp.topic][tp.partition].update(
            earliest=earliest[tp].offset, end=end[tp].offset, at_cutoff=at_cutoff[tp].offset
        )
    return facts


def read_deletion_preview(admin, lowered, deletes=(), now_ms=None):
    """{topic: bytes Kafka may delete} for lower retention (``lowered``: topic -> {key: new
    value}) and deleted topics; only topics that would lose something are named."""
    if not lowered and not deletes:
        return {}
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    facts = read_deletion_facts(admin, cutoffs_for(lowered, deletes, now_ms))
    return deletion_preview(facts, lowered, set(deletes))


def read_moving(admin, topics):
    """{topic: {partition: {"adding", "removing"}}} for reassignments still running."""
    if not topics:
        return {}
    moving = {}
    for tp, state in admin.list_partition_reassignments(None).items():
        if tp.topic in topics:
            moving.setdefault(tp.topic, {})[tp.partition] = {
                "adding": list(state.get("adding_replicas") or []),
                "removing": list(state.get("removing_replicas") or []),
            }
    return moving


# The configs a throttled reassignment sets: which replicas (per topic) and how fast
# (per broker). kafka_topic and kafka_rebalance set them and delete them afterwards.
THROTTLE_TOPIC_KEYS = (
    "leader.replication.throttled.replicas",
    "follower.replication.throttled.replicas",
)
THROTTLE_BROKER_KEYS = ("leader.replication.throttled.rate", "follower.replication.throttled.rate")


def alter_results_problems(results, doing):
    """Sentences for the resources an AlterConfigs answer did not accept."""
    problems = []
    for resource_type, by_name in (results or {}).items():
        for name, outcome in sorted(by_name.items()):
            if outcome != "OK":
                problems.append(f"{doing} {resource_type} {name}: {outcome}")
    return problems


def create_topics(admin, requests, timeout_ms, validate_only=False):
    """Send one CreateTopics request; returns [(name, error_code, error_message)].

    Kafka answers a CreateTopics request with every config of every new topic,
    and kafka-python's public create_topics turns all of them into dicts (about
    40 per topic) which we would throw away. For thousands of topics that costs
    more than the request itself, so we send the same request through the
    client's own path and read only the error fields. If that path is not there
    (another kafka-python release), the public call does the same job.
    """
    build_topics = getattr(admin, "_process_create_topics_input", None)
    send_to_controller = getattr(admin, "_send_request_to_controller", None)
    manager = getattr(admin, "_manager", None)
    if None in (CreateTopicsRequest, build_topics, send_to_controller, manager):
        answer = admin.create_topics(
            requests, timeout_ms=timeout_ms, validate_only=validate_only, raise_errors=False
        )
        return [
            (topic["name"], topic["error_code"], topic.get("error_message"))
            for topic in answer["topics"]
        ]
    request = CreateTopicsRequest(
        topics=build_topics(requests), timeout_ms=timeout_ms, validate_only=validate_only
    )

    def errors(response):  # lets the client retry once when the controller moved
        return [for_code(topic.error_code) for topic in response.topics]

    response = manager.run(send_to_controller, request, errors, False)
    return [(topic.name, topic.error_code, topic.error_message) for topic in response.topics]
