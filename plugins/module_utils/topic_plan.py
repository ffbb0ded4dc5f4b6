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

import math
import re
from collections.abc import Mapping

from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.retention import (
    RETENTION_KEYS,
    lowered_retention,
    parse_kafka_retention,
    parse_max_delete,
)

# Kafka's own rule (org.apache.kafka.common.internals.Topic): 249 characters of this set.
_LEGAL_TOPIC_NAME = re.compile(r"^[a-zA-Z0-9._-]{1,249}$")
TOPIC_OVERRIDE_SOURCE = "DYNAMIC_TOPIC_CONFIG"
_INTEGER_TYPES = ("INT", "LONG", "SHORT")
# Kafka sends partition counts as a 32-bit and replication factors as a 16-bit integer.
MAX_PARTITIONS = 2**31 - 1
MAX_REPLICATION_FACTOR = 2**15 - 1
COUNT_LIMITS = {"partitions": MAX_PARTITIONS, "replication_factor": MAX_REPLICATION_FACTOR}
ENTRY_KEYS = ("name", "state", "partitions", "replication_factor", "config")
# Written the way only ASCII digits are: "٣" is a digit to Python, not to Kafka.
_WHOLE_NUMBER = re.compile(r"^\s*-?[0-9]+\s*$")
_NEGATIVE_ZERO = re.compile(r"^\s*-0+\s*$")
# What Java's Double.parseDouble and Python's float() both read the same way (no nan, inf, _).
_DECIMAL = re.compile(r"^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$")
_CONFIG_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


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


def metric_name(name):
    """A topic's name in Kafka's metrics, where '.' and '_' are the same character."""
    return name.replace(".", "_")


def collision_problems(names, existing=()):
    """Names that Kafka would take for another: two of ``names`` with the same metric name,
    or one of ``names`` with the metric name of a different topic in ``existing``."""
    problems = []
    seen = {}
    for name in names:
        if not isinstance(name, str):
            continue
        other = seen.get(metric_name(name))
        if other is not None and other != name:
            problems.append(
                f"topics {other} and {name} collide: Kafka treats '.' and '_' as the same"
                " character in metric names and refuses the second; keep one spelling"
            )
        seen.setdefault(metric_name(name), name)
    existing_by_metric = {}
    for name in existing:
        existing_by_metric.setdefault(metric_name(name), []).append(name)
    for name in names:
        if not isinstance(name, str):
            continue
        for other in sorted(existing_by_metric.get(metric_name(name), [])):
            if other != name:
                problems.append(
                    f"topic {name} would collide with the existing topic {other}: Kafka"
                    " treats '.' and '_' as the same character in metric names and refuses"
                    f" it; use {other} or another name"
                )
    return problems


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
        if not _WHOLE_NUMBER.match(value):
            raise ValueError(value)
        return int(value.strip())
    if config_type == "DOUBLE":
        if not _DECIMAL.match(value):
            raise ValueError(value)
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


def _scalar_problem(value):
    """Why a YAML value cannot be one config value (None when it can)."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value!r} is not a number Kafka reads"
    if isinstance(value, (dict, list, tuple, set)):
        return f"takes a value or a list of values, got {value!r}"
    if not isinstance(value, (str, int, float, bool)):
        return f"takes a value or a list of values, got {value!r}"
    return None


def _list_item_problem(item, value):
    problem = _scalar_problem(item)
    if problem is None and config_value_to_kafka(item).strip() == "":
        problem = f"has an empty item in {value!r}"
    if problem is None and "," in config_value_to_kafka(item):
        problem = f"has the item {item!r} with a comma, which Kafka would read as two items"
    return problem


def config_entry_problems(key, value):
    """Why one ``config`` entry as written cannot be sent (plain data, before any request)."""
    if not isinstance(key, str) or not _CONFIG_KEY.match(key):
        return [
            f"config key {key!r} is not a Kafka config name (letters, digits, '.', '_' and"
            " '-', such as retention.ms)"
        ]
    if value is None:
        return [f"config {key} has no value"]
    if isinstance(value, (list, tuple)):
        problems = [_list_item_problem(item, value) for item in value]
        return [f"config {key} {problem}" for problem in problems if problem]
    problem = _scalar_problem(value)
    text = config_value_to_kafka(value) if problem is None else ""
    if problem is None and _NEGATIVE_ZERO.match(text):
        problem = f"is a negative zero ({value!r}), which reads as a typo: write 0"
    if problem:
        return [f"config {key} {problem}"]
    if key in RETENTION_KEYS:
        try:
            parse_kafka_retention(key, text)
        except ValueError as error:
            return [str(error)]
    return []


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


def replication_factors(topic):
    """The distinct replica counts of a topic's partitions, lowest first."""
    factors = sorted(set(len(replicas) for replicas in topic["replicas"].values()))
    return factors or [topic["replication_factor"]]


def factor_summary(topic):
    """The replication factor as reported: a number, or the list of them when partitions differ."""
    factors = replication_factors(topic)
    return factors[0] if len(factors) == 1 else factors


def _topic_summary(current, config_keys):
    config = {}
    for key in sorted(config_keys):
        entry = current["config"].get(key)
        if entry is not None:
            config[key] = entry["value"]
    return {
        "partitions": current["partitions"],
        "replication_factor": factor_summary(current),
        "config": config,
    }


def _new_plan(name):
    return {
        "name": name,
        "action": "none",
        "problems": [],
        "warnings": [],
        "partitions": None,
        "replication_factor": None,
        "target_factor": None,
        "reassignment": None,
        "config_set": {},
        "config_reset": [],
        "retention": {},
        "before": None,
        "after": None,
    }


def _count_problems(desired):
    name = desired["name"]
    problems = []
    for key in ("partitions", "replication_factor"):
        value = desired.get(key)
        if value is not None and value < 1:
            problems.append(f"topic {name}: {key} must be 1 or more, got {value}")
        elif value is not None and value > COUNT_LIMITS[key]:
            problems.append(
                f"topic {name}: {key} must be at most {COUNT_LIMITS[key]} (what Kafka can hold),"
                f" got {value}"
            )
    return problems


def _too_few_brokers(name, factor, broker_ids):
    brokers = ", ".join(str(b) for b in broker_ids)
    return (
        f"topic {name}: replication_factor {factor} is more than the"
        f" {len(broker_ids)} broker(s) in the cluster ({brokers}) that are up now: start the"
        f" missing brokers, or ask for {len(broker_ids)} or fewer replicas"
    )


def _plan_create(plan, desired, broker_ids):
    partitions, factor = desired.get("partitions"), desired.get("replication_factor")
    if factor is not None and 1 <= factor and factor > len(broker_ids):
        plan["problems"].append(_too_few_brokers(plan["name"], factor, broker_ids))
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
    factors = replication_factors(current)
    if factor is None or not 1 <= factor <= MAX_REPLICATION_FACTOR:
        if len(factors) > 1:
            plan["warnings"].append(
                f"topic {name} has partitions with different replication factors"
                f" ({', '.join(str(f) for f in factors)}); give replication_factor to make"
                " them alike"
            )
        return
    plan["target_factor"] = factor
    # Each partition on its own: a topic whose partitions differ is repaired, and one that
    # already has the factor is not checked against the brokers that are up.
    off = sorted(i for i, replicas in current["replicas"].items() if len(replicas) != factor)
    if not off:
        return
    if factor > len(broker_ids):
        plan["problems"].append(_too_few_brokers(name, factor, broker_ids))
        return
    plan["replication_factor"] = {"before": factor_summary(current), "after": factor}
    moves = plan_replicas(current["replicas"], current.get("leaders", {}), factor, broker_ids)
    plan["reassignment"] = dict((index, moves[index]) for index in off)


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


def _plan_retention(plan, current):
    """Before and after of retention.bytes / retention.ms where the plan changes them
    (after None: reset to the broker default, which the caller reads)."""
    for key in sorted(RETENTION_KEYS):
        entry = current["config"].get(key)
        if entry is None or (key not in plan["config_set"] and key not in plan["config_reset"]):
            continue
        try:
            before = int(entry["value"])
            after = int(plan["config_set"][key]) if key in plan["config_set"] else None
        except (TypeError, ValueError):
            continue  # refused by the value checks already
        plan["retention"][key] = {"before": before, "after": after}


def plan_topic(desired, current, broker_ids, config_exclusive=False):
    """What to do to one topic. Returns a dict with ``action`` and ``problems``.

    ``action`` is one of create, delete, update, none. ``problems`` lists why the
    request cannot be carried out; the caller refuses the whole task when any topic
    has one, before changing anything. The replication factor is weighed against the
    brokers that are up only where it is to be created or changed.
    """
    plan = _new_plan(desired["name"])
    plan["problems"].extend(_count_problems(desired))
    if desired["state"] == "absent":
        if current is not None:
            plan["action"] = "delete"
            plan["before"] = _topic_summary(current, [])
            plan["after"] = "absent"
        return plan
    if current is None:
        _plan_create(plan, desired, broker_ids)
        return plan
    _plan_counts(plan, desired, current, broker_ids)
    _plan_config(plan, desired, current, config_exclusive)
    changes = ("partitions", "replication_factor", "config_set", "config_reset")
    if plan["problems"] or not any(plan[key] for key in changes):
        return plan
    _plan_retention(plan, current)
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


# --- the data-loss guard: what the plans would let Kafka delete --------------------------


def needs_broker_defaults(plans):
    """Whether a plan resets retention.bytes / retention.ms, whose new value is the broker's."""
    return any(
        change["after"] is None
        for plan in plans
        if plan["action"] == "update"
        for change in plan["retention"].values()
    )


def lowered_by_plans(plans, broker_defaults):
    """{topic: {key: new value}} for the updates that keep less data than before.

    ``broker_defaults`` gives the value a reset override falls back to
    (see retention.broker_retention_defaults).
    """
    lowered = {}
    for plan in plans:
        if plan["action"] != "update":
            continue
        before, after = {}, {}
        for key, change in plan["retention"].items():
            before[key] = change["before"]
            new = broker_defaults.get(key) if change["after"] is None else change["after"]
            if new is not None:
                after[key] = new
        keys = lowered_retention(before, after)
        if keys:
            lowered[plan["name"]] = keys
    return lowered


def guard_reasons(plans, lowered):
    """{topic: what the task does that deletes data}, for the guard's message."""
    reasons = {}
    for plan in plans:
        name = plan["name"]
        if plan["action"] == "delete":
            reasons[name] = f"deleting topic {name}"
        elif name in lowered:
            parts = []
            for key, value in sorted(lowered[name].items()):
                reset = plan["retention"].get(key, {}).get("after") is None
                parts.append(
                    f"resetting {key} to the broker default {value}" if reset else f"{key}={value}"
                )
            reasons[name] = " and ".join(parts)
    return reasons


# --- after a failure part way: what the brokers show was done ----------------------------


def _committed_replicas(topic, moving):
    """Replica lists without the replicas a reassignment is still adding."""
    return dict(
        (index, [b for b in replicas if b not in moving.get(index, {}).get("adding", [])])
        for index, replicas in topic["replicas"].items()
    )


def changes_made(plans, after_topics, after_configs, moving):
    """The plans cut down to what the brokers show was done.

    ``after_topics``/``after_configs`` are read back after the failure (shapes of
    read_topics/read_topic_configs), ``moving`` is {topic: {partition: {"adding",
    "removing"}}} for reassignments still running.
    """
    made = []
    for plan in plans:
        name = plan["name"]
        done = _new_plan(name)
        del done["problems"], done["warnings"]
        now = after_topics.get(name)
        if plan["action"] == "create" and now is not None:
            done.update(action="create", before="absent", config_set=dict(plan["config_set"]))
            done["partitions"] = {"before": None, "after": now["partitions"]}
            done["replication_factor"] = {"before": None, "after": factor_summary(now)}
        elif plan["action"] == "delete" and now is None:
            done.update(action="delete", before=plan["before"], after="absent")
        elif plan["action"] == "update" and now is not None:
            _update_made(plan, done, now, after_configs.get(name, {}), moving.get(name, {}))
        made.append(done)
    return made


def _update_made(plan, done, now, configs, moving):
    before = plan["before"]
    if now["partitions"] != before["partitions"]:
        done["partitions"] = {"before": before["partitions"], "after": now["partitions"]}
    committed = factor_summary(dict(now, replicas=_committed_replicas(now, moving)))
    if committed != before["replication_factor"]:
        done["replication_factor"] = {"before": before["replication_factor"], "after": committed}
    for key, value in sorted(plan["config_set"].items()):
        entry = configs.get(key)
        if entry is not None and config_values_equal(value, entry["value"], entry.get("type")):
            done["config_set"][key] = value
    for key in plan["config_reset"]:
        entry = configs.get(key)
        if entry is None or entry.get("source") != TOPIC_OVERRIDE_SOURCE:
            done["config_reset"].append(key)
    if moving:
        done["reassigning"] = sorted(moving)
    changes = ("partitions", "replication_factor", "config_set", "config_reset", "reassigning")
    if any(done.get(key) for key in changes):
        done["action"] = "update"
        done["before"] = before
        done["after"] = {
            "partitions": now["partitions"],
            "replication_factor": committed,
            "config": dict(
                (key, configs[key]["value"]) for key in sorted(before["config"]) if key in configs
            ),
        }


def describe_changes_made(made):
    """One sentence of what was done, from changes_made's answer."""
    parts = []
    created = [d["name"] for d in made if d["action"] == "create"]
    deleted = [d["name"] for d in made if d["action"] == "delete"]
    if created:
        parts.append("created " + ", ".join(created))
    if deleted:
        parts.append("deleted " + ", ".join(deleted))
    for done in made:
        if done["action"] != "update":
            continue
        what = []
        if done["partitions"]:
            what.append("partitions {before} -> {after}".format(**done["partitions"]))
        if done["replication_factor"]:
            factor = done["replication_factor"]
            what.append(f"replication factor {factor['before']} -> {factor['after']}")
        if done["config_set"]:
            what.append("set " + ", ".join(f"{k}={v}" for k, v in done["config_set"].items()))
        if done["config_reset"]:
            what.append("reset " + ", ".join(done["config_reset"]))
        if done.get("reassigning"):
            what.append(
                "replicas of partition(s) {} still moving in the background".format(
                    ", ".join(str(i) for i in done["reassigning"])
                )
            )
        parts.append(f"{done['name']}: " + "; ".join(what))
    return "; ".join(parts) if parts else "nothing"


# --- the task's input, checked before any request --------------------------------------


def _whole_number(value):
    """(int or None, None) for a whole number, an int-like string or None; (None, value) otherwise.
    Entries of a list option are not typed by Ansible, and inventories hand over strings."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value, None
    if isinstance(value, str) and _WHOLE_NUMBER.match(value):
        return int(value), None
    return None, value


def _config_problems(name, config):
    if not isinstance(config, Mapping):
        return [f"topic {name}: config must be a mapping of settings, got {config!r}"]
    return [
        f"topic {name}: {problem}"
        for key, value in config.items()
        for problem in config_entry_problems(key, value)
    ]


def _entry_problems(entry, name, allow_internal):
    """What is wrong with one ``topics`` entry as written."""
    problems = []
    unknown = sorted(str(key) for key in set(entry) - set(ENTRY_KEYS))
    if unknown:
        problems.append(f"topic {name}: unknown key(s) {', '.join(unknown)}")
    for key in ENTRY_KEYS[1:]:
        if key in entry and entry[key] is None:
            problems.append(
                f"topic {name}: {key} is empty (null); give it a value or leave the key out"
            )
    if entry.get("state") not in (None, "present", "absent"):
        problems.append(f"topic {name}: state must be present or absent")
    problems.extend(topic_name_problems(name, allow_internal))
    if entry.get("config") is not None:
        problems.extend(_config_problems(name, entry["config"]))
    return problems


def _desired_topic(entry, name, defaults, problems):
    topic = {"name": name, "state": entry.get("state") or defaults["state"]}
    for key in ("partitions", "replication_factor"):
        value, problem = _whole_number(entry.get(key))
        if problem is not None:
            problems.append(f"topic {name}: {key} must be a whole number, got {problem!r}")
        topic[key] = defaults[key] if value is None else value
    problems.extend(_count_problems(topic))
    config = entry.get("config")
    if config is None:
        config = defaults["config"]
    if not isinstance(config, Mapping):
        config = {}
    topic["config"] = dict((str(k), config_value_to_kafka(v)) for k, v in config.items())
    return topic


def desired_topics_from_params(params):
    """The module's ``name``/``topics`` options as desired topics, with the problems found.

    Everything that can be judged without the cluster is judged here, before any request.
    """
    defaults = dict(
        state=params.get("state") or "present",
        partitions=params.get("partitions"),
        replication_factor=params.get("replication_factor"),
        config=params.get("config") or {},
    )
    problems = []
    if not isinstance(defaults["config"], Mapping):
        problems.append(f"config must be a mapping of settings, got {defaults['config']!r}")
        defaults["config"] = {}
    for key, value in defaults["config"].items():
        problems.extend(config_entry_problems(key, value))
    if params.get("topics") is not None:
        entries = params["topics"]
    else:
        entries = [{"name": params.get("name")}]
    desired, seen = [], set()
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping):
            problems.append(f"topics entry {position} is {entry!r}, not a mapping with a name")
            continue
        name = entry.get("name")
        problems.extend(_entry_problems(entry, name, params.get("allow_internal", False)))
        if isinstance(name, str) and name in seen:
            problems.append(f"topic {name} is listed more than once")
        seen.add(name if isinstance(name, str) else repr(name))
        desired.append(_desired_topic(entry, name, defaults, problems))
    problems.extend(collision_problems([topic["name"] for topic in desired]))
    return desired, problems


def topic_task_option_problems(params):
    """(max_delete_bytes in bytes, problems) for kafka_topic's options besides the topics."""
    problems = []
    max_delete = 0
    try:
        max_delete = parse_max_delete(params.get("max_delete_bytes", 0))
    except ValueError as error:
        problems.append(str(error))
    throttle = params.get("reassignment_throttle")
    if throttle is not None and throttle < 1:
        problems.append(
            f"reassignment_throttle must be 1 (byte/s) or more, got {throttle}; leave it out"
            " for no throttle"
        )
    timeout = params.get("reassignment_timeout")
    if timeout is not None and timeout < 1:
        problems.append(f"reassignment_timeout must be 1 (second) or more, got {timeout}")
    headroom = params.get("storage_headroom")
    if headroom is not None and not 0 <= headroom <= 99:
        problems.append(f"storage_headroom is a percentage from 0 to 99, got {headroom}")
    return max_delete, problems
