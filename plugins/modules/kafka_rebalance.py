#!/usr/bin/python
# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

DOCUMENTATION = r"""
module: kafka_rebalance
short_description: Spread replicas evenly over Kafka brokers, or drain brokers, moving little data
version_added: 0.5.0
description:
  - Plans where every replica of the chosen topics should be so that each broker holds
    within one replica of the others, overall and per topic, and leads within one partition
    of the others, then moves the replicas there with partition reassignments.
  - Rack-aware. When the brokers have racks (C(broker.rack), set from the availability zone
    on EC2), no partition gets two replicas in one rack while there are racks enough for one
    each, and replicas already in breach are moved apart. Where the racks hold different
    numbers of brokers, one replica per rack comes first, so the brokers of a smaller rack
    hold more; the brokers of each rack are then within one of each other.
  - Moves as little as it can. A replica moves only to even out the counts, from the fullest
    broker to the emptiest, taking the smallest partition that does the job; a balanced
    cluster gets no move at all, so running the task again changes nothing.
  - Drains brokers (O(drain_brokers)) - every replica they hold moves to the others - for
    taking a broker out of the cluster. A plan that cannot be carried out (fewer brokers left
    than a partition's replicas, replicas on a broker that is down and not drained) is
    refused before anything moves.
  - Carries out the plan in batches of at most O(max_concurrent_moves) partitions. During each
    batch the replication throttle O(throttle) is set on the partitions and brokers that copy
    data, and it is removed when the batch ends, whether it finished, failed or ran out of
    time. Each batch is waited for within the deadline O(timeout); a batch still copying at
    the deadline is cancelled (Kafka returns its partitions to the replicas they had, which
    still hold their data) and the task fails, naming them.
  - Ends with a preferred-leader election, so the partitions' leaders follow the plan.
  - Check mode reads the cluster and returns the plan (RV(moves), the bytes each broker
    receives and frees, the balance before and after) without moving anything.
author:
  - datapipe maintainers (!UNKNOWN)
extends_documentation_fragment:
  - datapipe.kafka_pipeline.kafka_connection
options:
  brokers:
    description:
      - Ids of the brokers to spread the replicas over. Each must be registered and not
        fenced. Omitted means every registered, unfenced broker except those in
        O(drain_brokers).
    type: list
    elements: int
  drain_brokers:
    description:
      - Ids of brokers to empty. Every replica they hold moves to the other brokers. A broker
        that is down may be drained (its replicas are copied from the others). An id that is
        also in O(brokers) is refused.
    type: list
    elements: int
    default: []
  balance:
    description:
      - C(false) moves only what must move - the replicas of O(drain_brokers) (each to the
        broker that stays and holds the fewest of its topic, rack-aware), and replicas that
        share a rack while there are racks enough for one each - and leaves every other
        replica where it is, so that a drain copies only the drained brokers' data. Preferred
        leaders are still spread. C(true) also balances the replicas over the brokers.
    type: bool
    default: true
    version_added: 0.9.0
  topics:
    description:
      - Topics to balance. Omitted means every topic, Kafka's internal ones included.
        Balance is counted over these topics only. A name that does not exist is refused.
    type: list
    elements: str
  max_concurrent_moves:
    description:
      - How many partitions may copy data at the same time (the size of a batch), V(1) or
        more.
    type: int
    default: 5
  throttle:
    description:
      - Bytes per second that each broker may spend copying the moved replicas (Kafka's
        C(leader.replication.throttled.rate) and C(follower.replication.throttled.rate),
        with the moved partitions named in the topics' C(*.replication.throttled.replicas)).
        Set for each batch and removed when it ends; V(1) or more. Omitted means no throttle.
      - Removing it deletes those keys on the brokers and topics involved, so a throttle set
        on them by hand for another purpose goes too.
    type: int
  timeout:
    description:
      - Seconds, V(1) or more, that the whole task may take to move data. At the deadline the
        batch still copying is cancelled and the task fails; the batches before it stay done.
    type: int
    default: 1800
  max_batches:
    description:
      - Carry out at most this many batches and return, reporting what is left in
        RV(remaining_moves). A playbook can call the task in a loop to print progress batch by
        batch. Omitted means every batch. The preferred-leader election runs only once no move
        is left.
    type: int
  storage_check:
    description:
      - What to do when a broker that receives replicas could run out of disk - when the
        most that retention lets the replicas it will host keep (C(retention.bytes) plus one
        C(segment.bytes) per replica) exceeds its log directories' size minus
        O(storage_headroom). V(refuse) fails before anything moves, V(warn) warns and goes
        on, V(ignore) does neither. Topics without a size limit (C(retention.bytes) V(-1))
        cannot be weighed and are named in a warning unless V(ignore).
      - The disk size comes from Kafka (DescribeLogDirs, Kafka 3.3 and newer); a broker that
        does not report it is not weighed.
    type: str
    choices: [refuse, warn, ignore]
    default: refuse
  storage_headroom:
    description:
      - Percentage of each broker's disk that O(storage_check) keeps free, from V(0) to V(99).
    type: int
    default: 10
  elect_leaders:
    description:
      - Run a preferred-leader election for the partitions whose leader is not their first
        replica, at the end (or alone, when no replica needs to move).
    type: bool
    default: true
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying
      target.
    support: full
    details: Reads the cluster and returns the plan; moves nothing.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in
      check_mode), when in diff mode.
    support: full
    details: The replicas of every partition that moves, before and after.
seealso:
  - module: datapipe.kafka_pipeline.kafka_topic
  - module: datapipe.kafka_pipeline.kafka_topic_info
  - name: Kafka operations, balancing replicas across racks
    description: What C(broker.rack) does and how reassignment and its throttle work.
    link: https://kafka.apache.org/documentation/#basic_ops_racks
"""

EXAMPLES = r"""
- name: Show what a rebalance would move (check mode)
  datapipe.kafka_pipeline.kafka_rebalance:
    bootstrap_servers: ["kafka1.internal:9092"]
  check_mode: true
  register: plan

- name: Spread the replicas over every broker, five partitions at a time, 20 MB/s each
  datapipe.kafka_pipeline.kafka_rebalance:
    bootstrap_servers: ["kafka1.internal:9092"]
    max_concurrent_moves: 5
    throttle: 20000000
    timeout: 3600

- name: Empty broker 4 before taking it out of the cluster
  datapipe.kafka_pipeline.kafka_rebalance:
    bootstrap_servers: ["kafka1.internal:9092"]
    drain_brokers: [4]
    throttle: 20000000
"""

RETURN = r"""
moves:
  description:
    - Every partition whose replicas change, with C(topic), C(partition), C(before) and
      C(after) (broker ids, the preferred leader first), C(adding) and C(removing) (the
      brokers that receive and free a copy) and C(bytes) (the size of the partition times
      the copies made; V(0) for a change of order only).
  returned: always
  type: list
  elements: dict
  sample:
    - {topic: events, partition: 3, before: [1, 2, 3], after: [4, 2, 3], adding: [4],
       removing: [1], bytes: 10485760}
bytes_to_move:
  description: Bytes the moves copy in all.
  returned: always
  type: int
bytes_per_broker:
  description: Bytes each broker receives (C(in)) and frees (C(out)), by broker id.
  returned: always
  type: dict
  sample: {in: {"4": 20971520}, out: {"1": 10485760, "2": 10485760}}
balance_before:
  description:
    - The current balance over the brokers to hold replicas - C(replicas_per_broker),
      C(leaders_per_broker) (preferred leaders), C(replica_spread) and C(leader_spread) (most
      minus fewest) and C(widest_topic_spread) (the same, for the least even topic).
  returned: always
  type: dict
balance_after:
  description: The same figures once the plan is carried out.
  returned: always
  type: dict
batches:
  description: Number of batches the plan takes.
  returned: always
  type: int
progress:
  description:
    - One entry per batch carried out, with C(batch), C(partitions), C(bytes), C(seconds) and
      C(throttle) (bytes per second, or V(null)).
  returned: always
  type: list
  elements: dict
remaining_moves:
  description: Moves left for a later run when O(max_batches) stopped the task early.
  returned: always
  type: int
leaders_elected:
  description: Partitions whose leader the preferred-leader election moved to their first replica.
  returned: always
  type: int
storage:
  description:
    - Per broker (by id) after the plan, C(capacity) (bytes of its log directories, V(null)
      when Kafka does not report it) and C(retention_bound) (the most its replicas may hold,
      topics without a size limit left out).
  returned: always
  type: dict
  sample: {"4": {capacity: 107374182400, retention_bound: 64424509440}}
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
    read_cluster,
    read_topic_configs,
    read_topics,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.rebalance_plan import (
    balance_figures,
    batches,
    bytes_per_broker,
    plan_rebalance,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.retention import (
    partition_sizes,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.storage_plan import (
    LIMIT_KEYS,
    broker_capacity,
    retention_bounds,
    storage_problems,
)

try:
    from kafka.admin import AlterConfigOp, ConfigResource, ConfigResourceType
    from kafka.structs import TopicPartition
except ImportError:  # reported by open_admin_client
    pass

PREFERRED_ELECTION = 0
POLL_SECONDS = 0.5


class RebalanceFailed(Exception):
    """Kafka refused or did not finish a batch; the message says what was left how."""


def option_problems(params):
    problems = []
    for name in ("max_concurrent_moves", "throttle", "timeout", "max_batches"):
        value = params.get(name)
        if value is not None and value < 1:
            problems.append(f"{name} must be 1 or more, got {value}")
    if not 0 <= params["storage_headroom"] <= 99:
        problems.append(
            f"storage_headroom is a percentage from 0 to 99, got {params['storage_headroom']}"
        )
    overlap = sorted(set(params.get("brokers") or []) & set(params["drain_brokers"]))
    if overlap:
        problems.append(
            f"broker(s) {', '.join(map(str, overlap))} are both in brokers and in drain_brokers:"
            " name each broker in one of them"
        )
    return problems


def read_state(admin, params):
    """The cluster, the assignment of the chosen topics, their sizes; problems found."""
    cluster = read_cluster(admin)
    registered = cluster["broker_ids"]
    problems = []
    brokers = params.get("brokers")
    if brokers is None:
        brokers = [b for b in registered if b not in params["drain_brokers"]]
    unknown = sorted(set(brokers) - set(registered))
    if unknown:
        problems.append(
            f"broker(s) {', '.join(map(str, unknown))} in brokers are not registered or are"
            f" fenced; the cluster's unfenced brokers are {', '.join(map(str, registered))}"
        )
    topics = read_topics(admin, params.get("topics"))
    missing = sorted(set(params.get("topics") or []) - set(topics))
    if missing:
        problems.append(f"topic(s) {', '.join(missing)} do not exist")
    assignment, offline = {}, []
    for name, topic in topics.items():
        for index, replicas in topic["replicas"].items():
            assignment[(name, index)] = replicas
            if topic["leaders"].get(index, -1) < 0:
                offline.append(f"{name}-{index}")
    if offline:
        problems.append(
            f"partition(s) {', '.join(sorted(offline))} have no leader, so nothing can copy"
            " from them: bring their brokers back first"
        )
    running = admin.list_partition_reassignments(None)
    if running:
        problems.append(
            f"Kafka is already moving {len(running)} partition(s) ("
            + ", ".join(f"{tp.topic}-{tp.partition}" for tp in sorted(running)[:10])
            + "): wait until they are done, or cancel them"
        )
    log_dirs = admin.describe_log_dirs(list(topics)) if topics else []
    sizes = {}
    for name, by_partition in partition_sizes(log_dirs).items():
        for index, size in by_partition.items():
            sizes[(name, index)] = size
    configs = read_topic_configs(admin, dict((name, list(LIMIT_KEYS)) for name in topics))
    limits = dict(
        (
            name,
            tuple(int(configs.get(name, {}).get(key, {}).get("value") or -1) for key in LIMIT_KEYS),
        )
        for name in topics
    )
    racks = dict((broker["id"], broker["rack"]) for broker in cluster["brokers"])
    return {
        "brokers": sorted(brokers),
        "racks": racks,
        "assignment": assignment,
        "sizes": sizes,
        "capacity": broker_capacity(log_dirs),
        "limits": limits,
        "leaders": dict(
            ((name, index), leader)
            for name, topic in topics.items()
            for index, leader in topic["leaders"].items()
        ),
    }, problems


def weigh_storage(module, state, after, moves):
    """Refuse or warn (storage_check) when a broker receiving replicas could fill its disk."""
    bounds = retention_bounds(after, state["limits"])[0]
    storage = dict(
        (
            broker,
            dict(capacity=state["capacity"].get(broker), retention_bound=bounds.get(broker, 0)),
        )
        for broker in state["brokers"]
    )
    mode = module.params["storage_check"]
    if mode == "ignore" or not moves:
        return storage
    receiving = set(b for move in moves for b in move["adding"])
    problems, warnings = storage_problems(
        dict((key, [b for b in replicas if b in receiving]) for key, replicas in after.items()),
        state["limits"],
        state["capacity"],
        module.params["storage_headroom"],
    )
    for warning in warnings:
        module.warn(warning)
    if problems and mode == "refuse":
        module.fail_json(
            msg="Nothing was moved: "
            + "; ".join(problems)
            + " (lower retention.bytes, add brokers or disk, or set storage_check)",
            storage=storage,
        )
    for problem in problems:
        module.warn(problem)
    return storage


def partition_name(move):
    return f"{move['topic']}-{move['partition']}"


def throttle_resources(batch, rate, remove=False):
    """Config resources that set (or delete) the throttle for the partitions of a batch."""
    leaders, followers, brokers = {}, {}, set()
    for move in batch:
        if not move["adding"]:
            continue
        index = move["partition"]
        leaders.setdefault(move["topic"], []).extend(f"{index}:{b}" for b in move["before"])
        followers.setdefault(move["topic"], []).extend(f"{index}:{b}" for b in move["adding"])
        brokers.update(move["before"])
        brokers.update(move["after"])
    resources = []
    for topic in sorted(leaders):
        if remove:
            changes = dict((key, (AlterConfigOp.DELETE, None)) for key in THROTTLE_TOPIC_KEYS)
        else:
            changes = {
                "leader.replication.throttled.replicas": ",".join(leaders[topic]),
                "follower.replication.throttled.replicas": ",".join(followers[topic]),
            }
        resources.append(ConfigResource(ConfigResourceType.TOPIC, topic, changes))
    for broker in sorted(brokers):
        if remove:
            changes = dict((key, (AlterConfigOp.DELETE, None)) for key in THROTTLE_BROKER_KEYS)
        else:
            changes = dict((key, str(rate)) for key in THROTTLE_BROKER_KEYS)
        resources.append(ConfigResource(ConfigResourceType.BROKER, str(broker), changes))
    return resources


def alter(admin, resources, doing):
    problems = alter_results_problems(
        admin.alter_configs(resources, raise_on_unknown=False, incremental=True), doing
    )
    if problems:
        raise RebalanceFailed("; ".join(problems))


def cancel(admin, batch, pending):
    """Cancel the moves still copying, and give their partitions back their replica order.

    Kafka returns a cancelled partition to the replicas it had, which still hold its data,
    but lists them in an order of its own; the order, and so the preferred leader, is put
    back with a reassignment that only reorders (it copies nothing and ends at once).
    """
    admin.alter_partition_reassignments(dict((tp, None) for tp in pending))
    before = dict(
        (TopicPartition(move["topic"], move["partition"]), move["before"]) for move in batch
    )
    admin.alter_partition_reassignments(dict((tp, before[tp]) for tp in pending))
    settle = time.monotonic() + 30
    while admin.list_partition_reassignments(list(pending)) and time.monotonic() < settle:
        time.sleep(POLL_SECONDS)


def run_batch(admin, batch, rate, deadline, timeout):
    """Move one batch and wait for it; the throttle is removed however the batch ends."""
    copying = [move for move in batch if move["adding"]]
    throttled = bool(rate and copying)
    partitions = dict(
        (TopicPartition(move["topic"], move["partition"]), move["after"]) for move in batch
    )
    failure = None
    try:
        if throttled:
            alter(admin, throttle_resources(batch, rate), "could not set the throttle on")
        refused = dict(
            (tp, error)
            for tp, error in admin.alter_partition_reassignments(partitions).items()
            if error
        )
        if refused:
            raise RebalanceFailed(
                "Kafka refused to move "
                + ", ".join(
                    f"{tp.topic}-{tp.partition}: {error.__name__}"
                    for tp, error in sorted(refused.items())
                )
            )
        while True:
            pending = admin.list_partition_reassignments(list(partitions))
            if not pending:
                return
            if time.monotonic() > deadline:
                cancel(admin, batch, pending)
                raise RebalanceFailed(
                    f"{len(pending)} partition(s) were still copying after {timeout}s ("
                    + ", ".join(f"{tp.topic}-{tp.partition}" for tp in sorted(pending))
                    + "); their moves were cancelled, so they keep the replicas they had"
                )
            time.sleep(POLL_SECONDS)
    except RebalanceFailed as error:
        failure = str(error)
        raise
    finally:
        if throttled:
            try:
                alter(
                    admin,
                    throttle_resources(batch, rate, remove=True),
                    "could not remove the throttle from",
                )
            except Exception as error:
                message = (
                    f"the throttle could not be removed ({error}); delete"
                    f" {', '.join(THROTTLE_BROKER_KEYS + THROTTLE_TOPIC_KEYS)} by hand"
                )
                raise RebalanceFailed(f"{failure}; {message}" if failure else message) from error


def elect_preferred_leaders(admin, topics):
    """Move each partition's leader to its first replica; returns how many moved."""
    current = read_topics(admin, topics)
    off_preferred = {}
    for name, topic in current.items():
        for index, replicas in topic["replicas"].items():
            if replicas and topic["leaders"].get(index) != replicas[0]:
                off_preferred.setdefault(name, []).append(index)
    if not off_preferred:
        return 0
    admin.elect_leaders(PREFERRED_ELECTION, off_preferred, raise_errors=False)
    after = read_topics(admin, list(off_preferred))
    return sum(
        1
        for name, indexes in off_preferred.items()
        for index in indexes
        if after[name]["leaders"].get(index) == after[name]["replicas"][index][0]
    )


def main():
    module = kafka_module(
        dict(
            brokers=dict(type="list", elements="int"),
            drain_brokers=dict(type="list", elements="int", default=[]),
            balance=dict(type="bool", default=True),
            topics=dict(type="list", elements="str"),
            max_concurrent_moves=dict(type="int", default=5),
            throttle=dict(type="int"),
            timeout=dict(type="int", default=1800),
            max_batches=dict(type="int"),
            elect_leaders=dict(type="bool", default=True),
            storage_check=dict(type="str", default="refuse", choices=["refuse", "warn", "ignore"]),
            storage_headroom=dict(type="int", default=10),
        )
    )
    params = module.params
    problems = option_problems(params)
    if problems:
        module.fail_json(msg="Nothing was moved: " + "; ".join(problems))

    with open_admin_client(module) as admin:
        try:
            state, problems = read_state(admin, params)
        except Exception as error:
            fail_on_kafka_error(module, error, "Could not read the cluster")
        if problems:
            module.fail_json(msg="Nothing was moved: " + "; ".join(problems))
        plan = plan_rebalance(
            state["assignment"],
            state["sizes"],
            state["racks"],
            state["brokers"],
            params["drain_brokers"],
            balance=params["balance"],
        )
        if plan["problems"]:
            module.fail_json(msg="Nothing was moved: " + "; ".join(plan["problems"]))
        moves = plan["moves"]
        after = dict(state["assignment"])
        for move in moves:
            after[(move["topic"], move["partition"])] = move["after"]
        planned = batches(moves, params["max_concurrent_moves"])
        off_preferred = sum(
            1
            for key, replicas in after.items()
            if replicas and state["leaders"].get(key) != replicas[0]
        )
        storage = weigh_storage(module, state, after, moves)
        result = dict(
            storage=storage,
            moves=moves,
            bytes_to_move=sum(move["bytes"] for move in moves),
            bytes_per_broker=bytes_per_broker(moves),
            balance_before=balance_figures(state["assignment"], state["brokers"]),
            balance_after=balance_figures(after, state["brokers"]),
            batches=len(planned),
            progress=[],
            remaining_moves=len(moves),
            leaders_elected=0,
            changed=bool(moves) or (params["elect_leaders"] and off_preferred > 0),
        )
        if module._diff and moves:
            result["diff"] = dict(
                before=dict((partition_name(m), m["before"]) for m in moves),
                after=dict((partition_name(m), m["after"]) for m in moves),
            )
        if module.check_mode or not result["changed"]:
            module.exit_json(**result)

        deadline = time.monotonic() + params["timeout"]
        try:
            for number, batch in enumerate(planned, 1):
                if params["max_batches"] is not None and number > params["max_batches"]:
                    break
                started = time.monotonic()
                run_batch(admin, batch, params["throttle"], deadline, params["timeout"])
                result["remaining_moves"] -= len(batch)
                result["progress"].append(
                    dict(
                        batch=number,
                        partitions=[partition_name(m) for m in batch],
                        bytes=sum(m["bytes"] for m in batch),
                        seconds=round(time.monotonic() - started, 1),
                        throttle=params["throttle"],
                    )
                )
                module.log(
                    f"kafka_rebalance: batch {number} of {len(planned)} done,"
                    f" {result['remaining_moves']} move(s) left"
                )
            if params["elect_leaders"] and result["remaining_moves"] == 0:
                topics = sorted(set(key[0] for key in state["assignment"]))
                result["leaders_elected"] = elect_preferred_leaders(admin, topics)
        except RebalanceFailed as error:
            module.fail_json(
                msg=f"{error} (batches done before: {len(result['progress'])})", **result
            )
        except Exception as error:
            module.fail_json(
                msg=describe_kafka_error(error, params)
                + f" (batches done before: {len(result['progress'])})",
                **result,
            )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
