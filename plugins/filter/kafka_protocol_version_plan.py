# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""Filter kafka_protocol_version_plan: a ZooKeeper-mode broker's inter.broker.protocol.version."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.datapipe.kafka_pipeline.plugins.plugin_utils.protocol_version import (
    protocol_version_plan,
)

DOCUMENTATION = r"""
name: kafka_protocol_version_plan
short_description: Settle the inter.broker.protocol.version of a ZooKeeper-mode cluster's brokers
version_added: 0.11.0
description:
  - Kafka's upgrade in ZooKeeper mode keeps the brokers on the protocol version of the release
    they ran while each moves to the new release, and raises it in a second roll once all run
    it. This filter decides what each broker's C(server.properties) names.
  - With O(requested) set, every broker gets it. Without, a broker keeps the version its file
    names; a broker whose file names none gets the lowest version another broker's file names;
    when no file names one and the brokers move to another release line, all keep the older
    line's version (RV(_value.held)); otherwise none is written and Kafka uses its release's.
  - Reports, in RV(_value.problems), a version that is not one (V(3.9), V(3.9-IV0)), one newer
    than the target release speaks, any that would lower a broker's current version, which
    Kafka does not support, and, with O(running), raising it while a broker runs an older release.
positional: requested, release, running
options:
  _input:
    description:
      - Broker name to what its host holds, a dict with C(protocol) (the version its
        C(server.properties) names, empty for none) and C(release) (the Kafka release its
        install link points at, empty for a new broker).
    type: dict
    required: true
  requested:
    description:
      - The version asked for (C(kafka_broker_inter_broker_protocol_version)); empty for none.
    type: str
    required: true
  release:
    description: The Kafka release the brokers are to run (C(kafka_broker_version)).
    type: str
    required: true
  running:
    description:
      - Broker name to the Kafka release its process runs (empty when it does not run), for the
        brokers read. When given and a version goes up, a broker that runs an older release line
        than that version is reported in RV(_value.problems). Not given, nothing is checked.
    type: dict
"""

EXAMPLES = r"""
- name: Settle the protocol version
  ansible.builtin.set_fact:
    protocol_plan: >-
      {{ {'kafka-1': {'protocol': '', 'release': '3.8.1'}}
         | datapipe.kafka_pipeline.kafka_protocol_version_plan('', '3.9.2') }}
  # protocol_plan.versions == {'kafka-1': '3.8'} and protocol_plan.held is true
"""

RETURN = r"""
_value:
  description: The plan.
  type: dict
  contains:
    versions:
      description: Broker name to the version to write (empty to write none).
      type: dict
    current:
      description: Broker name to the version it runs with now (empty for a new broker).
      type: dict
    raising:
      description: The brokers whose version goes up, sorted.
      type: list
      elements: str
    held:
      description: True when the version is kept at an older line for an upgrade across lines.
      type: bool
    problems:
      description: Messages saying what stops the run; empty when there is none.
      type: list
      elements: str
"""


def kafka_protocol_version_plan(members, requested, release, running=None):
    if not isinstance(members, dict) or not isinstance(running, (dict, type(None))):
        raise AnsibleFilterError("kafka_protocol_version_plan takes dicts of brokers")
    return protocol_version_plan(members, requested, release, running)


class FilterModule:
    def filters(self):
        return {"kafka_protocol_version_plan": kafka_protocol_version_plan}
