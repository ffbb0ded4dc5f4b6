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
    reassignment, optionally throttled, with a bounded wait.
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
    type: dict
    default: {}
  config_exclusive:
    description:
      - Also reset to the broker default every override that is not listed in O(config).
        The diff and the result name each key reset.
    type: bool
    default: false
  allow_internal:
    description:
      - Allow managing Kafka's internal topics (names starting with C(__), such as
        C(__consumer_offsets)). Refused otherwise.
    type: bool
    default: false
  reassignment_throttle:
    description:
      - Bytes per second that replicas may copy while a replication factor change moves
        data. Set on the brokers and topics involved for the time of the move, removed
        afterwards. Omitted means no throttle.
    type: int
  reassignment_timeout:
    description:
      - Seconds to wait for a replication factor change to finish. When it does not, the
        task fails and says so; the reassignment carries on in the background, and any
        throttle stays in place until removed by hand.
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

- name: Delete a topic
  datapipe.kafka_pipeline.kafka_topic:
    bootstrap_servers: ["kafka1.internal:9092"]
    name: scratch
    state: absent

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
  description: Per topic asked about, what was (or in check mode would be) done.
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
  description: Topics created.
  returned: always
  type: list
  elements: str
updated:
  description: Topics whose partitions, replication factor or config changed.
  returned: always
  type: list
  elements: str
deleted:
  description: Topics deleted.
  returned: always
  type: list
  elements: str
"""

import time

from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_admin import (
    fail_on_kafka_error,
    kafka_module,
    open_admin_client,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_reads import (
    alter_results_problems,
    create_topics,
    read_cluster,
    read_topic_configs,
    read_topics,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.topic_plan import (
    build_diff,
    desired_topics_from_params,
    plan_topics,
)

try:
    from kafka.admin import AlterConfigOp, ConfigResource, ConfigResourceType
    from kafka.structs import TopicPartition
except ImportError:  # reported by open_admin_client
    pass

THROTTLE_TOPIC_KEYS = (
    "leader.replication.throttled.replicas",
    "follower.replication.throttled.replicas",
)
THROTTLE_BROKER_KEYS = ("leader.replication.throttled.rate", "follower.replication.throttled.rate")


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
    growth = dict(
        (p["name"], p["partitions"]["after"])
        for p in plans
        if p["action"] == "update" and p["partitions"]
    )
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
    if rate:
        throttled, problems = set_throttle(admin, plans, broker_ids, rate)
        if problems:
            module.fail_json(msg="Could not set the replication throttle: " + "; ".join(problems))
    refused = dict(
        (tp, error) for tp, error in admin.alter_partition_reassignments(moves).items() if error
    )
    if refused:
        module.fail_json(
            msg="Kafka refused to reassign: "
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
            module.fail_json(
                msg=f"The replication factor change is still moving {len(pending)} partition(s)"
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
            module.fail_json(msg="Kafka refused to create topic(s) " + "; ".join(refused))
        # Return only once the new topics have leaders, so the next task can use them.
        admin.wait_for_topics(list(creates), timeout_ms=timeout_ms)
    growth = dict(
        (p["name"], p["partitions"]["after"])
        for p in plans
        if p["action"] == "update" and p["partitions"]
    )
    if growth:
        admin.create_partitions(growth)
    resources = config_resources(plans)
    if resources:
        problems = alter_results_problems(
            admin.alter_configs(resources, raise_on_unknown=False, incremental=True),
            "Could not change the config of",
        )
        if problems:
            module.fail_json(msg="; ".join(problems))
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
    return dict(
        topics=topics,
        created=[p["name"] for p in plans if p["action"] == "create"],
        updated=[p["name"] for p in plans if p["action"] == "update"],
        deleted=[p["name"] for p in plans if p["action"] == "delete"],
    )


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
            reassignment_throttle=dict(type="int"),
            reassignment_timeout=dict(type="int", default=600),
        ),
        mutually_exclusive=[("name", "topics")],
        required_one_of=[("name", "topics")],
    )
    params = module.params
    desired, problems = desired_topics_from_params(params)
    if problems:
        module.fail_json(msg="Nothing was changed: " + "; ".join(problems))

    with open_admin_client(module) as admin:
        try:
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
        except Exception as error:
            fail_on_kafka_error(module, error, "Could not read the topics")

        plans, problems = plan_topics(
            desired, current, cluster["broker_ids"], params["config_exclusive"]
        )
        if problems:
            module.fail_json(msg="Nothing was changed: " + "; ".join(problems))
        result = summarise(plans)
        result["changed"] = any(plan["action"] != "none" for plan in plans)
        if module._diff:
            result["diff"] = build_diff(plans)
        if not result["changed"]:
            module.exit_json(**result)

        try:
            problems = validate_on_broker(admin, plans, params["request_timeout"] * 1000)
        except Exception as error:
            fail_on_kafka_error(module, error, "Could not validate the changes")
        if problems:
            result["changed"] = False
            module.fail_json(msg="Nothing was changed: " + "; ".join(problems), **result)
        if not module.check_mode:
            try:
                apply_plans(module, admin, plans, cluster)
            except Exception as error:
                fail_on_kafka_error(module, error, "Changing the topics failed part way", **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
