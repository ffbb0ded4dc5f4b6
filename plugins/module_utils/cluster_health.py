# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""Whether a Kafka node may stop, and whether the cluster is healthy again after a restart.

The decisions are pure functions over one plain-data snapshot of the cluster
(``read_snapshot`` makes it): brokers, controller quorum, partitions, ongoing
reassignments. They return problem sentences; an empty list means the wanted
state holds. The reads at the bottom are the only part that talks to Kafka.
"""

from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_ids import (
    kafka_uuid,
)

try:
    from kafka.admin import ConfigResource, ConfigResourceType
    from kafka.errors import UnsupportedVersionError
except ImportError:  # reported by kafka_admin.ensure_kafka_python
    ConfigResource = ConfigResourceType = None
    UnsupportedVersionError = None

KRAFT = "kraft"
ZOOKEEPER = "zookeeper"

# How far behind the quorum leader's log end offset, in records, a voter may be
# and still count as caught up. Measured on Kafka 4.4 with three combined voters:
# a healthy follower is 0-1 records behind on an idle cluster (the leader writes
# a no-op record every 500 ms), 21 while 20-partition topics were being created,
# and up to 309 right after a broker rejoined the ISR of ~400 partitions (one
# record per partition change), always back to 0 within a fetch. A stopped voter
# falls behind by only about 2 records a second on an idle cluster, so the
# record count cannot tell a dead voter from a busy one; CAUGHT_UP_WITHIN_MS does.
DEFAULT_MAX_CONTROLLER_LAG = 1000
# A voter also counts as caught up only if the leader saw it caught up this
# recently (DescribeQuorum's LastCaughtUpTimestamp, compared with the leader's
# own entry, which carries the leader's current time, so no clocks are mixed).
# Measured: at most 611 ms for a healthy follower, idle or busy; a stopped voter
# grows by 1000 ms every second. Kafka's own rule for a caught-up voter is the
# same idea (caught up within the quorum fetch timeout).
CAUGHT_UP_WITHIN_MS = 5000
# Lists of partitions in results and messages are cut to this many entries.
LIST_LIMIT = 100
MESSAGE_LIMIT = 10
PREFERRED_ELECTION = 0


def partition_name(topic, partition):
    """The "topic-partition" spelling Kafka's tools use."""
    return f"{topic}-{partition}"


def _sorted_names(pairs):
    return [partition_name(topic, partition) for topic, partition in sorted(pairs)]


def listing(items, limit=MESSAGE_LIMIT):
    """Items joined by commas, the first ``limit`` only: "a, b, c and 7 more"."""
    items = [str(item) for item in items]
    shown = ", ".join(items[:limit])
    if len(items) > limit:
        shown += f" and {len(items) - limit} more"
    return shown


def node_set(nodes):
    """The nodes a question is about, as a frozenset: none (None), one id, or several ids
    (a batch that stops together, such as the brokers of one rack)."""
    if nodes is None:
        return frozenset()
    if isinstance(nodes, int):
        return frozenset([nodes])
    return frozenset(nodes)


def describe_nodes(nodes, noun="node"):
    """ "node 2" for one node, "nodes 1, 4" for a batch."""
    ids = sorted(node_set(nodes))
    return f"{noun}{'s' if len(ids) > 1 else ''} {listing(ids)}"


def majority(voter_count):
    """Voters that must be caught up for a quorum of ``voter_count`` to elect and commit."""
    return voter_count // 2 + 1


def input_problems(params):
    """Everything wrong with the module's options, checked before anything is read."""
    problems = []
    wait_for = params["wait_for"]
    node_id = params.get("node_id")
    node_ids = params.get("node_ids")
    if node_id is not None and node_ids is not None:
        problems.append(
            "node_id and node_ids are mutually exclusive: node_id for one node, node_ids for"
            " nodes that stop together"
        )
    if wait_for == "stoppable" and node_id is None and not node_ids:
        problems.append(
            "wait_for=stoppable needs node_id (the id of the node about to stop) or node_ids"
            " (the nodes about to stop together)"
        )
    if node_id is not None and node_id < 0:
        problems.append(f"node_id must be a node id (0 or more), got {node_id}")
    wrong_ids = [node for node in node_ids or [] if node < 0]
    if wrong_ids:
        problems.append(f"node_ids must be node ids (0 or more), got {wrong_ids}")
    elif node_ids is not None and len(set(node_ids)) != len(node_ids):
        problems.append(f"node_ids lists a node more than once: {node_ids}")
    negative = [broker for broker in params.get("expected_brokers") or [] if broker < 0]
    if negative:
        problems.append(f"expected_brokers must be broker ids (0 or more), got {negative}")
    if params["timeout"] < 0:
        problems.append(
            f"timeout must be 0 (check once) or a number of seconds, got {params['timeout']}"
        )
    if params["poll_interval"] <= 0:
        problems.append(f"poll_interval must be more than 0 seconds, got {params['poll_interval']}")
    if params["max_controller_lag"] < 0:
        problems.append(
            f"max_controller_lag must be 0 or more records, got {params['max_controller_lag']}"
        )
    if params["elect_preferred_leaders"] and wait_for != "healthy":
        problems.append(
            f"elect_preferred_leaders needs wait_for=healthy (got wait_for={wait_for}): leaders"
            " move back only once the cluster is healthy"
        )
    return problems


# --- the controller quorum ------------------------------------------------------


def controller_endpoints(quorum):
    """{node id: "host:port"} of the controllers' first listener, from a DescribeQuorum
    response (version 2, Kafka 3.9+, KIP-853); empty from older brokers."""
    endpoints = {}
    for node in quorum.get("nodes") or []:
        listeners = node.get("listeners") or []
        if listeners:
            endpoints[node["node_id"]] = f"{listeners[0]['host']}:{listeners[0]['port']}"
    return endpoints


def observer_states(quorum):
    """The observers of a DescribeQuorum partition (brokers, and controllers that are not
    voters yet) as {id, directory_id, lag}: records behind the leader, None when unknown."""
    leader_offset = quorum.get("high_watermark", -1)
    for voter in quorum.get("current_voters") or []:
        if voter["replica_id"] == quorum.get("leader_id", -1):
            leader_offset = voter["log_end_offset"]
    states = []
    for observer in sorted(quorum.get("observers") or [], key=lambda o: o["replica_id"]):
        offset = observer["log_end_offset"]
        states.append(
            {
                "id": observer["replica_id"],
                "directory_id": kafka_uuid(observer.get("replica_directory_id")),
                "lag": leader_offset - offset if offset is not None and offset >= 0 else None,
            }
        )
    return states


def voter_states(quorum, max_lag=DEFAULT_MAX_CONTROLLER_LAG, within_ms=CAUGHT_UP_WITHIN_MS):
    """Each voter of a DescribeQuorum partition as {id, directory_id, log_end_offset, lag,
    lag_ms, caught_up}.

    ``lag`` is records behind the leader's log end offset (None when Kafka does not
    know the voter's offset); ``lag_ms`` how long ago the leader last saw it caught
    up (None when the broker does not report it). The leader is always caught up.
    """
    leader_id = quorum.get("leader_id", -1)
    voters = quorum.get("current_voters") or []
    leader = next((v for v in voters if v["replica_id"] == leader_id), None)
    leader_offset = leader["log_end_offset"] if leader else quorum.get("high_watermark", -1)
    leader_now = leader.get("last_caught_up_timestamp", -1) if leader else -1
    # Kafka 3.3+ reports when the leader last saw each voter caught up, and for
    # the leader itself its current time; older brokers report -1.
    times_known = leader_now is not None and leader_now >= 0
    states = []
    for voter in sorted(voters, key=lambda v: v["replica_id"]):
        offset = voter["log_end_offset"]
        caught_up_at = voter.get("last_caught_up_timestamp", -1)
        lag = leader_offset - offset if offset is not None and offset >= 0 else None
        lag_ms = None
        if times_known and caught_up_at is not None and caught_up_at >= 0:
            lag_ms = leader_now - caught_up_at
        if voter["replica_id"] == leader_id:
            lag, lag_ms, caught_up = 0, 0, True
        else:
            caught_up = (
                lag is not None
                and lag <= max_lag
                # never seen caught up (-1) while the leader reports times: not caught up
                and (not times_known or (lag_ms is not None and lag_ms <= within_ms))
            )
        states.append(
            {
                "id": voter["replica_id"],
                "directory_id": kafka_uuid(voter.get("replica_directory_id")),
                "log_end_offset": offset,
                "lag": lag,
                "lag_ms": lag_ms,
                "caught_up": caught_up,
            }
        )
    return states


def _describe_voter(voter):
    if voter["lag"] is None:
        return f"{voter['id']} (offset unknown)"
    if voter["lag_ms"] is None:
        return f"{voter['id']} ({voter['lag']} records behind)"
    return f"{voter['id']} ({voter['lag']} records behind, caught up {voter['lag_ms']} ms ago)"


def quorum_health_problems(snapshot, max_lag=DEFAULT_MAX_CONTROLLER_LAG):
    """KRaft: a leader exists and every voter is caught up. Nothing in ZooKeeper mode."""
    if snapshot["metadata_mode"] != KRAFT:
        return []
    leader = snapshot.get("quorum_leader")
    if leader is None or leader < 0:
        return ["the KRaft controller quorum has no leader: check that most voters run"]
    behind = [voter for voter in snapshot["voters"] if not voter["caught_up"]]
    if not behind:
        return []
    described = listing([_describe_voter(voter) for voter in behind])
    within_s = CAUGHT_UP_WITHIN_MS // 1000
    return [
        f"controller voter(s) {described} have not caught up with the quorum leader {leader}"
        f" (max_controller_lag {max_lag} records, and seen caught up within {within_s} s):"
        " wait for them, or check that they run"
    ]


def quorum_stop_problems(snapshot, node_id):
    """KRaft: without ``node_id`` (one id, or the ids of nodes that stop together) the
    caught-up voters must still be a majority of all voters."""
    if snapshot["metadata_mode"] != KRAFT:
        return []
    leader = snapshot.get("quorum_leader")
    if leader is None or leader < 0:
        return ["the KRaft controller quorum has no leader: no node should stop now"]
    voters = snapshot["voters"]
    stopping = node_set(node_id) & {voter["id"] for voter in voters}
    if not stopping:
        return []
    remaining = [v["id"] for v in voters if v["id"] not in stopping and v["caught_up"]]
    needed = majority(len(voters))
    if len(remaining) >= needed:
        return []
    lagging = [v for v in voters if v["id"] not in stopping and not v["caught_up"]]
    detail = f"; not caught up: {listing([_describe_voter(v) for v in lagging])}" if lagging else ""
    if lagging:
        remedy = "wait until the other voters have caught up"
    elif len(stopping) == 1:
        remedy = f"a quorum of {len(voters)} voter(s) cannot lose one; add controller voters first"
    else:
        remedy = (
            f"a quorum of {len(voters)} voter(s) cannot lose {len(stopping)} at once; stop them"
            " one at a time"
        )
    return [
        "stopping {} would leave {} caught-up voter(s) ({}) of {}, and the"
        " quorum needs {}{}: {}".format(
            describe_nodes(stopping, "controller voter"),
            len(remaining),
            listing(remaining) or "none",
            len(voters),
            needed,
            detail,
            remedy,
        )
    ]


# --- partitions ------------------------------------------------------------------


def _partitions(topics):
    for topic, partitions in topics.items():
        for index, partition in partitions.items():
            yield topic, index, partition


def under_replicated(topics):
    """Partitions with fewer in-sync replicas than replicas, as sorted (topic, partition)."""
    return sorted(
        (topic, index)
        for topic, index, partition in _partitions(topics)
        if len(set(partition["isr"])) < len(set(partition["replicas"]))
    )


def offline(topics):
    """Partitions without a leader, as sorted (topic, partition)."""
    return sorted(
        (topic, index)
        for topic, index, partition in _partitions(topics)
        if partition["leader"] is None or partition["leader"] < 0
    )


def topics_in_isr(topics, node_id):
    """Topics with at least one partition whose ISR holds ``node_id`` (one id or several):
    whose min ISR to read."""
    nodes = node_set(node_id)
    return sorted(
        {topic for topic, _index, partition in _partitions(topics) if nodes & set(partition["isr"])}
    )


def at_risk(topics, min_isr, node_id):
    """Partitions that would fall below their topic's min.insync.replicas without ``node_id``
    (one id, or the ids of nodes that stop together).

    ``min_isr`` maps topic -> its effective min.insync.replicas; a topic missing
    there counts as 1, so a partition whose only in-sync replica is the node is
    always at risk. Returns sorted (topic, partition, isr, min_isr).
    """
    risky = []
    stopping = node_set(node_id)
    for topic, index, partition in _partitions(topics):
        isr = list(partition["isr"])
        if not stopping & set(isr):
            continue
        needed = max(1, min_isr.get(topic, 1))
        if len(set(isr) - stopping) < needed:
            risky.append((topic, index, isr, needed))
    return sorted(risky, key=lambda item: (item[0], item[1]))


def lasting_risks(topics, min_isr, node_id):
    """Partitions no wait can make safe to lose ``node_id``, as sorted (topic, partition):
    the node is one of their replicas and the other replicas are fewer than the topic's
    min.insync.replicas, so even with every replica in sync, stopping the node leaves them
    below it (or offline). A stop gate refuses these at once instead of at its deadline.
    ``node_id`` may also be the ids of nodes that stop together."""
    stopping = node_set(node_id)
    return sorted(
        (topic, index)
        for topic, index, partition in _partitions(topics)
        if stopping & set(partition["replicas"])
        and len(set(partition["replicas"]) - stopping) < max(1, min_isr.get(topic, 1))
    )


def _describe_risk(item):
    topic, index, isr, needed = item
    return f"{partition_name(topic, index)} (isr {isr}, min.insync.replicas {needed})"


def replication_problems(snapshot):
    """Under-replicated and offline partitions, anywhere in the cluster."""
    problems = []
    lagging = under_replicated(snapshot["topics"])
    if lagging:
        names = listing(_sorted_names(lagging))
        problems.append(
            f"{len(lagging)} partition(s) are under-replicated: {names}: a broker is down or"
            " behind; wait until every replica is back in sync"
        )
    leaderless = offline(snapshot["topics"])
    if leaderless:
        names = listing(_sorted_names(leaderless))
        problems.append(
            f"{len(leaderless)} partition(s) have no leader: {names}: start the brokers that"
            " hold them"
        )
    return problems


# --- nodes -----------------------------------------------------------------------


def node_roles(snapshot, node_id, expected_brokers=None):
    """What the cluster knows ``node_id`` as: {"broker": bool, "voter": bool, "known": bool}.

    A broker is a node that is registered (fenced or not; KRaft keeps a stopped
    broker's registration, fenced), that is listed in ``expected_brokers``, or that
    holds a replica (ZooKeeper mode forgets a stopped broker, its replicas remain).
    A controller-only node is a voter and no broker.
    """
    replica_holder = any(
        node_id in partition["replicas"] for _t, _i, partition in _partitions(snapshot["topics"])
    )
    broker = (
        node_id in snapshot["brokers"]
        or node_id in snapshot.get("fenced_brokers", [])
        or node_id in (expected_brokers or [])
        or replica_holder
    )
    voter = node_id in [voter["id"] for voter in snapshot.get("voters") or []]
    return {"broker": broker, "voter": voter, "known": broker or voter}


def unknown_node_message(snapshot, node_id):
    return (
        "node {} is not part of this cluster: it is no registered broker (brokers: {}){}, holds"
        " no replica{}; check node_id".format(
            node_id,
            listing(snapshot["brokers"]) or "none",
            ", fenced: " + listing(snapshot["fenced_brokers"])
            if snapshot.get("fenced_brokers")
            else "",
            ", and is no controller voter (voters: {})".format(
                listing([voter["id"] for voter in snapshot["voters"]])
            )
            if snapshot["metadata_mode"] == KRAFT
            else "",
        )
    )


def registration_problems(snapshot, node_id=None, expected_brokers=None):
    """The node (when it is a broker) and every expected broker registered and unfenced.

    A broker is registered unfenced only once its logs are loaded: in KRaft mode
    the broker recovers its logs while it publishes its first metadata image and
    only then asks the controller to unfence it (BrokerServer waits for that
    publish before setReadyToUnfence; its log shows "Loaded N logs" before "The
    broker has been unfenced"); in ZooKeeper mode KafkaServer.startup runs
    LogManager.startup, the log recovery, before it registers in ZooKeeper.
    So "registered and unfenced" implies "log recovery finished".
    """
    problems = []
    fenced = set(snapshot.get("fenced_brokers", []))
    wanted = list(expected_brokers or [])
    # ``node_id`` may be several nodes restarted together: each one counts.
    for node in sorted(node_set(node_id), reverse=True):
        roles = node_roles(snapshot, node, expected_brokers)
        if not roles["known"]:
            problems.append(
                unknown_node_message(snapshot, node)
                + ", or list it in expected_brokers if it is a new broker still starting"
            )
        elif roles["broker"] and node not in wanted:
            wanted.insert(0, node)
    for broker in wanted:
        if broker in snapshot["brokers"]:
            continue
        if broker in fenced:
            problems.append(
                f"broker {broker} is registered but fenced: it is still starting (loading its"
                " logs, catching up with metadata) or has stopped"
            )
        else:
            problems.append(
                f"broker {broker} is not registered: it is not running or cannot reach the"
                " cluster yet"
            )
    return problems


# --- the two questions -------------------------------------------------------------


def healthy_problems(
    snapshot, node_id=None, expected_brokers=None, max_lag=DEFAULT_MAX_CONTROLLER_LAG
):
    """Why the cluster is not (yet) healthy after ``node_id`` restarted; [] when it is."""
    return (
        registration_problems(snapshot, node_id, expected_brokers)
        + replication_problems(snapshot)
        + quorum_health_problems(snapshot, max_lag)
    )


def stoppable_problems(snapshot, node_id, min_isr):
    """Why ``node_id`` (one id, or the ids of nodes that stop together) must not stop now;
    [] when it may.

    All of: no reassignment in progress, no partition under-replicated or
    offline, no partition whose ISR holds the node falling below its topic's
    min.insync.replicas without it, and in KRaft the caught-up voters without the
    node still a majority of all voters.
    """
    problems = []
    if snapshot["reassignments"]:
        problems.append(
            "partition reassignment in progress for {}: wait until it has finished".format(
                listing(snapshot["reassignments"])
            )
        )
    problems.extend(replication_problems(snapshot))
    risky = at_risk(snapshot["topics"], min_isr, node_id)
    if risky:
        described = listing([_describe_risk(item) for item in risky])
        if len(node_set(node_id)) > 1:
            stopping = f"stopping {describe_nodes(node_id)} together"
            remedy = "stop them one at a time, or spread those partitions' replicas wider"
        else:
            stopping = f"stopping {describe_nodes(node_id)}"
            remedy = "give them more replicas (kafka_topic replication_factor) first"
        problems.append(
            f"{stopping} would leave {len(risky)} partition(s) below their"
            f" min.insync.replicas: {described}: {remedy}"
        )
    problems.extend(quorum_stop_problems(snapshot, node_id))
    return problems


def phase_conditions(
    snapshot, node_id=None, expected_brokers=None, max_lag=DEFAULT_MAX_CONTROLLER_LAG
):
    """Which milestones of a restart hold now: {"registered"?, "in_sync", "quorum"?}."""
    phases = {"in_sync": not replication_problems(snapshot)}
    if expected_brokers or any(
        node_roles(snapshot, node, expected_brokers)["broker"] for node in node_set(node_id)
    ):
        phases["registered"] = not registration_problems(snapshot, node_id, expected_brokers)
    if snapshot["metadata_mode"] == KRAFT:
        phases["quorum"] = not quorum_health_problems(snapshot, max_lag)
    return phases


def preferred_elections(topics, brokers, node_id=None):
    """{topic: [partitions]} whose preferred leader could lead but does not.

    The preferred leader is the first replica. Only partitions whose preferred
    leader is ``node_id`` (one id or several; any node when None), is a registered
    unfenced broker and is in sync: Kafka refuses a preferred election for any other.
    """
    chosen = {}
    nodes = node_set(node_id)
    for topic, index, partition in _partitions(topics):
        replicas = partition["replicas"]
        if not replicas:
            continue
        preferred = replicas[0]
        if nodes and preferred not in nodes:
            continue
        if partition["leader"] == preferred:
            continue
        if preferred not in brokers or preferred not in partition["isr"]:
            continue
        chosen.setdefault(topic, []).append(index)
    return dict((topic, sorted(indexes)) for topic, indexes in sorted(chosen.items()))


def election_names(elections):
    """{topic: [partitions]} -> sorted "topic-partition" names."""
    return _sorted_names(
        (topic, index) for topic, indexes in elections.items() for index in indexes
    )


def election_outcome(results):
    """Elected names and failures from [(topic, partition, error_code, error_message)].

    ELECTION_NOT_NEEDED (84) means the preferred leader already leads: not ours.
    """
    elected, failed = [], []
    for topic, index, code, message in results:
        if code == 0:
            elected.append((topic, index))
        elif code != 84:
            failed.append(f"{partition_name(topic, index)}: {message or f'error code {code}'}")
    return _sorted_names(elected), sorted(failed)


def capped(names, limit=LIST_LIMIT):
    return list(names)[:limit]


# --- reads -------------------------------------------------------------------------


def is_unsupported(error):
    """True for the error a ZooKeeper-mode broker gives for a KRaft-only request."""
    return UnsupportedVersionError is not None and isinstance(error, UnsupportedVersionError)


def forget_controller(admin):
    """Make the client look the controller up again on its next controller request.

    kafka-python remembers the controller's id and keeps sending to it even after
    that broker stopped (UnknownBrokerIdError on every later request), so a
    polling loop must not let it remember across polls.
    """
    if hasattr(admin, "_controller_id"):
        admin._controller_id = None


def read_topics_state(admin):
    """{topic: {partition: {"replicas", "isr", "leader"}}} for every topic, internal included."""
    topics = {}
    for topic in admin.describe_topics():
        partitions = {}
        for partition in topic.get("partitions") or []:
            partitions[partition["partition_index"]] = {
                "replicas": list(partition["replica_nodes"]),
                "isr": list(partition["isr_nodes"]),
                "leader": partition["leader_id"],
            }
        if partitions:
            topics[topic["name"]] = partitions
    return topics


def read_snapshot(admin, metadata_mode=None, max_lag=DEFAULT_MAX_CONTROLLER_LAG):
    """The cluster as plain data. ``metadata_mode`` skips the detection once known."""
    cluster = admin.describe_cluster()
    registered = cluster.get("brokers") or []
    snapshot = {
        "cluster_id": cluster.get("cluster_id"),
        "brokers": sorted(b["broker_id"] for b in registered if not b.get("is_fenced")),
        "fenced_brokers": sorted(b["broker_id"] for b in registered if b.get("is_fenced")),
        "controller_id": cluster.get("controller_id"),
        "metadata_mode": metadata_mode,
        "quorum_leader": None,
        "voters": [],
        "observers": [],
    }
    if metadata_mode != ZOOKEEPER:
        try:
            quorum = admin.describe_metadata_quorum()
        except Exception as error:
            if not is_unsupported(error):
                raise
            snapshot["metadata_mode"] = ZOOKEEPER
        else:
            partition = quorum["topics"][0]["partitions"][0]
            if partition.get("error"):
                raise RuntimeError(f"Kafka could not describe the quorum: {partition['error']}")
            snapshot["metadata_mode"] = KRAFT
            snapshot["quorum_leader"] = partition["leader_id"]
            # A broker answers DescribeCluster with any live broker as "controller";
            # the active controller is the quorum leader.
            snapshot["controller_id"] = partition["leader_id"]
            snapshot["voters"] = voter_states(partition, max_lag)
            endpoints = controller_endpoints(quorum)
            for voter in snapshot["voters"]:
                voter["endpoint"] = endpoints.get(voter["id"])
            snapshot["observers"] = observer_states(partition)
    if snapshot["controller_id"] is not None and snapshot["controller_id"] < 0:
        snapshot["controller_id"] = None
    snapshot["topics"] = read_topics_state(admin)
    forget_controller(admin)
    snapshot["reassignments"] = _sorted_names(
        (tp.topic, tp.partition) for tp in admin.list_partition_reassignments()
    )
    return snapshot


def read_min_isr(admin, topic_names):
    """{topic: effective min.insync.replicas} in one DescribeConfigs request.

    The value Kafka reports is the one in force: the topic's override, else the
    broker's setting, else Kafka's default.
    """
    if not topic_names:
        return {}
    resources = [
        ConfigResource(ConfigResourceType.TOPIC, name, ["min.insync.replicas"])
        for name in topic_names
    ]
    described = admin.describe_configs(resources, config_filter="all").get("topic", {})
    result = {}
    for name, configs in described.items():
        entry = configs.get("min.insync.replicas")
        if entry and entry.get("value") not in (None, ""):
            result[name] = int(entry["value"])
    return result


def elect_preferred(admin, elections, timeout_ms):
    """Run one PREFERRED election; [(topic, partition, error_code, error_message)]."""
    forget_controller(admin)
    response = admin.elect_leaders(
        PREFERRED_ELECTION, elections, timeout_ms=timeout_ms, raise_errors=False
    )
    results = []
    for topic in response.replica_election_results:
        for partition in topic.partition_result:
            results.append(
                (topic.topic, partition.partition_id, partition.error_code, partition.error_message)
            )
    return results
