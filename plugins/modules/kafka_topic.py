#!/usr/bin/python
# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

DOCUMENTATION = r"""
module: kafka_topic
short_description: Create, grow, configure and delete Kafka topics, many in one task
version_added: 0.1.0
description:
  - Makes Kafka topics look as asked, changing only what differs and only the config
    keys given. Config changes use IncrementalAlterConfigs, so overrides not named in
    the task are kept (the legacy AlterConfigs call resets them).
  - Many topics are handled in one task with one batched request per kind of change.
    Before anything is changed the module checks names, counts and config keys against
    the cluster, and sends what only the broker can judge (config values, partition
    growth, topics created with broker defaults) with Kafka's C(validate_only) flag; if
    anything is refused, the task fails before anything is changed.
  - Partitions can only grow; a replication factor change is carried out as a partition
    reassignment, optionally throttled, with a bounded wait. The factor is set per partition -
    partitions added in the same task, and a topic whose partitions have different factors,
    end with every partition at O(replication_factor).
  - The replication factor is checked against the brokers that are up only where a topic is
    created or its factor changes, so a topic that needs no change is not refused while a
    broker is down.
  - Changes that let Kafka delete data - deleting a topic that holds any, or lowering
    C(retention.bytes) or C(retention.ms) through O(config), including resetting them to a
    lower broker default with O(config_exclusive) - are weighed as in
    M(datapipe.kafka_pipeline.kafka_retention) and refused when more than O(max_delete_bytes)
    per topic would go, unless O(allow_data_loss=true). Check mode and the result name the
    bytes in RV(deletion_preview).
  - Every value is checked before the first request - names Kafka would refuse or would take
    for another topic (Kafka treats C(.) and C(_) alike in metric names), counts, config keys
    and values (no nested mappings, no list items with commas, no NaN, no negative zero, no
    C(null) taken for "not given").
  - When a request fails after others changed the cluster, the task fails and reports in
    RV(topics), RV(created), RV(updated) and RV(deleted) only what it reads back from the
    brokers, never what was merely planned.
author:
  - datapipe maintainers (!UNKNOWN)
extends_documentation_fragment:
  - datapipe.kafka_pipeline.kafka_connection
options:
  name:
    description:
      - One topic to manage. Use O(topics) for several.
    type: str
  topics:
    description:
      - Several topics, each a dictionary with C(name) and, optionally, C(state),
        C(partitions), C(replication_factor) and C(config). Values missing from an entry
        come from the options of the same name at the top level of the task.
      - A key given with no value (C(null)) is refused rather than taken as missing; counts
        may be given as strings of ASCII digits. An empty list changes nothing.
      - Two names that differ only by C(.) against C(_) are refused, as is a new topic whose
        name differs that way from an existing one.
    type: list
    elements: dict
  state:
    description:
      - V(present) creates or updates; V(absent) deletes. Deleting only ever affects topics
        named in the task.
    type: str
    default: present
    choices: [present, absent]
  partitions:
    description:
      - Number of partitions. Omitted means the broker default on creation and "leave as
        is" afterwards. Only increases are possible, as Kafka cannot remove partitions.
    type: int
  replication_factor:
    description:
      - Replicas per partition. Omitted means the broker default on creation and "leave as
        is" afterwards. A change on an existing topic reassigns its partitions.
    type: int
  config:
    description:
      - Topic config overrides, for example C(retention.ms) or C(cleanup.policy). Only the
        keys given are changed. Values are compared as Kafka normalises them, so C(true)
        and C("true"), or C(1000) and C("1000"), are the same.
      - Each value is a single value or a list (sent comma-separated). C(retention.bytes) and
        C(retention.ms) take Kafka's own form here, a whole number or V(-1); units such as
        C(100MB) are for M(datapipe.kafka_pipeline.kafka_retention).
      - Lowering C(retention.bytes) or C(retention.ms) is weighed by the data-loss guard
        (O(max_delete_bytes)).
    type: dict
    default: {}
  config_exclusive:
    description:
      - Also reset to the broker default every override that is not listed in O(config).
        The diff and the result name each key reset.
      - Resetting C(retention.bytes) or C(retention.ms) to a lower broker default (read from
        the brokers' C(log.retention.*) settings) is weighed by the data-loss guard.
    type: bool
    default: false
  max_delete_bytes:
    description:
      - How many bytes per topic the task may let Kafka delete - a topic deleted with
        O(state=absent), or lower C(retention.bytes) / C(retention.ms) in O(config) - before
        it refuses, changing nothing. The same syntax as the option of the same name of
        M(datapipe.kafka_pipeline.kafka_retention) (V(100MB), V(1GiB)); V(-1) is refused (use
        O(allow_data_loss)). The default V(0) refuses deleting a topic that holds any data.
    type: raw
    default: 0
  allow_data_loss:
    description:
      - Go ahead even when the task lets Kafka delete more than O(max_delete_bytes); the
        figures are still reported in RV(deletion_preview). The explicit opt-in for deleting a
        topic that holds data.
    type: bool
    default: false
  allow_internal:
    description:
      - Allow managing Kafka's internal topics (names starting with C(__), such as
        C(__consumer_offsets)). Refused otherwise.
    type: bool
    default: false
  storage_check:
    description:
      - What to do when the task could let a broker's disk fill - when, after the change, the
        most that retention lets the replicas a broker hosts keep (C(retention.bytes) plus one
        C(segment.bytes) per replica, every topic of the cluster counted) exceeds its log
        directories' size minus O(storage_headroom). Weighed only when the task creates
        topics, adds partitions or replicas, or changes C(retention.bytes) or
        C(segment.bytes). New partitions are counted as spread evenly over the brokers.
      - V(warn) (the default) warns and goes on, V(refuse) fails before anything changes,
        V(ignore) does neither. Topics of the task without a size limit (C(retention.bytes)
        V(-1)) are named in a warning unless V(ignore).
      - The disk size comes from Kafka (DescribeLogDirs, Kafka 3.3 and newer); a broker that
        does not report it is not weighed.
    type: str
    choices: [refuse, warn, ignore]
    default: warn
    version_added: 0.5.0
  storage_headroom:
    description:
      - Percentage of each broker's disk that O(storage_check) keeps free, from V(0) to V(99).
    type: int
    default: 10
    version_added: 0.5.0
  reassignment_throttle:
    description:
      - Bytes per second that replicas may copy while a replication factor change moves
        data. Set on the brokers and topics involved for the time of the move, removed
        afterwards. Omitted means no throttle; V(0) or less is refused (before version 0.2.0
        V(0) meant no throttle).
    type: int
  reassignment_timeout:
    description:
      - Seconds to wait for a replication factor change to finish, V(1) or more. When it
        does not finish, the task fails and reports what the brokers show was changed,
        including the partitions still moving (RV(topics)); the reassignment carries on in
        the background, and any throttle stays in place until removed by hand.
    type: int
    default: 600
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying
      target.
    support: full
    details: Reads the cluster and asks Kafka to validate the changes; writes nothing.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in
      check_mode), when in diff mode.
    support: full
    details: Before and after of every topic that changes.
seealso:
  - module: datapipe.kafka_pipeline.kafka_retention
  - module: datapipe.kafka_pipeline.kafka_topic_info
  - name: Kafka topic configs
    description: The keys O(config) accepts and their meaning.
    link: https://kafka.apache.org/documentation/#topicconfigs
"""

EXAMPLES = r"""
- name: Create the twitter topic with a size limit per partition
  datapipe.kafka_pipeline.kafka_topic:
    bootstrap_servers: ["kafka1.internal:9092"]
    name: twitter
    partitions: 6
    replication_factor: 3
    config:
      retention.bytes: 100000000
      min.insync.replicas: 2

- name: Create or update several topics in one request
  datapipe.kafka_pipeline.kafka_topic:
    bootstrap_servers: "{{ groups['kafka_broker'] | map('regex_replace', '$', ':9092') }}"
    replication_factor: 3
    topics:
      - name: events
        partitions: 12
      - name: audit
        partitions: 3
        config:
          cleanup.policy: compact
  delegate_to: localhost
  run_once: true

- name: Keep exactly these overrides on a topic, resetting any others
  datapipe.kafka_pipeline.kafka_topic:
    bootstrap_servers: ["kafka1.internal:9092"]
    name: events
    config:
      retention.ms: 604800000
    config_exclusive: true

- name: Delete a topic; refused if it holds any data
  datapipe.kafka_pipeline.kafka_topic:
    bootstrap_servers: ["kafka1.internal:9092"]
    name: scratch
    state: absent

- name: Delete a topic and the data in it
  datapipe.kafka_pipeline.kafka_topic:
    bootstrap_servers: ["kafka1.internal:9092"]
    name: old-events
    state: absent
    allow_data_loss: true

- name: Keep three days of events, refused if that deletes more than 10 GB of a topic
  datapipe.kafka_pipeline.kafka_topic:
    bootstrap_servers: ["kafka1.internal:9092"]
    name: events
    config:
      retention.ms: 259200000
    max_delete_bytes: 10GB

- name: Connect with SASL/SCRAM over TLS
  datapipe.kafka_pipeline.kafka_topic:
    bootstrap_servers: ["kafka1.internal:9093"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_cafile: /etc/pki/kafka-ca.pem
    name: twitter
    partitions: 6
"""

RETURN = r"""
topics:
  description:
    - Per topic asked about, what was (or in check mode would be) done.
    - C(replication_factor) before is a list when the topic's partitions had different factors.
    - When the task fails part way, what the brokers show was done, read back after the
      failure; C(reassigning) then lists partitions whose replicas are still moving.
  returned: always
  type: dict
  sample:
    twitter:
      action: update
      partitions: {before: 3, after: 6}
      replication_factor: null
      config_set: {retention.bytes: "100000000"}
      config_reset: []
created:
  description: Topics created (after a failure part way, those the brokers show).
  returned: always
  type: list
  elements: str
updated:
  description: Topics whose partitions, replication factor or config changed (after a failure
    part way, those the brokers show).
  returned: always
  type: list
  elements: str
deleted:
  description: Topics deleted (after a failure part way, those the brokers show gone).
  returned: always
  type: list
  elements: str
deletion_preview:
  description:
    - Per topic the task deletes or whose C(retention.bytes) / C(retention.ms) it lowers, the
      bytes Kafka may delete (a deleted topic's whole size). Topics that would lose nothing
      are left out. The diff also shows a deleted topic's C(size_bytes).
  returned: always
  type: dict
  sample: {scratch: 1048576}
"""

import time

from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_admin import (
    describe_kafka_error,
    fail_on_kafka_error,
    kafka_module,
    open_admin_client,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_reads import (
    THROTTLE_BROKER_KEYS,
    THROTTLE_TOPIC_KEYS,
    alter_results_problems,
    create_topics,
    read_broker_retention_defaults,
    read_cluster,
    read_deletion_preview,
    read_moving,
    read_topic_configs,
    read_topics,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.retention import (
    guard_message,
    over_guard,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.storage_plan import (
    LIMIT_KEYS,
    broker_capacity,
    spread_replicas,
    storage_problems,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.topic_plan import (
    build_diff,
    changes_made,
    collision_problems,
    describe_changes_made,
    desired_topics_from_params,
    guard_reasons,
    lowered_by_plans,
    needs_broker_defaults,
    plan_replicas,
    plan_topics,
    topic_task_option_problems,
)

try:
    from kafka.admin import AlterConfigOp, ConfigResource, ConfigResourceType
    from kafka.structs import TopicPartition
except ImportError:  # reported by open_admin_client
    pass


class ApplyFailed(Exception):
    """Kafka refused or did not finish part of the change; the caller reads back what happened."""


def config_resources(plans):
    resources = []
    for plan in plans:
        changes = dict(plan["config_set"])
        for key in plan["config_reset"]:
            changes[key] = (AlterConfigOp.DELETE, None)
        if changes and plan["action"] == "update":
            resources.append(ConfigResource(ConfigResourceType.TOPIC, plan["name"], changes))
    return resources


def create_requests(plans):
    requests = {}
    for plan in plans:
        if plan["action"] == "create":
            after = plan["partitions"]["after"]
            factor = plan["replication_factor"]["after"]
            requests[plan["name"]] = {
                "num_partitions": -1 if after is None else after,
                "replication_factor": -1 if factor is None else factor,
                "configs": plan["config_set"],
            }
    return requests


def needs_broker_validation(request):
    """Whether only the broker can tell if this topic creation is acceptable.

    Names, partition counts and replication factors given in the task were already
    checked against the cluster; config values and broker defaults were not.
    Validating only these keeps a batch of thousands of plain topics to one
    round of work on the broker, as the answer to each CreateTopics request
    carries every config of every topic.
    """
    return bool(request["configs"]) or -1 in (
        request["num_partitions"],
        request["replication_factor"],
    )


def validate_on_broker(admin, plans, timeout_ms):
    """Ask Kafka to validate the changes (validate_only) and return what it refused."""
    problems = []
    creates = dict(
        (name, request)
        for name, request in create_requests(plans).items()
        if needs_broker_validation(request)
    )
    if creates:
        answer = create_topics(admin, creates, timeout_ms, validate_only=True)
        problems.extend(
            f"Kafka refuses to create topic {name}: {message}"
            for name, error_code, message in answer
            if error_code
        )
    growth = partition_growth(plans)
    if growth:
        answer = admin.create_partitions(growth, validate_only=True, raise_errors=False)
        for result in answer.results:
            if result.error_code:
                problems.append(
                    f"Kafka refuses to grow topic {result.name} to {growth[result.name]}"
                    f" partitions: {result.error_message}"
                )
    resources = config_resources(plans)
    if resources:
        answer = admin.alter_configs(
            resources, validate_only=True, raise_on_unknown=False, incremental=True
        )
        problems.extend(alter_results_problems(answer, "Kafka refuses the config of"))
    return problems


def partition_growth(plans):
    return dict(
        (p["name"], p["partitions"]["after"])
        for p in plans
        if p["action"] == "update" and p["partitions"]
    )


def set_throttle(admin, plans, broker_ids, rate):
    """Throttle replication of the topics being reassigned; returns what to undo."""
    topics = [p["name"] for p in plans if p["reassignment"]]
    topic_changes = dict((key, "*") for key in THROTTLE_TOPIC_KEYS)
    broker_changes = dict((key, str(rate)) for key in THROTTLE_BROKER_KEYS)
    resources = [
        ConfigResource(ConfigResourceType.TOPIC, name, dict(topic_changes)) for name in topics
    ]
    resources += [
        ConfigResource(ConfigResourceType.BROKER, str(b), dict(broker_changes)) for b in broker_ids
    ]
    problems = alter_results_problems(
        admin.alter_configs(resources, raise_on_unknown=False, incremental=True), "throttle"
    )
    return topics, problems


def remove_throttle(admin, topics, broker_ids):
    delete_topic = dict((key, (AlterConfigOp.DELETE, None)) for key in THROTTLE_TOPIC_KEYS)
    delete_broker = dict((key, (AlterConfigOp.DELETE, None)) for key in THROTTLE_BROKER_KEYS)
    resources = [
        ConfigResource(ConfigResourceType.TOPIC, name, dict(delete_topic)) for name in topics
    ]
    resources += [
        ConfigResource(ConfigResourceType.BROKER, str(b), dict(delete_broker)) for b in broker_ids
    ]
    admin.alter_configs(resources, raise_on_unknown=False, incremental=True)


def replan_grown_topics(admin, plans, broker_ids, timeout_s):
    """After partitions were added, plan the replicas of every partition again.

    Kafka gives new partitions the replication factor the topic had, so a task that
    grows a topic and changes its factor must also move the new partitions' replicas.
    """
    grown = dict(
        (p["name"], p["partitions"]["after"])
        for p in plans
        if p["target_factor"] and p["partitions"]
    )
    if not grown:
        return
    deadline = time.monotonic() + timeout_s
    while True:
        topics = read_topics(admin, list(grown))
        if all(topics.get(name, {}).get("partitions", 0) >= count for name, count in grown.items()):
            break
        if time.monotonic() > deadline:
            raise ApplyFailed(
                f"the new partitions of {', '.join(sorted(grown))} did not show in the cluster's"
                f" metadata within {timeout_s}s, so their replicas were not moved"
            )
        time.sleep(0.2)
    for plan in plans:
        if plan["name"] not in grown:
            continue
        topic, factor = topics[plan["name"]], plan["target_factor"]
        moves = plan_replicas(topic["replicas"], topic["leaders"], factor, broker_ids)
        plan["reassignment"] = dict(
            (index, moves[index])
            for index, replicas in topic["replicas"].items()
            if len(replicas) != factor
        )


def reassign(module, admin, plans, broker_ids):
    """Move replicas for replication factor changes and wait, bounded, until they are done."""
    moves = {}
    for plan in plans:
        for index, replicas in (plan["reassignment"] or {}).items():
            moves[TopicPartition(plan["name"], index)] = replicas
    if not moves:
        return
    throttled = []
    rate = module.params["reassignment_throttle"]
    if rate is not None:
        throttled, problems = set_throttle(admin, plans, broker_ids, rate)
        if problems:
            raise ApplyFailed("could not set the replication throttle: " + "; ".join(problems))
    refused = dict(
        (tp, error) for tp, error in admin.alter_partition_reassignments(moves).items() if error
    )
    if refused:
        raise ApplyFailed(
            "Kafka refused to reassign "
            + ", ".join(
                f"{tp.topic}-{tp.partition}: {error.__name__}"
                for tp, error in sorted(refused.items())
            )
        )
    deadline = time.monotonic() + module.params["reassignment_timeout"]
    while True:
        pending = admin.list_partition_reassignments(list(moves))
        if not pending:
            break
        if time.monotonic() > deadline:
            raise ApplyFailed(
                f"the replication factor change is still moving {len(pending)} partition(s)"
                f" after {module.params['reassignment_timeout']}s; it goes on in the background"
                + (
                    f"; remove the throttle ({', '.join(THROTTLE_BROKER_KEYS)}) once it is done"
                    if throttled
                    else ""
                )
            )
        time.sleep(1)
    if throttled:
        remove_throttle(admin, throttled, broker_ids)


def apply_plans(module, admin, plans, cluster):
    timeout_ms = module.params["request_timeout"] * 1000
    creates = create_requests(plans)
    if creates:
        refused = [
            f"{name}: {message}"
            for name, error_code, message in create_topics(admin, creates, timeout_ms)
            if error_code
        ]
        if refused:
            raise ApplyFailed("Kafka refused to create topic(s) " + "; ".join(refused))
        # Return only once the new topics have leaders, so the next task can use them.
        admin.wait_for_topics(list(creates), timeout_ms=timeout_ms)
    growth = partition_growth(plans)
    if growth:
        admin.create_partitions(growth)
        replan_grown_topics(admin, plans, cluster["broker_ids"], module.params["request_timeout"])
    resources = config_resources(plans)
    if resources:
        problems = alter_results_problems(
            admin.alter_configs(resources, raise_on_unknown=False, incremental=True),
            "Kafka did not change the config of",
        )
        if problems:
            raise ApplyFailed("; ".join(problems))
    reassign(module, admin, plans, cluster["broker_ids"])
    deletes = [p["name"] for p in plans if p["action"] == "delete"]
    if deletes:
        admin.delete_topics(deletes)


def summarise(plans):
    topics = {}
    for plan in plans:
        topics[plan["name"]] = dict(
            (key, plan[key])
            for key in ("action", "partitions", "replication_factor", "config_set", "config_reset")
        )
        if plan.get("reassigning"):
            topics[plan["name"]]["reassigning"] = plan["reassigning"]
    return dict(
        topics=topics,
        created=[p["name"] for p in plans if p["action"] == "create"],
        updated=[p["name"] for p in plans if p["action"] == "update"],
        deleted=[p["name"] for p in plans if p["action"] == "delete"],
    )


def read_back(admin, plans):
    """What the brokers show now for the topics the plans touch: changes_made's answer."""
    touched = [p["name"] for p in plans if p["action"] != "none"]
    after_topics = read_topics(admin, touched)
    keys = {}
    for plan in plans:
        if plan["action"] == "update" and plan["name"] in after_topics:
            wanted = set(plan["config_set"]) | set(plan["config_reset"])
            keys[plan["name"]] = sorted(wanted | set(plan["before"]["config"]))
    after_configs = read_topic_configs(admin, dict((k, v) for k, v in keys.items() if v))
    moving = read_moving(admin, set(p["name"] for p in plans if p["target_factor"]))
    return changes_made(plans, after_topics, after_configs, moving)


def fail_part_way(module, admin, plans, reason, result):
    """A request failed after others had changed the cluster: report only what the brokers
    show was done, read back after the failure, never what was merely planned."""
    try:
        made = read_back(admin, plans)
        told = describe_changes_made(made)
    except Exception as error:  # the report must still go out
        made = []
        why = describe_kafka_error(error, module.params)
        told = f"unknown, as reading it back failed too ({why}); check with kafka_topic_info"
    result.update(summarise(made))
    result["changed"] = any(done["action"] != "none" for done in made)
    if module._diff:
        result["diff"] = build_diff(made)
    module.fail_json(
        msg=f"Changing the topics failed part way: {reason}. Changed, read back from the"
        f" brokers: {told}",
        **result,
    )


def read_state(module, admin, desired):
    """The cluster, the topics asked about with the configs the plan needs, and the names
    a new topic could collide with."""
    params = module.params
    cluster = read_cluster(admin)
    current = read_topics(admin, [topic["name"] for topic in desired])
    wanted_keys = {}
    for topic in desired:
        if topic["state"] == "present" and topic["name"] in current:
            if params["config_exclusive"]:
                wanted_keys[topic["name"]] = None
            elif topic["config"]:
                wanted_keys[topic["name"]] = sorted(topic["config"])
    for name, config in read_topic_configs(admin, wanted_keys).items():
        current[name]["config"] = config
    creating = [t["name"] for t in desired if t["state"] == "present" and t["name"] not in current]
    # Only names with '.' or '_' can collide; most batches need no list of every topic.
    collide = [name for name in creating if "." in name or "_" in name]
    existing = admin.list_topics() if collide else []
    return cluster, current, collision_problems(collide, existing)


def guard(module, admin, plans, cluster, result):
    """Refuse, changing nothing, when the plans would let Kafka delete more than allowed."""
    max_delete = topic_task_option_problems(module.params)[0]
    try:
        defaults = {}
        if needs_broker_defaults(plans):
            defaults = read_broker_retention_defaults(admin, cluster["broker_ids"])
        lowered = lowered_by_plans(plans, defaults)
        deletes = [p["name"] for p in plans if p["action"] == "delete"]
        preview = read_deletion_preview(admin, lowered, deletes) if lowered or deletes else {}
    except Exception as error:
        fail_on_kafka_error(module, error, "Could not read partition sizes and offsets")
    result["deletion_preview"] = preview
    for plan in plans:
        if plan["action"] == "delete":
            plan["before"]["size_bytes"] = preview.get(plan["name"], 0)
    too_much = over_guard(preview, max_delete)
    if too_much and not module.params["allow_data_loss"]:
        result["changed"] = False
        if module._diff:
            result["diff"] = build_diff(plans)
        module.fail_json(
            msg=guard_message(too_much, max_delete, guard_reasons(plans, lowered)), **result
        )


BROKER_LIMIT_KEYS = (
    "log.retention.bytes",
    "log.segment.bytes",
    "num.partitions",
    "default.replication.factor",
)


def touches_storage(plan):
    """Whether a plan can raise what retention lets the brokers' disks hold."""
    if plan["action"] == "create":
        return True
    return plan["action"] == "update" and bool(
        plan["partitions"]
        or plan["reassignment"]
        or any(key in plan["config_set"] or key in plan["config_reset"] for key in LIMIT_KEYS)
    )


def storage_after(admin, plans, cluster):
    """The assignment and the (retention.bytes, segment.bytes) of every topic once the plans
    are carried out, and each broker's disk size."""
    brokers = cluster["broker_ids"]
    topics = read_topics(admin)
    configs = read_topic_configs(admin, dict((name, list(LIMIT_KEYS)) for name in topics))
    described = admin.describe_configs(
        [ConfigResource(ConfigResourceType.BROKER, str(brokers[0]), list(BROKER_LIMIT_KEYS))],
        config_filter="all",
    ).get("broker", {})
    defaults = dict(
        (key, int(entry.get("value") or -1))
        for entry_set in described.values()
        for key, entry in entry_set.items()
    )
    broker_default = {
        "retention.bytes": "log.retention.bytes",
        "segment.bytes": "log.segment.bytes",
    }

    def limit(name, key, plan=None):
        if plan and key in plan["config_set"]:
            return int(plan["config_set"][key])
        if (plan and key in plan["config_reset"]) or name not in configs:
            return defaults.get(broker_default[key], -1)
        return int(configs[name].get(key, {}).get("value") or -1)

    assignment, limits, start = {}, {}, 0
    for name, topic in topics.items():
        for index, replicas in topic["replicas"].items():
            assignment[(name, index)] = replicas
        limits[name] = (limit(name, LIMIT_KEYS[0]), limit(name, LIMIT_KEYS[1]))
    for plan in plans:
        name = plan["name"]
        if plan["action"] == "delete":
            for key in [key for key in assignment if key[0] == name]:
                del assignment[key]
            continue
        if plan["action"] not in ("create", "update"):
            continue
        limits[name] = (limit(name, LIMIT_KEYS[0], plan), limit(name, LIMIT_KEYS[1], plan))
        for index, replicas in (plan["reassignment"] or {}).items():
            assignment[(name, index)] = replicas
        if plan["action"] == "create":
            count = plan["partitions"]["after"] or defaults.get("num.partitions", 1)
            factor = plan["replication_factor"]["after"] or defaults.get(
                "default.replication.factor", 1
            )
            first = 0
        elif plan["partitions"]:
            count, first = plan["partitions"]["after"], plan["partitions"]["before"]
            factor = plan["target_factor"] or topics[name]["replication_factor"]
        else:
            continue
        new = spread_replicas(count - first, factor, brokers, start)
        start += len(new)
        for offset, replicas in enumerate(new):
            assignment[(name, first + offset)] = replicas
    capacity = broker_capacity(admin.describe_log_dirs([]))
    return assignment, limits, capacity


def storage_guard(module, admin, plans, cluster, result):
    """Warn, or refuse changing nothing (storage_check), when a broker's disk could fill."""
    mode = module.params["storage_check"]
    touching = [plan for plan in plans if touches_storage(plan)]
    if mode == "ignore" or not touching:
        return
    try:
        assignment, limits, capacity = storage_after(admin, plans, cluster)
    except Exception as error:
        fail_on_kafka_error(module, error, "Could not read what the brokers' disks hold")
    problems = storage_problems(assignment, limits, capacity, module.params["storage_headroom"])[0]
    unlimited = sorted(p["name"] for p in touching if limits.get(p["name"], (-1, 0))[0] < 0)
    if unlimited:
        module.warn(
            "topic(s) without a size limit (retention.bytes -1), which only retention.ms"
            " bounds: " + ", ".join(unlimited)
        )
    if problems and mode == "refuse":
        result["changed"] = False
        module.fail_json(
            msg="Nothing was changed: "
            + "; ".join(problems)
            + " (lower retention.bytes, add brokers or disk, or set storage_check)",
            **result,
        )
    for problem in problems:
        module.warn(problem)


def main():
    module = kafka_module(
        dict(
            name=dict(type="str"),
            topics=dict(type="list", elements="dict"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            partitions=dict(type="int"),
            replication_factor=dict(type="int"),
            config=dict(type="dict", default={}),
            config_exclusive=dict(type="bool", default=False),
            allow_internal=dict(type="bool", default=False),
            max_delete_bytes=dict(type="raw", default=0),
            allow_data_loss=dict(type="bool", default=False),
            storage_check=dict(type="str", default="warn", choices=["refuse", "warn", "ignore"]),
            storage_headroom=dict(type="int", default=10),
            reassignment_throttle=dict(type="int"),
            reassignment_timeout=dict(type="int", default=600),
        ),
        mutually_exclusive=[("name", "topics")],
        required_one_of=[("name", "topics")],
    )
    params = module.params
    desired, problems = desired_topics_from_params(params)
    problems.extend(topic_task_option_problems(params)[1])
    if problems:
        module.fail_json(msg="Nothing was changed: " + "; ".join(problems))
    if not desired:
        module.exit_json(
            changed=False, topics={}, created=[], updated=[], deleted=[], deletion_preview={}
        )

    with open_admin_client(module) as admin:
        try:
            cluster, current, problems = read_state(module, admin, desired)
        except Exception as error:
            fail_on_kafka_error(module, error, "Could not read the topics")

        plans, plan_problems = plan_topics(
            desired, current, cluster["broker_ids"], params["config_exclusive"]
        )
        problems.extend(plan_problems)
        if problems:
            module.fail_json(msg="Nothing was changed: " + "; ".join(problems))
        for plan in plans:
            for warning in plan["warnings"]:
                module.warn(warning)
        result = summarise(plans)
        result["changed"] = any(plan["action"] != "none" for plan in plans)
        result["deletion_preview"] = {}
        if result["changed"]:
            guard(module, admin, plans, cluster, result)
            storage_guard(module, admin, plans, cluster, result)
        if module._diff:
            result["diff"] = build_diff(plans)
        if not result["changed"]:
            module.exit_json(**result)

        try:
            problems = validate_on_broker(admin, plans, params["request_timeout"] * 1000)
        except Exception as error:
            result["changed"] = False
            fail_on_kafka_error(module, error, "Could not validate the changes", **result)
        if problems:
            result["changed"] = False
            module.fail_json(msg="Nothing was changed: " + "; ".join(problems), **result)
        if not module.check_mode:
            try:
                apply_plans(module, admin, plans, cluster)
            except ApplyFailed as error:
                fail_part_way(module, admin, plans, str(error), result)
            except Exception as error:
                fail_part_way(module, admin, plans, describe_kafka_error(error, params), result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
