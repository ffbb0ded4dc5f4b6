# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""Filter kafka_topics_problems: check an inventory's kafka_topics list before anything changes."""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.retention import (
    RETENTION_OPTIONS,
    parse_duration,
    parse_size,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.topic_plan import (
    desired_topics_from_params,
)

DOCUMENTATION = r"""
name: kafka_topics_problems
short_description: Everything wrong with a kafka_topics list, as messages
version_added: 0.1.0
description:
  - Checks the C(kafka_topics) list that C(playbooks/topics.yml) (and C(site.yml)) apply,
    with the same rules as the M(datapipe.kafka_pipeline.kafka_topic) and
    M(datapipe.kafka_pipeline.kafka_retention) modules, and returns one message per problem.
    An empty list means the whole list can be applied.
  - The playbook checks first because it applies the list in two tasks (topics, then
    retention); without this, a wrong retention value would only be found after the topics
    were created.
  - Every value is checked as the modules check it, without contacting Kafka - names Kafka
    would refuse or would take for another topic (C(.) and C(_) are the same in Kafka's metric
    names), counts that are not whole numbers, empty (null) values, config values that are
    not single values or lists, units whose case changes their meaning (C(mb), C(M)), a
    negative zero, and a key set twice (in C(config) and through C(retention_bytes) or
    C(retention_ms)), which would otherwise flip between two values on every run.
  - Each entry takes the keys of a M(datapipe.kafka_pipeline.kafka_topic) C(topics) entry
    (C(name), C(state), C(partitions), C(replication_factor), C(config)) plus
    C(retention_bytes) and C(retention_ms) in the syntax of
    M(datapipe.kafka_pipeline.kafka_retention).
options:
  _input:
    description: The kafka_topics list.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Refuse a wrong topic list before anything changes
  ansible.builtin.assert:
    that: kafka_topics | datapipe.kafka_pipeline.kafka_topics_problems | length == 0
    fail_msg: "{{ kafka_topics | datapipe.kafka_pipeline.kafka_topics_problems | join('; ') }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when there is none.
  type: list
  elements: str
"""

# Keys the playbook hands to kafka_retention rather than kafka_topic.
RETENTION_PARSERS = {"retention_bytes": parse_size, "retention_ms": parse_duration}


def _retention_problems(entry, name):
    problems = []
    config = entry.get("config") if isinstance(entry.get("config"), Mapping) else {}
    for key, parse in RETENTION_PARSERS.items():
        if key not in entry:
            continue
        if entry[key] is None:
            problems.append(
                f"topic {name}: {key} is empty (null); give it a value or leave the key out"
            )
            continue
        if entry.get("state") == "absent":
            problems.append(f"topic {name}: {key} given for a topic with state absent")
            continue
        config_key = RETENTION_OPTIONS[key]
        if config_key in config:
            # kafka_topic would set one value and kafka_retention the other, on every run.
            problems.append(
                f"topic {name} sets {config_key} twice, in config ({config[config_key]!r}) and"
                f" as {key} ({entry[key]!r}): keep one of them"
            )
        try:
            parse(entry[key], f"topic {name}: {key}")
        except ValueError as error:
            problems.append(str(error))
    return problems


def kafka_topics_problems(topics):
    """Messages for every problem in ``topics``; an empty list when it can be applied."""
    if not isinstance(topics, list):
        return [f"kafka_topics must be a list of topics, got {type(topics).__name__}"]
    problems, topic_entries = [], []
    for position, entry in enumerate(topics, start=1):
        if not isinstance(entry, Mapping):
            problems.append(
                f"kafka_topics entry {position} is {entry!r}, not a mapping with a name"
            )
            continue
        topic_entries.append(dict((k, v) for k, v in entry.items() if k not in RETENTION_PARSERS))
        problems.extend(_retention_problems(entry, entry.get("name")))
    if topic_entries:
        problems = desired_topics_from_params({"topics": topic_entries})[1] + problems
    return problems


class FilterModule:
    """Checks for the playbooks' topic list."""

    def filters(self):
        return {"kafka_topics_problems": kafka_topics_problems}
