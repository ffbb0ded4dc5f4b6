# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""Where the replicas of a cluster's partitions should go (plain data in, plain data out).

``plan_rebalance`` takes the current assignment, the size of every partition and the
brokers that should hold replicas (with their racks), and returns a new assignment that
is balanced and rack-aware, reached with as few replica moves, and as few bytes, as it
can find:

1. Replicas on brokers being drained move away (they must).
2. A partition with two replicas in one rack, where there are enough racks for one each,
   has the extra replica moved to a rack it does not use.
3. Per topic, a replica moves from the broker holding the most of that topic to the one
   holding the fewest, while they differ by two or more; overall counts break ties.
4. Overall, a replica moves from the fullest broker to the emptiest while they differ by
   two or more, choosing a topic in which that keeps the per-topic spread within one.
5. The preferred leader (first replica) of partitions moves between replicas of the same
   partition, no data moved, until every broker leads within one of the mean.

Each move takes the smallest partition that does the job, and a new replica takes the
place in the list of the one it replaces, so leadership moves with it. A broker with no
rack counts as a rack of its own.
"""

from collections import Counter

RACKLESS_PREFIX = "\x00broker-"  # cannot clash with a rack name Kafka accepts


def _rack(racks, broker):
    rack = racks.get(broker)
    return rack if rack else RACKLESS_PREFIX + str(broker)


def _most_per_rack(factor, rack_count):
    """Replicas of one partition one rack may hold: one each while there are racks enough."""
    return -(-factor // max(1, rack_count))


class _State:
    """The assignment being planned, with the counts every step reads kept up to date."""

    def __init__(self, assignment, sizes, racks, eligible):
        self.replicas = dict((key, list(value)) for key, value in assignment.items())
        self.sizes = sizes
        self.racks = racks
        self.eligible = sorted(eligible)
        self.rack_count = len(set(_rack(racks, b) for b in self.eligible))
        self.total = Counter(dict((b, 0) for b in self.eligible))
        self.per_topic = {}
        for (topic, _index), replicas in self.replicas.items():
            counts = self.per_topic.setdefault(topic, Counter(dict((b, 0) for b in self.eligible)))
            for broker in replicas:
                if broker in self.total:
                    self.total[broker] += 1
                    counts[broker] += 1

    def size(self, key):
        return self.sizes.get(key, 0)

    def can_take(self, key, source, destination):
        """Whether destination may take source's replica of a partition under the rack rule."""
        replicas = self.replicas[key]
        if destination in replicas:
            return False
        others = [b for b in replicas if b != source]
        rack = _rack(self.racks, destination)
        in_rack = sum(1 for b in others if _rack(self.racks, b) == rack)
        return in_rack < _most_per_rack(len(replicas), self.rack_count)

    def move(self, key, source, destination):
        replicas = self.replicas[key]
        replicas[replicas.index(source)] = destination
        counts = self.per_topic[key[0]]
        if source in self.total:
            self.total[source] -= 1
            counts[source] -= 1
        self.total[destination] += 1
        counts[destination] += 1

    def best_destination(self, key, source):
        """The eligible broker holding the fewest of the topic, then the fewest overall."""
        counts = self.per_topic[key[0]]
        candidates = [b for b in self.eligible if self.can_take(key, source, b)]
        if not candidates:
            return None
        return min(candidates, key=lambda b: (counts[b], self.total[b], b))


def _forced_moves(state, drain):
    """Steps 1 and 2: replicas that must move, whatever the balance."""
    problems = []
    for key in sorted(state.replicas):
        for source in list(state.replicas[key]):
            if source in drain:
                destination = state.best_destination(key, source)
                if destination is None:
                    problems.append(
                        f"{key[0]}-{key[1]} (replicas {state.replicas[key]}) has no broker left"
                        f" to take its replica from broker {source}"
                    )
                    continue
                state.move(key, source, destination)
    for key in sorted(state.replicas):
        replicas = state.replicas[key]
        most = _most_per_rack(len(replicas), state.rack_count)
        by_rack = Counter(_rack(state.racks, b) for b in replicas)
        # Later replicas move first, so the preferred leader stays where it is.
        for source in reversed(list(replicas)):
            rack = _rack(state.racks, source)
            if by_rack[rack] <= most:
                continue
            destination = state.best_destination(key, source)
            if destination is None or _rack(state.racks, destination) == rack:
                continue
            state.move(key, source, destination)
            by_rack[rack] -= 1
            by_rack[_rack(state.racks, destination)] += 1
    return problems


def _smallest_movable(state, topic, source, destination, keys_by_topic):
    best = None
    for key in keys_by_topic[topic]:
        if source in state.replicas[key] and state.can_take(key, source, destination):
            if best is None or (state.size(key), key) < (state.size(best), best):
                best = key
    return best


def _balance_topics(state, keys_by_topic):
    """Step 3: each topic spread within one replica per broker."""
    for topic in sorted(keys_by_topic):
        counts = state.per_topic[topic]
        while True:
            pairs = sorted(
                (-(counts[a] - counts[b]), -(state.total[a] - state.total[b]), a, b)
                for a in state.eligible
                for b in state.eligible
                if counts[a] - counts[b] >= 2
            )
            for _gap, _overall, source, destination in pairs:
                key = _smallest_movable(state, topic, source, destination, keys_by_topic)
                if key is not None:
                    state.move(key, source, destination)
                    break
            else:
                break


def _balance_overall(state, keys_by_topic):
    """Step 4: every broker within one replica of the others, per-topic spread kept."""
    while True:
        pairs = sorted(
            (-(state.total[a] - state.total[b]), a, b)
            for a in state.eligible
            for b in state.eligible
            if state.total[a] - state.total[b] >= 2
        )
        moved = False
        for _gap, source, destination in pairs:
            best = None
            for topic in keys_by_topic:
                counts = state.per_topic[topic]
                if counts[source] - counts[destination] != 1:
                    continue
                key = _smallest_movable(state, topic, source, destination, keys_by_topic)
                if key is not None and (
                    best is None or (state.size(key), key) < (state.size(best), best)
                ):
                    best = key
            if best is not None:
                state.move(best, source, destination)
                moved = True
                break
        if not moved:
            return


def _balance_leaders(state):
    """Step 5: preferred leaders within one of the mean, by reordering replicas only."""
    leads = Counter(dict((b, 0) for b in state.eligible))
    for replicas in state.replicas.values():
        if replicas and replicas[0] in leads:
            leads[replicas[0]] += 1
    ordered = sorted(state.replicas)
    while True:
        pairs = sorted(
            (-(leads[a] - leads[b]), a, b)
            for a in state.eligible
            for b in state.eligible
            if leads[a] - leads[b] >= 2
        )
        for _gap, source, destination in pairs:
            key = next(
                (
                    k
                    for k in ordered
                    if state.replicas[k][0] == source and destination in state.replicas[k]
                ),
                None,
            )
            if key is not None:
                replicas = state.replicas[key]
                position = replicas.index(destination)
                replicas[0], replicas[position] = destination, source
                leads[source] -= 1
                leads[destination] += 1
                break
        else:
            return


def balance_figures(assignment, brokers):
    """Replicas and preferred leaders per broker, overall and the widest per-topic spread."""
    replicas = dict((b, 0) for b in brokers)
    leaders = dict((b, 0) for b in brokers)
    per_topic = {}
    for (topic, _index), members in assignment.items():
        counts = per_topic.setdefault(topic, dict((b, 0) for b in brokers))
        for broker in members:
            replicas[broker] = replicas.get(broker, 0) + 1
            if broker in counts:
                counts[broker] += 1
        if members:
            leaders[members[0]] = leaders.get(members[0], 0) + 1
    spreads = [max(c.values()) - min(c.values()) for c in per_topic.values() if c]
    return {
        "replicas_per_broker": replicas,
        "leaders_per_broker": leaders,
        "replica_spread": _spread(replicas, brokers),
        "leader_spread": _spread(leaders, brokers),
        "widest_topic_spread": max(spreads) if spreads else 0,
    }


def _spread(counts, brokers):
    values = [counts.get(b, 0) for b in brokers]
    return max(values) - min(values) if values else 0


def _racks_lost_by_draining(assignment, racks, eligible, drain):
    """Partitions whose replicas can sit one per rack now but could not once ``drain`` is
    empty, because too few racks would be left: draining would break the rack rule."""
    if not drain:
        return []
    racks_left = set(_rack(racks, b) for b in eligible)
    racks_now = racks_left | set(_rack(racks, b) for b in drain)
    shown = ", ".join(sorted(r.replace(RACKLESS_PREFIX, "broker ") for r in racks_left))
    return [
        f"{key[0]}-{key[1]} has {len(replicas)} replicas, which can sit in {len(replicas)}"
        f" racks today, but only {len(racks_left)} rack(s) would be left ({shown}): two of"
        " its replicas would share a rack"
        for key, replicas in sorted(assignment.items())
        if len(racks_left) < len(replicas) <= min(len(racks_now), len(eligible))
    ]


def plan_rebalance(assignment, sizes, racks, brokers, drain=(), *, balance=True):
    """The new assignment and what it takes to get there.

    ``assignment``: {(topic, partition): [broker ids]}; ``sizes``: {(topic, partition):
    bytes}; ``racks``: {broker id: rack or None} for every broker known; ``brokers``: the
    ids that should hold replicas; ``drain``: ids to empty; ``balance``: False keeps to the
    moves that must happen (steps 1 and 2) and the leaders (step 5), so that a drain moves
    only what the drained brokers hold. Returns {"moves", "problems"}, each move {"topic",
    "partition", "before", "after", "adding", "removing", "bytes"}.
    """
    drain = set(drain)
    eligible = [b for b in brokers if b not in drain]
    problems = []
    if not eligible:
        return {"moves": [], "problems": ["no broker would be left to hold the replicas"]}
    for key, replicas in sorted(assignment.items()):
        if len(replicas) > len(eligible):
            problems.append(
                f"{key[0]}-{key[1]} has {len(replicas)} replicas but only {len(eligible)}"
                f" broker(s) would hold replicas ({', '.join(map(str, sorted(eligible)))})"
            )
        strangers = sorted(set(replicas) - set(eligible) - drain)
        if strangers:
            problems.append(
                f"{key[0]}-{key[1]} has replicas on broker(s) {', '.join(map(str, strangers))},"
                " which are neither among the brokers to balance over nor to drain (down, or"
                " left out): bring them back, or name them in the brokers to drain"
            )
    problems.extend(_racks_lost_by_draining(assignment, racks, eligible, drain))
    if problems:
        return {"moves": [], "problems": problems}
    state = _State(assignment, sizes, racks, eligible)
    keys_by_topic = {}
    for key in sorted(assignment):
        keys_by_topic.setdefault(key[0], []).append(key)
    problems = _forced_moves(state, drain)
    if problems:
        return {"moves": [], "problems": problems}
    if balance:
        _balance_topics(state, keys_by_topic)
        _balance_overall(state, keys_by_topic)
    _balance_leaders(state)
    moves = []
    for key in sorted(assignment):
        before, after = list(assignment[key]), state.replicas[key]
        if before == after:
            continue
        adding = [b for b in after if b not in before]
        moves.append(
            {
                "topic": key[0],
                "partition": key[1],
                "before": before,
                "after": list(after),
                "adding": adding,
                "removing": [b for b in before if b not in after],
                "bytes": state.size(key) * len(adding),
            }
        )
    return {"moves": moves, "problems": []}


def bytes_per_broker(moves):
    """{"in": {broker: bytes}, "out": {broker: bytes}} of the data the moves copy and free."""
    incoming, outgoing = {}, {}
    for move in moves:
        size = move["bytes"] // len(move["adding"]) if move["adding"] else 0
        for broker in move["adding"]:
            incoming[broker] = incoming.get(broker, 0) + size
        for broker in move["removing"]:
            outgoing[broker] = outgoing.get(broker, 0) + size
    return {"in": incoming, "out": outgoing}


def batches(moves, max_concurrent):
    """Moves that copy data, at most max_concurrent at a time; reorders last, together."""
    copying = [m for m in moves if m["adding"] or m["removing"]]
    reorders = [m for m in moves if not (m["adding"] or m["removing"])]
    result = [copying[i : i + max_concurrent] for i in range(0, len(copying), max_concurrent)]
    if reorders:
        result.append(reorders)
    return result
