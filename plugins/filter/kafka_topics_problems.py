# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""Filter kafka_topics_problems: check an inventory's kafka_topics list before anything changes."""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.retention import (
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
        name = entry.get("name")
        topic_entries.append(dict((k, v) for k, v in entry.items() if k not in RETENTION_PARSERS))
        for key, parse in RETENTION_PARSERS.items():
            if entry.get(key) is None:
                continue
            if entry.get("state") == "absent":
                problems.append(f"topic {name}: {key} given for a topic with state absent")
                continue
            try:
                parse(entry[key], f"topic {name}: {key}")
            except ValueError as error:
                problems.append(str(error))
    if topic_entries:
        problems = desired_topics_from_params({"topics": topic_entries})[1] + problems
    return problems


class FilterModule:
    """Checks for the playbooks' topic list."""

    def filters(self):
        return {"kafka_topics_problems": kafka_topics_problems}
