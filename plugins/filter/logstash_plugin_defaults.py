# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""Filter logstash_plugin_defaults: give every plugin of one kind in a list of
Logstash pipeline plugins ({plugin, options}) options it lacks, in place."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

DOCUMENTATION = r"""
name: logstash_plugin_defaults
short_description: Give every Logstash plugin of one kind options it lacks
version_added: 0.1.0
description:
  - Takes a list of Logstash pipeline plugins, each C({plugin, options}), and returns it with
    every entry whose C(plugin) is O(name) given the options of O(defaults) it does not set
    itself (its own options win). Other entries and the order stay as they are.
  - The logstash_producer role gives its C(http) inputs TLS and basic authentication this way.
positional: name, defaults
options:
  _input:
    description: The plugins, each C({plugin, options}).
    type: list
    elements: dict
    required: true
  name:
    description: The plugin the defaults apply to, such as C(http).
    type: str
    required: true
  defaults:
    description: Options to give each such plugin.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Require basic authentication on every http input
  ansible.builtin.set_fact:
    inputs: >-
      {{ inputs | datapipe.kafka_pipeline.logstash_plugin_defaults(
           'http', {'user': 'ingest', 'password': '${HTTP_INPUT_PASSWORD}'}) }}
"""

RETURN = r"""
_value:
  description: The plugins, with the defaults applied.
  type: list
  elements: dict
"""


def logstash_plugin_defaults(plugins, name, defaults):
    """The list ``plugins`` with each ``{plugin: name}`` entry's options laid over
    ``defaults`` (the entry's own options win); other entries and the order unchanged."""
    if not isinstance(defaults, Mapping):
        raise AnsibleFilterError(
            f"logstash_plugin_defaults: the defaults must be a mapping, not {defaults!r}"
        )
    result = []
    for entry in plugins or []:
        if isinstance(entry, Mapping) and entry.get("plugin") == name and defaults:
            options = entry.get("options") or {}
            if not isinstance(options, Mapping):
                raise AnsibleFilterError(
                    f"logstash_plugin_defaults: the options of a {name} plugin must be a mapping"
                )
            result.append({**entry, "options": {**defaults, **options}})
        else:
            result.append(entry)
    return result


class FilterModule:
    def filters(self):
        return {"logstash_plugin_defaults": logstash_plugin_defaults}
