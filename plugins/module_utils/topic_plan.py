# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""Desired topics vs. what Kafka reports -> the list of changes. Plain data only, no I/O.

The modules read the cluster, hand the facts to these functions, and only then
talk to Kafka again to carry out the plan; that keeps every decision testable
without a broker.

Shapes used here:

- desired topic: ``{"name", "state", "partitions", "replication_factor", "config"}``
  (``partitions``/``replication_factor`` may be None: "whatever it is" / broker default;
  ``config`` maps key -> value already turned into Kafka's string form).
- current topic: ``{"name", "partitions", "replication_factor", "replicas": {index: [ids]},
  "leaders": {index: id}, "config": {key: {"value", "source", "type"}}}`` or None when absent.
"""

import re

# Kafka's own rule (org.apache.kafka.common.internals.Topic): 249 characters of this set.
_LEGAL_TOPIC_NAME = re.compile(r"^[a-zA-Z0-9._-]{1,249}$")
TOPIC_OVERRIDE_SOURCE = "DYNAMIC_TOPIC_CONFIG"
_INTEGER_TYPES = ("INT", "LONG", "SHORT")


def is_internal_topic(name):
    """Kafka's own topics (__consumer_offsets, __transaction_state) start with two underscores."""
    return name.startswith("__")


def matching_topics(names, pattern=None, allow_internal=False):
    """Sorted names whose whole name matches ``pattern`` (compiled; None for all), internal
    topics only when allowed."""
    return sorted(
        name
        for name in names
        if (allow_internal or not is_internal_topic(name))
        and (pattern is None or pattern.fullmatch(name))
    )


def topic_name_problems(name, allow_internal=False):
    """Why a topic name cannot be used, as a list of sentences (empty when it can)."""
    if not isinstance(name, str) or not name:
        return [f"a topic name must be a non-empty string, got {name!r}"]
    if name in (".", ".."):
        return [f"topic name {name!r} is not allowed by Kafka"]
    if not _LEGAL_TOPIC_NAME.match(name):
        return [
            f"topic name {name!r} is not legal: Kafka allows up to 249 characters of"
            " ASCII letters, digits, '.', '_' and '-'"
        ]
    if is_internal_topic(name) and not allow_internal:
        return [
            f"topic {name!r} is internal to Kafka (its name starts with '__'); set"
            " allow_internal=true if you really mean to manage it"
        ]
    return []


def config_value_to_kafka(value):
    """A YAML value in the string form Kafka's config API uses (true, 1000, compact,delete)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(config_value_to_kafka(item) for item in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _list_items(text):
    return [item.strip() for item in text.split(",") if item.strip()]


def _normalised(value, config_type):
    """``value`` as Kafka compares it for a config of ``config_type``; ValueError if it cannot."""
    if config_type in _INTEGER_TYPES:
        return int(value.strip())
    if config_type == "DOUBLE":
        return float(value)
    if config_type == "BOOLEAN":
        lowered = value.strip().lower()
        if lowered not in ("true", "false"):
            raise ValueError(value)
        return lowered
    if config_type == "LIST":
        return _list_items(value)
    return value.strip()


def config_values_equal(desired, current, config_type=None):
    """Compare the way Kafka normalises: numbers by value, booleans by case, lists by items."""
    if desired is None or current is None:
        return desired == current
    try:
        return _normalised(desired, config_type) == _normalised(current, config_type)
    except ValueError:
        return False


_TYPE_WORDS = {"INT": "a whole number", "LONG": "a whole number", "SHORT": "a whole number"}
_TYPE_WORDS.update(DOUBLE="a number", BOOLEAN="true or false")


def config_value_problem(key, desired, config_type):
    """Why ``desired`` cannot be a value of a config of ``config_type`` (None when it can)."""
    try:
        _normalised(desired, config_type)
    except ValueError:
        return f"config {key} takes {_TYPE_WORDS.get(config_type, config_type)}, got {desired!r}"
    return None


def plan_replicas(replicas, leaders, new_factor, broker_ids):
    """New replica lists giving every partition ``new_factor`` replicas.

    Growing adds the brokers holding the fewest replicas of this topic; shrinking
    keeps the current leader and the first replicas, so leadership does not move.
    """
    load = dict((broker, 0) for broker in broker_ids)
    for partition_replicas in replicas.values():
        for broker in partition_replicas:
            load[broker] = load.get(broker, 0) + 1
    result = {}
    for index in sorted(replicas):
        current = list(replicas[index])
        leader = leaders.get(index)
        if leader in current:
            current.remove(leader)
            current.insert(0, leader)
        if new_factor <= len(current):
            for broker in current[new_factor:]:
                load[broker] -= 1
            result[index] = current[:new_factor]
            continue
        while len(current) < new_factor:
            candidates = [broker for broker in broker_ids if broker not in current]
            # Least loaded first; ties broken by rotating with the partition index.
            chosen = min(
                candidates,
                key=lambda broker: (
                    load[broker],
                    (broker_ids.index(broker) - index) % len(broker_ids),
                ),
            )
            current.append(chosen)
            load[chosen] += 1
        result[index] = current
    return result


def _topic_summary(current, config_keys):
    config = {}
    for key in sorted(config_keys):
        entry = current["config"].get(key)
        if entry is not None:
            config[key] = entry["value"]
    return {
        "partitions": current["partitions"],
        "replication_factor": current["replication_factor"],
        "config": config,
    }


def _new_plan(name):
    return {
        "name": name,
        "action": "none",
        "problems": [],
        "partitions": None,
        "replication_factor": None,
        "reassignment": None,
        "config_set": {},
        "config_reset": [],
        "before": None,
        "after": None,
    }


def _count_problems(desired, broker_ids):
    name, state = desired["name"], desired["state"]
    partitions, factor = desired.get("partitions"), desired.get("replication_factor")
    problems = []
    if partitions is not None and partitions < 1:
        problems.append(f"topic {name}: partitions must be 1 or more, got {partitions}")
    if factor is not None and factor < 1:
        problems.append(f"topic {name}: replication_factor must be 1 or more, got {factor}")
    elif factor is not None and factor > len(broker_ids) and state == "present":
        brokers = ", ".join(str(b) for b in broker_ids)
        problems.append(
            f"topic {name}: replication_factor {factor} is more than the"
            f" {len(broker_ids)} broker(s) in the cluster ({brokers})"
        )
    return problems


def _plan_create(plan, desired):
    partitions, factor = desired.get("partitions"), desired.get("replication_factor")
    plan["action"] = "create"
    plan["partitions"] = {"before": None, "after": partitions}
    plan["replication_factor"] = {"before": None, "after": factor}
    plan["config_set"] = dict(desired["config"])
    plan["before"] = "absent"
    plan["after"] = {
        "partitions": partitions if partitions is not None else "broker default",
        "replication_factor": factor if factor is not None else "broker default",
        "config": dict(sorted(desired["config"].items())),
    }


def _plan_counts(plan, desired, current, broker_ids):
    name = plan["name"]
    partitions, factor = desired.get("partitions"), desired.get("replication_factor")
    if partitions is not None and 1 <= partitions < current["partitions"]:
        plan["problems"].append(
            f"topic {name} has {current['partitions']} partitions and {partitions} were asked"
            " for: Kafka cannot remove partitions (their data and key-to-partition mapping would"
            f" be lost); keep {current['partitions']} or more, or recreate the topic"
        )
    elif partitions is not None and partitions > current["partitions"]:
        plan["partitions"] = {"before": current["partitions"], "after": partitions}
    if factor is not None and 1 <= factor <= len(broker_ids):
        if factor != current["replication_factor"]:
            plan["replication_factor"] = {"before": current["replication_factor"], "after": factor}
            plan["reassignment"] = plan_replicas(
                current["replicas"], current.get("leaders", {}), factor, broker_ids
            )


def _plan_config(plan, desired, current, config_exclusive):
    for key, value in sorted(desired["config"].items()):
        entry = current["config"].get(key)
        if entry is None:
            plan["problems"].append(
                f"topic {plan['name']}: {key} is not a topic config Kafka knows"
            )
            continue
        problem = config_value_problem(key, value, entry.get("type"))
        if problem:
            plan["problems"].append(f"topic {plan['name']}: {problem}")
        elif not config_values_equal(value, entry["value"], entry.get("type")):
            plan["config_set"][key] = value
    if config_exclusive:
        plan["config_reset"] = sorted(
            key
            for key, entry in current["config"].items()
            if entry.get("source") == TOPIC_OVERRIDE_SOURCE and key not in desired["config"]
        )


def plan_topic(desired, current, broker_ids, config_exclusive=False):
    """What to do to one topic. Returns a dict with ``action`` and ``problems``.

    ``action`` is one of create, delete, update, none. ``problems`` lists why the
    request cannot be carried out; the caller refuses the whole task when any topic
    has one, before changing anything.
    """
    plan = _new_plan(desired["name"])
    plan["problems"].extend(_count_problems(desired, broker_ids))
    if desired["state"] == "absent":
        if current is not None:
            plan["action"] = "delete"
            plan["before"] = _topic_summary(current, [])
            plan["after"] = "absent"
        return plan
    if current is None:
        _plan_create(plan, desired)
        return plan
    _plan_counts(plan, desired, current, broker_ids)
    _plan_config(plan, desired, current, config_exclusive)
    changes = ("partitions", "replication_factor", "config_set", "config_reset")
    if plan["problems"] or not any(plan[key] for key in changes):
        return plan
    plan["action"] = "update"
    touched = set(desired["config"]) | set(plan["config_reset"])
    plan["before"] = _topic_summary(current, touched)
    after = _topic_summary(current, touched)
    if plan["partitions"]:
        after["partitions"] = plan["partitions"]["after"]
    if plan["replication_factor"]:
        after["replication_factor"] = plan["replication_factor"]["after"]
    after["config"].update(plan["config_set"])
    for key in plan["config_reset"]:
        after["config"][key] = "(reset to broker default)"
    plan["after"] = after
    return plan


def plan_topics(desired_topics, current_topics, broker_ids, config_exclusive=False):
    """Plans for many topics plus every problem found, in the order the topics were given."""
    plans = [
        plan_topic(desired, current_topics.get(desired["name"]), broker_ids, config_exclusive)
        for desired in desired_topics
    ]
    problems = [problem for plan in plans for problem in plan["problems"]]
    return plans, problems


def build_diff(plans):
    """Ansible's diff: the before and after of every topic that changes."""
    before, after = {}, {}
    for plan in plans:
        if plan["action"] != "none":
            before[plan["name"]] = plan["before"]
            after[plan["name"]] = plan["after"]
    return {"before": before, "after": after}


def _whole_number(value):
    """(int or None, None) for a whole number, an int-like string or None; (None, value) otherwise.
    Entries of a list option are not typed by Ansible, and inventories hand over strings."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value, None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value), None
    return None, value


def desired_topics_from_params(params):
    """The module's ``name``/``topics`` options as desired topics, with the problems found."""
    defaults = dict(
        state=params.get("state") or "present",
        partitions=params.get("partitions"),
        replication_factor=params.get("replication_factor"),
        config=params.get("config") or {},
    )
    entries = params.get("topics") or [{"name": params.get("name")}]
    allow_internal = params.get("allow_internal", False)
    desired, problems, seen = [], [], set()
    for entry in entries:
        name = entry.get("name")
        unknown = sorted(
            set(entry) - {"name", "state", "partitions", "replication_factor", "config"}
        )
        if unknown:
            problems.append(f"topic {name}: unknown key(s) {', '.join(unknown)}")
        if entry.get("state") not in (None, "present", "absent"):
            problems.append(f"topic {name}: state must be present or absent")
        problems.extend(topic_name_problems(name, allow_internal))
        if name in seen:
            problems.append(f"topic {name} is listed more than once")
        seen.add(name)
        topic = dict((key, entry.get(key)) for key in ("state", "partitions", "replication_factor"))
        for key in ("partitions", "replication_factor"):
            topic[key], problem = _whole_number(topic[key])
            if problem:
                problems.append(f"topic {name}: {key} must be a whole number, got {problem!r}")
        for key, value in defaults.items():
            if topic.get(key) is None and key != "config":
                topic[key] = value
        config = entry.get("config")
        if config is None:
            config = defaults["config"]
        if not isinstance(config, dict):
            problems.append(f"topic {name}: config must be a mapping of settings, got {config!r}")
            config = {}
        topic["config"] = dict((str(k), config_value_to_kafka(v)) for k, v in config.items())
        for key, value in topic["config"].items():
            if value is None:
                problems.append(f"topic {name}: config {key} has no value")
        topic["name"] = name
        desired.append(topic)
    return desired, problems
