#!/usr/bin/python
# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

DOCUMENTATION = r"""
module: kafka_cluster_health
short_description: Wait until a Kafka node may stop, or until the cluster is healthy again
version_added: 0.1.0
description:
  - Reads a Kafka cluster through the Admin API (no JVM is started) and answers one of three
    questions, which make the gates of a rolling restart.
  - O(wait_for=none) reports the cluster's state once and never fails on it.
  - O(wait_for=stoppable) waits until node O(node_id) may be stopped, which needs all of
    these. No partition reassignment is in progress. No partition anywhere is under-replicated
    or without a leader (every broker fully caught up). No partition whose in-sync replicas
    include the node would fall below its topic's own C(min.insync.replicas) without it (the
    value in force, from the topic, the broker or Kafka's default). In KRaft mode, when the node
    is a controller voter, the voters that are caught up, leaving the node out, are still a
    majority of all voters (the quorum leader counts as caught up).
  - O(wait_for=healthy) waits until the cluster is healthy after node O(node_id) has been
    (re)started, which needs all of these. The node, when it is a broker, and every broker in
    O(expected_brokers) is registered and unfenced; Kafka registers a broker unfenced only once
    it has loaded and recovered its logs. No partition is under-replicated or without a leader.
    In KRaft mode the quorum has a leader and every voter is caught up. Then, with
    O(elect_preferred_leaders=true), it moves leadership back to the preferred replicas.
  - A node counts as a broker when it is listed in O(expected_brokers), is registered (a KRaft
    cluster keeps a stopped broker registered, fenced) or holds a replica. A controller-only
    node is a voter and no broker; for it only the quorum counts.
  - Polls until the condition holds or O(timeout) has passed, then fails with what was still
    wrong. O(wait_for=stoppable) fails at once when a partition of the node has too few
    replicas for its C(min.insync.replicas) without it, which no wait can change.
    A read that fails because a broker is down (as during its restart) counts as "not
    yet", not as a failure, until the deadline. A refused login or a missing permission fails
    at once.
author:
  - datapipe maintainers (!UNKNOWN)
extends_documentation_fragment:
  - datapipe.kafka_pipeline.kafka_connection
options:
  wait_for:
    description:
      - C(none) reports once; C(stoppable) waits until O(node_id) may stop; C(healthy) waits
        until the cluster is healthy after O(node_id) was restarted.
    type: str
    default: none
    choices: [none, stoppable, healthy]
  node_id:
    description:
      - The node about to be stopped (O(wait_for=stoppable), required there) or just restarted
        (O(wait_for=healthy)), by its C(node.id), or C(broker.id) in ZooKeeper mode.
      - With O(wait_for=none), also reports RV(stoppable) and RV(at_risk) for this node.
      - A node id the cluster does not know fails at once, except with O(wait_for=healthy),
        where a broker that has not registered yet (a new broker, or a ZooKeeper-mode broker
        that holds no replica) may still appear before the deadline.
    type: int
  node_ids:
    description:
      - Nodes that stop, or were restarted, together (a batch, such as the brokers of one
        rack), instead of the one node of O(node_id); mutually exclusive with it.
      - O(wait_for=stoppable) then waits until all of them may stop at the same time, which
        needs every partition to keep its C(min.insync.replicas) in sync without all of them
        and, in KRaft mode, the caught-up voters outside the batch to be a majority.
        O(wait_for=healthy) waits until each of them is back, and O(elect_preferred_leaders)
        moves back the leaderships of all of them.
      - Each id must be known to the cluster, as for O(node_id).
    type: list
    elements: int
    version_added: 0.7.0
  expected_brokers:
    description:
      - Broker ids that must all be registered and unfenced for the cluster to be healthy.
      - Without it only O(node_id) (when it is a broker) must be registered; brokers that are
        down show up as under-replicated or leaderless partitions only if they hold replicas.
    type: list
    elements: int
  timeout:
    description:
      - Seconds from the start of the task after which O(wait_for=stoppable) or
        O(wait_for=healthy) gives up and fails, listing what was still wrong.
      - C(0) checks once.
      - While waiting, each request to Kafka waits at most the smaller of O(request_timeout) and
        this timeout (but at least 5 seconds), so a broker that hangs delays the end by at most
        that long.
    type: int
    default: 300
  poll_interval:
    description:
      - Seconds between two reads of the cluster while waiting.
    type: float
    default: 0.5
  elect_preferred_leaders:
    description:
      - With O(wait_for=healthy), once the cluster is healthy, run a preferred leader election
        for the partitions whose preferred leader (first replica) is O(node_id), or any node
        when O(node_id) is not given, and that is in sync but does not lead now.
      - RV(elected) lists the partitions whose leader moved; C(changed) is true only then.
        In check mode RV(elected) lists the partitions that would be elected and nothing
        moves.
      - Only with O(wait_for=healthy).
    type: bool
    default: false
  max_controller_lag:
    description:
      - KRaft mode. How many records behind the quorum leader's log end offset a voter may be
        and still count as caught up. It must also have been seen caught up by the leader within
        the last 5 seconds (the leader's C(LastCaughtUpTimestamp) for it, Kafka 3.3 or newer).
      - Why 1000. A healthy follower is 0 or 1 records behind on an idle cluster (the leader
        writes a no-op record every 500 ms), but briefly one record behind per partition whose
        leader or ISR changes, for example several hundred when a restarted broker rejoins the
        ISR of its partitions. Those bursts clear within a fetch. A voter that has stopped falls
        behind by only about 2 records a second on an idle cluster; the 5 second rule catches
        it, not this count.
    type: int
    default: 1000
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying
      target.
    support: full
    details: Reads only; in check mode no leader election runs, RV(elected) lists the
      partitions that would be elected and C(changed) predicts the election.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in
      check_mode), when in diff mode.
    support: none
notes:
  - Every poll reads the cluster (DescribeCluster), the KRaft quorum (DescribeQuorum; a
    ZooKeeper-mode broker does not support it, which is how the mode is told apart), all topics'
    partitions (Metadata) and ongoing reassignments; O(wait_for=stoppable) also reads the
    C(min.insync.replicas) of the topics that have the node in an ISR, in one DescribeConfigs
    request. The principal needs C(Describe) on the cluster and on the topics, C(DescribeConfigs)
    on the topics, and C(Alter) on the cluster for O(elect_preferred_leaders).
  - Use O(wait_for=healthy) after a clean stop and start (the service manager's restart). A
    broker that was killed instead may keep its old registration, and its replicas their place
    in the ISR, until its session expires (C(broker.session.timeout.ms) in KRaft mode,
    C(zookeeper.session.timeout.ms) in ZooKeeper mode), and a check in that window can take
    the old registration for the restarted broker.
  - Give several brokers in O(bootstrap_servers). The client keeps one connection set across
    polls and reconnects to a restarted broker by itself; while no bootstrap server answers it
    keeps trying until the deadline.
seealso:
  - module: datapipe.kafka_pipeline.kafka_topic_info
  - module: datapipe.kafka_pipeline.kafka_topic
  - name: Kafka operations, rolling restarts and preferred leader election
    description: What a controlled shutdown and a preferred replica election do.
    link: https://kafka.apache.org/documentation/#basic_ops_restarting
"""

EXAMPLES = r"""
- name: Wait until broker 2 may stop without taking any partition below its min ISR
  datapipe.kafka_pipeline.kafka_cluster_health:
    bootstrap_servers: ["kafka1.internal:9092", "kafka2.internal:9092", "kafka3.internal:9092"]
    wait_for: stoppable
    node_id: 2
    timeout: 600
  delegate_to: localhost

- name: Restart broker 2
  ansible.builtin.systemd_service:
    name: kafka
    state: restarted

- name: Wait until broker 2 is back and in sync, then give it back its preferred leaderships
  datapipe.kafka_pipeline.kafka_cluster_health:
    bootstrap_servers: ["kafka1.internal:9092", "kafka2.internal:9092", "kafka3.internal:9092"]
    wait_for: healthy
    node_id: 2
    expected_brokers: [1, 2, 3]
    elect_preferred_leaders: true
    timeout: 900
  delegate_to: localhost
  register: restart_gate

- name: Show how long each phase took
  ansible.builtin.debug:
    var: restart_gate.phases

- name: Ask whether the brokers of one zone (1 and 4) may stop together, failing nothing
  datapipe.kafka_pipeline.kafka_cluster_health:
    bootstrap_servers: ["kafka1.internal:9092", "kafka2.internal:9092", "kafka3.internal:9092"]
    node_ids: [1, 4]
  delegate_to: localhost
  register: zone_a

- name: Show what keeps them from stopping at once
  ansible.builtin.debug:
    msg: "{{ zone_a.at_risk if not zone_a.stoppable else 'zone a may restart together' }}"

- name: Report the cluster over SASL, failing nothing
  datapipe.kafka_pipeline.kafka_cluster_health:
    bootstrap_servers: ["kafka1.internal:9093"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: ops
    sasl_password: "{{ vault_kafka_ops_password }}"
    ssl_cafile: /etc/pki/kafka/ca.pem
  register: cluster
"""

RETURN = r"""
metadata_mode:
  description: C(kraft) or C(zookeeper).
  returned: when the cluster could be read
  type: str
  sample: kraft
cluster_id:
  description: The cluster id.
  returned: when the cluster could be read
  type: str
  sample: oVmnedBlQOW9TPkDsbiEPQ
brokers:
  description: Ids of the registered, unfenced brokers, sorted.
  returned: when the cluster could be read
  type: list
  elements: int
  sample: [1, 2, 3]
fenced_brokers:
  description: KRaft mode. Ids of registered brokers that are fenced (starting, or stopped).
  returned: when the cluster could be read
  type: list
  elements: int
  sample: []
controller_id:
  description:
    - KRaft mode, the active controller, which is the quorum leader. ZooKeeper mode, the
      controller broker. Null when there is none.
  returned: when the cluster could be read
  type: int
  sample: 1
voters:
  description:
    - KRaft mode, the controller quorum's voters; empty in ZooKeeper mode.
    - C(lag) is records behind the leader's log end offset, C(lag_ms) how long ago the leader
      last saw the voter caught up (null when unknown); C(caught_up) applies
      O(max_controller_lag) and the 5 second rule.
    - C(directory_id) is the voter's metadata directory id as Kafka's tools spell it (null at
      C(kraft.version) 0, where the quorum does not track directories); C(endpoint) the
      C(host:port) of its controller listener (null from Kafka before 3.9). Both since 0.9.0.
  returned: when the cluster could be read
  type: list
  elements: dict
  sample:
    - {id: 1, directory_id: XvYTomP3HvafZwtVb2enpQ, endpoint: "10.0.1.11:9093",
       log_end_offset: 1675, lag: 0, lag_ms: 0, caught_up: true}
    - {id: 2, directory_id: AV8JBbA9p3SF63AKOPOSeA, endpoint: "10.0.2.12:9093",
       log_end_offset: 1674, lag: 1, lag_ms: 241, caught_up: true}
observers:
  description:
    - KRaft mode, the nodes that read the metadata log without voting (the brokers, and a new
      controller until it is added to the quorum), with their metadata directory id and how
      many records behind the leader they are (null when unknown); empty in ZooKeeper mode.
  returned: when the cluster could be read
  type: list
  elements: dict
  version_added: 0.9.0
  sample:
    - {id: 4, directory_id: YMGjMUGK1B-SfXAyCEkwmw, lag: 0}
under_replicated:
  description: Partitions with fewer in-sync replicas than replicas, as C(topic-partition),
    sorted, at most 100.
  returned: when the cluster could be read
  type: list
  elements: str
  sample: [twitter-0, twitter-3]
offline:
  description: Partitions without a leader, as C(topic-partition), sorted, at most 100.
  returned: when the cluster could be read
  type: list
  elements: str
  sample: []
reassignments:
  description: Partitions with a reassignment in progress, as C(topic-partition), at most 100.
  returned: when the cluster could be read
  type: list
  elements: str
  sample: []
at_risk:
  description:
    - Partitions that would fall below their topic's C(min.insync.replicas) (or lose their
      only in-sync replica) if O(node_id) stopped (or all of O(node_ids) together), as
      C(topic-partition), at most 100.
  returned: with O(wait_for=stoppable), or O(wait_for=none) and O(node_id) or O(node_ids)
  type: list
  elements: str
  sample: [audit-0]
stoppable:
  description: Whether O(node_id) (or all of O(node_ids) together) may stop now.
  returned: with O(wait_for=stoppable), or O(wait_for=none) and O(node_id) or O(node_ids)
  type: bool
  sample: true
healthy:
  description: Whether the cluster is healthy (for O(node_id) and O(expected_brokers), when given).
  returned: when the cluster could be read
  type: bool
  sample: true
problems:
  description:
    - What keeps the wanted state from holding, one sentence each; empty when it holds.
    - With O(wait_for=none), the problems of C(healthy), then those that keep O(node_id) from
      stopping, when it is given.
  returned: always
  type: list
  elements: str
  sample: []
elected:
  description:
    - Partitions whose leadership the preferred leader election moved back, as
      C(topic-partition); in check mode those that would be elected.
  returned: always
  type: list
  elements: str
  sample: [twitter-2, twitter-5]
waited:
  description: Seconds from the start of the task until the answer.
  returned: always
  type: float
  sample: 14.31
phases:
  description:
    - Seconds from the start of the task until each milestone was first seen. C(registered),
      the node (when a broker) and every expected broker registered and unfenced; C(in_sync), no
      partition under-replicated or leaderless; C(quorum), KRaft, every voter caught up.
    - A milestone that does not apply, or was never reached, is absent.
  returned: always
  type: dict
  sample: {registered: 9.62, in_sync: 10.11, quorum: 0.05}
"""

import logging
import time

from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.cluster_health import (
    DEFAULT_MAX_CONTROLLER_LAG,
    at_risk,
    capped,
    describe_nodes,
    elect_preferred,
    election_names,
    election_outcome,
    healthy_problems,
    input_problems,
    lasting_risks,
    listing,
    node_roles,
    node_set,
    offline,
    partition_name,
    phase_conditions,
    preferred_elections,
    read_min_isr,
    read_snapshot,
    stoppable_problems,
    topics_in_isr,
    under_replicated,
    unknown_node_message,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_admin import (
    KafkaAdminClient,
    _ConnectionLog,
    admin_client_settings,
    describe_kafka_error,
    ensure_kafka_python,
    kafka_errors,
    kafka_module,
)

# A restarted broker refuses connections for a while; kafka-python backs off
# exponentially up to 30 s by default, which would hide its return for that long.
RECONNECT_BACKOFF_MAX_MS = 1000
MIN_REQUEST_TIMEOUT_S = 5


def permanent_error(error, connection_log=None):
    """Errors that waiting cannot fix: a refused login, a missing permission."""
    if connection_log is not None and connection_log.authentication_failure():
        return True
    return isinstance(
        error, (kafka_errors.SaslAuthenticationFailedError, kafka_errors.AuthorizationError)
    )


def retriable_connect_error(error):
    """No broker answered (yet): what a restart looks like from outside."""
    names = ("NoBrokersAvailable", "KafkaTimeoutError", "KafkaConnectionError", "NodeNotReadyError")
    unreachable = tuple(
        getattr(kafka_errors, name) for name in names if hasattr(kafka_errors, name)
    )
    return isinstance(error, unreachable) or "Unable to bootstrap" in str(error)


class HealthWatch:
    """One admin client, polled until the wanted state holds or the deadline passes."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.wait_for = self.params["wait_for"]
        # One node (node_id), or a batch that stops together (node_ids); None for neither.
        self.node_id = self.params["node_id"]
        if self.params["node_ids"]:
            self.node_id = sorted(self.params["node_ids"])
        self.started = time.monotonic()
        self.deadline = self.started + self.params["timeout"]
        self.waiting = self.wait_for != "none" and self.params["timeout"] > 0
        self.evaluate_stop = self.wait_for == "stoppable" or (
            self.wait_for == "none" and self.node_id is not None
        )
        request_timeout = self.params["request_timeout"]
        if self.waiting:
            # A hung broker may delay the answer past the deadline by one request at most.
            request_timeout = min(
                request_timeout, max(self.params["timeout"], MIN_REQUEST_TIMEOUT_S)
            )
        self.request_timeout = request_timeout
        self.admin = None
        self.phases = {}

    def elapsed(self):
        return round(time.monotonic() - self.started, 2)

    def remaining(self):
        return self.deadline - time.monotonic()

    def _sleep(self):
        time.sleep(max(0.0, min(self.params["poll_interval"], self.remaining())))

    def connect(self):
        """The admin client; while waiting, retry until the deadline when no broker answers."""
        ensure_kafka_python(self.module)
        kafka_logger = logging.getLogger("kafka")
        while True:
            bootstrap_s = self.request_timeout
            if self.waiting:
                bootstrap_s = max(1, min(bootstrap_s, int(self.remaining()) or 1))
            settings = admin_client_settings(dict(self.params, request_timeout=bootstrap_s))
            settings["request_timeout_ms"] = self.request_timeout * 1000
            settings["reconnect_backoff_max_ms"] = RECONNECT_BACKOFF_MAX_MS
            connection_log = _ConnectionLog()
            kafka_logger.addHandler(connection_log)
            try:
                self.admin = KafkaAdminClient(**settings)
                return
            except Exception as error:  # every way to fail connecting becomes a message
                message = describe_kafka_error(error, self.params, connection_log)
                if (
                    not self.waiting
                    or permanent_error(error, connection_log)
                    or not retriable_connect_error(error)
                    or self.remaining() <= 0
                ):
                    self.module.fail_json(
                        msg=f"wait_for={self.wait_for}: {message}",
                        problems=[message],
                        elected=[],
                        waited=self.elapsed(),
                        phases=self.phases,
                    )
            finally:
                kafka_logger.removeHandler(connection_log)
            self._sleep()

    def close(self):
        if self.admin is not None:
            try:
                self.admin.close()
            except Exception:  # closing must never hide the real result
                pass

    def read(self, metadata_mode):
        """(snapshot, min_isr) of one poll; raises what Kafka raised."""
        snapshot = read_snapshot(self.admin, metadata_mode, self.params["max_controller_lag"])
        min_isr = {}
        if self.evaluate_stop:
            unknown = [
                unknown_node_message(snapshot, node)
                for node in sorted(node_set(self.node_id))
                if not node_roles(snapshot, node)["known"]
            ]
            if unknown:
                self.module.fail_json(
                    msg=f"wait_for={self.wait_for}: "
                    + "; ".join(unknown)
                    + ". Nothing was changed.",
                    problems=unknown,
                    elected=[],
                    waited=self.elapsed(),
                    phases=self.phases,
                )
            min_isr = read_min_isr(self.admin, topics_in_isr(snapshot["topics"], self.node_id))
        return snapshot, min_isr

    def judge(self, snapshot, min_isr):
        """(health problems, stop problems or None, the problems of the wanted state)."""
        params = self.params
        health = healthy_problems(
            snapshot, self.node_id, params["expected_brokers"], params["max_controller_lag"]
        )
        stop = stoppable_problems(snapshot, self.node_id, min_isr) if self.evaluate_stop else None
        conditions = phase_conditions(
            snapshot, self.node_id, params["expected_brokers"], params["max_controller_lag"]
        )
        for name, holds in conditions.items():
            if holds and name not in self.phases:
                self.phases[name] = self.elapsed()
        if self.wait_for == "stoppable":
            wanted = stop
        elif self.wait_for == "healthy":
            wanted = health
        else:
            wanted = list(dict.fromkeys(health + (stop or [])))
        return health, stop, wanted

    def watch(self):
        """Poll; returns (snapshot, min_isr, health, stop, problems) of the last good read."""
        metadata_mode = None
        last = None
        while True:
            try:
                snapshot, min_isr = self.read(metadata_mode)
            except Exception as error:  # a broker down mid-restart: not yet, until the deadline
                if permanent_error(error) or not self.waiting:
                    self.fail_with(
                        last,
                        [f"could not read the cluster: {describe_kafka_error(error, self.params)}"],
                    )
                problems = [
                    f"could not read the cluster: {describe_kafka_error(error, self.params)}"
                ]
                if last is not None:
                    last = (*last[:4], problems)
                else:
                    last = (None, {}, None, None, problems)
            else:
                metadata_mode = snapshot["metadata_mode"]
                health, stop, problems = self.judge(snapshot, min_isr)
                last = (snapshot, min_isr, health, stop, problems)
                if self.wait_for == "none" or not problems:
                    return last
                # A partition with too few replicas stays at risk however long we wait.
                if self.wait_for == "stoppable" and lasting_risks(
                    snapshot["topics"], min_isr, self.node_id
                ):
                    return last
            if not self.waiting or self.remaining() <= 0:
                return last
            self._sleep()

    def report(self, snapshot, min_isr, health, stop, problems):
        result = dict(changed=False, problems=problems, elected=[], phases=self.phases)
        if snapshot is not None:
            result.update(
                metadata_mode=snapshot["metadata_mode"],
                cluster_id=snapshot["cluster_id"],
                brokers=snapshot["brokers"],
                fenced_brokers=snapshot["fenced_brokers"],
                controller_id=snapshot["controller_id"],
                voters=snapshot["voters"],
                observers=snapshot["observers"],
                under_replicated=capped(
                    partition_name(t, p) for t, p in under_replicated(snapshot["topics"])
                ),
                offline=capped(partition_name(t, p) for t, p in offline(snapshot["topics"])),
                reassignments=capped(snapshot["reassignments"]),
                healthy=not health,
            )
            if self.evaluate_stop:
                result["stoppable"] = not stop
                result["at_risk"] = capped(
                    partition_name(t, p)
                    for t, p, _isr, _min in at_risk(snapshot["topics"], min_isr, self.node_id)
                )
        result["waited"] = self.elapsed()
        return result

    def fail_with(self, last, problems):
        snapshot, min_isr, health, stop = (last or (None, {}, None, None, None))[:4]
        result = self.report(snapshot, min_isr, health, stop, problems)
        node = describe_nodes(self.node_id) if self.node_id is not None else "the cluster"
        if self.wait_for == "stoppable":
            together = " together" if len(node_set(self.node_id)) > 1 else ""
            asked = f"{node} {'are' if together else 'is'} not safe to stop{together}"
            todo = "Nothing was changed; stop it only once these are resolved."
        elif self.wait_for == "healthy":
            asked = "the cluster is not healthy" + (
                f" after {node}'s restart" if self.node_id is not None else ""
            )
            todo = (
                "Look at the named nodes' logs; raise timeout if a broker needs longer to"
                " recover its logs."
            )
        else:
            asked = "could not report the cluster"
            todo = "Check bootstrap_servers and the connection options."
        waited = (
            f"after {result['waited']} s (timeout {self.params['timeout']})"
            if self.waiting
            else "checked once"
        )
        self.module.fail_json(
            msg=f"wait_for={self.wait_for}: {asked} ({waited}): {'; '.join(problems)}. {todo}",
            **result,
        )

    def elect(self, snapshot, result):
        """The preferred leader election, after the cluster was found healthy."""
        elections = preferred_elections(snapshot["topics"], snapshot["brokers"], self.node_id)
        if not elections:
            return
        if self.module.check_mode:
            result.update(elected=election_names(elections), changed=True)
            return
        try:
            outcome = elect_preferred(self.admin, elections, self.request_timeout * 1000)
        except Exception as error:
            result["waited"] = self.elapsed()
            names = listing(election_names(elections))
            self.module.fail_json(
                msg=f"wait_for=healthy: the cluster is healthy, but the preferred leader election"
                f" for {names} failed: {describe_kafka_error(error, self.params)}. Leaders stay"
                " where they are; run the task again.",
                **result,
            )
        elected, failed = election_outcome(outcome)
        result.update(elected=elected, changed=bool(elected), waited=self.elapsed())
        if failed:
            self.module.fail_json(
                msg="wait_for=healthy: the cluster is healthy, but Kafka refused the preferred"
                " leader election for {} (elected: {}). Run the task again once those replicas"
                " are in sync.".format(listing(failed), listing(elected) or "none"),
                **result,
            )


def main():
    module = kafka_module(
        dict(
            wait_for=dict(type="str", default="none", choices=["none", "stoppable", "healthy"]),
            node_id=dict(type="int"),
            node_ids=dict(type="list", elements="int"),
            expected_brokers=dict(type="list", elements="int"),
            timeout=dict(type="int", default=300),
            poll_interval=dict(type="float", default=0.5),
            elect_preferred_leaders=dict(type="bool", default=False),
            max_controller_lag=dict(type="int", default=DEFAULT_MAX_CONTROLLER_LAG),
        )
    )
    wrong = input_problems(module.params)
    if wrong:
        module.fail_json(msg="; ".join(wrong) + ". Nothing was read or changed.")
    # kafka-python logs every refused connection of a restart; the result says what matters.
    logging.getLogger("kafka").addHandler(logging.NullHandler())

    watch = HealthWatch(module)
    watch.connect()
    try:
        snapshot, min_isr, health, stop, problems = watch.watch()
        if snapshot is None or (problems and watch.wait_for != "none"):
            watch.fail_with((snapshot, min_isr, health, stop, problems), problems)
        result = watch.report(snapshot, min_isr, health, stop, problems)
        if module.params["elect_preferred_leaders"]:
            watch.elect(snapshot, result)
    finally:
        watch.close()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
