# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""Filter logstash_plugin_defaults: give every plugin of one kind in a list of
Logstash pipeline plugins ({plugin, options}) options it lacks, in place."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

# Documentation: logstash_plugin_defaults.yml beside this file.


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
