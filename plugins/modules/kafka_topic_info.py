#!/usr/bin/python
# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

DOCUMENTATION = r"""
module: kafka_topic_info
short_description: Describe a Kafka cluster and its topics
version_added: 0.1.0
description:
  - Reports the cluster (brokers, controller, cluster id) and, for all topics, named ones or
    those matching a pattern, their partitions, replication factor, leaders, in-sync replicas,
    under-replicated and offline partition counts, non-default configs and size on disk.
  - Never changes anything.
  - A topic whose partitions have different replication factors (left by an interrupted
    change, or by reassignments made by hand) is reported with all of them and a warning.
author:
  - datapipe maintainers (!UNKNOWN)
extends_documentation_fragment:
  - datapipe.kafka_pipeline.kafka_connection
options:
  topics:
    description:
      - Topics to describe. Names that do not exist are listed in RV(missing).
    type: list
    elements: str
  pattern:
    description:
      - A Python regular expression; topics whose whole name matches are described.
    type: str
  include_internal:
    description:
      - Include Kafka's internal topics (names starting with C(__)) when listing all topics or
        matching O(pattern).
    type: bool
    default: false
  include_config:
    description:
      - Read each topic's non-default configs.
    type: bool
    default: true
  include_size:
    description:
      - Read each topic's size on disk from the brokers' log dirs.
    type: bool
    default: true
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying
      target.
    support: full
    details: The module only reads; it behaves the same in check mode.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in
      check_mode), when in diff mode.
    support: none
seealso:
  - module: datapipe.kafka_pipeline.kafka_topic
  - module: datapipe.kafka_pipeline.kafka_retention
"""

EXAMPLES = r"""
- name: Read the twitter topic
  datapipe.kafka_pipeline.kafka_topic_info:
    bootstrap_servers: ["kafka1.internal:9092"]
    topics: [twitter]
  register: twitter_info

- name: Fail when any partition is under-replicated
  ansible.builtin.assert:
    that: >-
      twitter_info.topics | dict2items
      | map(attribute='value.under_replicated_partitions') | sum == 0
"""

RETURN = r"""
cluster:
  description: The cluster as Kafka reports it.
  returned: always
  type: dict
  contains:
    cluster_id:
      description: Cluster id.
      type: str
    controller_id:
      description:
        - Broker id Kafka names as controller. In KRaft mode clients are given a broker id
          here, as the controllers are not reachable by clients.
      type: int
    brokers:
      description: Brokers with C(id), C(host), C(port), C(rack).
      type: list
      elements: dict
topics:
  description:
    - Per topic. C(replication_factor) is the lowest replica count of any of its partitions
      (what the topic guarantees); C(replication_factors) lists every count its partitions
      have, lowest first, so a topic whose partitions differ shows more than one (and the task
      warns). C(replication_factors) was added in version 0.2.0.
  returned: always
  type: dict
  sample:
    twitter:
      internal: false
      partitions: 3
      replication_factor: 3
      replication_factors: [3]
      under_replicated_partitions: 0
      offline_partitions: 0
      size_bytes: 1048576
      config: {retention.bytes: "100000000"}
      partition_details:
        - {partition: 0, leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3], offline_replicas: []}
missing:
  description: Topics named in O(topics) that do not exist.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_admin import (
    compile_pattern,
    fail_on_kafka_error,
    kafka_module,
    open_admin_client,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_reads import (
    read_cluster,
    read_partition_sizes,
    read_topic_configs,
    read_topics,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.topic_plan import (
    TOPIC_OVERRIDE_SOURCE,
    matching_topics,
    replication_factors,
    topic_name_problems,
)


def topic_report(topic, config, sizes):
    """One topic as returned to the user."""
    details = []
    under_replicated = offline = 0
    for index in sorted(topic["replicas"]):
        replicas = topic["replicas"][index]
        isr = topic["isr"].get(index, [])
        leader = topic["leaders"].get(index, -1)
        if leader is None or leader < 0:
            offline += 1
        if len(isr) < len(replicas):
            under_replicated += 1
        details.append(
            dict(
                partition=index,
                leader=leader,
                replicas=replicas,
                isr=isr,
                offline_replicas=topic["offline_replicas"].get(index, []),
            )
        )
    factors = replication_factors(topic)
    report = dict(
        internal=topic["internal"],
        partitions=topic["partitions"],
        replication_factor=factors[0],
        replication_factors=factors,
        under_replicated_partitions=under_replicated,
        offline_partitions=offline,
        partition_details=details,
    )
    if config is not None:
        report["config"] = dict(
            (key, "(sensitive)" if entry["sensitive"] else entry["value"])
            for key, entry in sorted(config.items())
            if entry["source"] == TOPIC_OVERRIDE_SOURCE
        )
    if sizes is not None:
        report["size_bytes"] = sum(sizes.values())
    return report


def main():
    module = kafka_module(
        dict(
            topics=dict(type="list", elements="str"),
            pattern=dict(type="str"),
            include_internal=dict(type="bool", default=False),
            include_config=dict(type="bool", default=True),
            include_size=dict(type="bool", default=True),
        ),
        mutually_exclusive=[("topics", "pattern")],
    )
    params = module.params
    problems = [
        problem
        for name in params["topics"] or []
        for problem in topic_name_problems(name, allow_internal=True)
    ]
    if problems:
        module.fail_json(msg="; ".join(problems))
    pattern = compile_pattern(module)

    with open_admin_client(module) as admin:
        try:
            cluster = read_cluster(admin)
            topics = read_topics(admin, params["topics"])
            if params["topics"] is None:
                topics = dict(
                    (name, topics[name])
                    for name in matching_topics(topics, pattern, params["include_internal"])
                )
            configs = (
                read_topic_configs(admin, dict((name, None) for name in topics))
                if params["include_config"]
                else {}
            )
            sizes = read_partition_sizes(admin, list(topics)) if params["include_size"] else {}
        except Exception as error:
            fail_on_kafka_error(module, error, "Could not describe the cluster")

    for name, topic in sorted(topics.items()):
        factors = replication_factors(topic)
        if len(factors) > 1:
            module.warn(
                f"topic {name} has partitions with different replication factors"
                f" ({', '.join(str(f) for f in factors)}): kafka_topic with replication_factor"
                " makes them alike"
            )
    module.exit_json(
        changed=False,
        cluster=dict(
            cluster_id=cluster["cluster_id"],
            controller_id=cluster["controller_id"],
            brokers=cluster["brokers"],
        ),
        topics=dict(
            (
                name,
                topic_report(
                    topic,
                    configs.get(name, {}) if params["include_config"] else None,
                    sizes.get(name, {}) if params["include_size"] else None,
                ),
            )
            for name, topic in sorted(topics.items())
        ),
        missing=sorted(set(params["topics"] or []) - set(topics)),
    )


if __name__ == "__main__":
    main()
