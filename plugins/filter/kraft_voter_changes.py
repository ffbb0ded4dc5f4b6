# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""Filter kraft_voter_changes: the steps from a running KRaft quorum's voters to the inventory's."""

from __future__ import annotations

from ansible_collections.datapipe.kafka_pipeline.plugins.plugin_utils.kraft_membership import (
    kraft_voter_changes,
)

DOCUMENTATION = r"""
name: kraft_voter_changes
short_description: Plan adding and removing the controllers of a running KRaft quorum
version_added: 0.9.0
description:
  - Returns the steps that take the controller quorum's voters (as the running cluster
    reports them) to the inventory's controllers, one controller at a time, the new ones
    first (by node id), then the leaving ones (those that are not caught up first, then by
    node id), for Kafka's dynamic quorum (KIP-853,
    C(add-controller) and C(remove-controller)); or, in C(refusal), why the role will not
    make the change.
  - Refused are a node that would stay a broker but stop being a controller (Kafka cannot
    change the roles of a formatted node), and a controller that runs with a new metadata
    directory while the quorum counts its old one (a replaced disk; the old directory is
    removed by hand first, as the message says).
positional: controller_ids, broker_ids, known_addresses, observers
options:
  _input:
    description:
      - The quorum's voters as
        RV(datapipe.kafka_pipeline.kafka_cluster_health#module:voters) returns them
        (C(id), C(directory_id), C(endpoint), C(caught_up)).
    type: list
    elements: dict
    required: true
  controller_ids:
    description: The node id of each inventory controller, by host.
    type: dict
    required: true
  broker_ids:
    description: The node ids of the inventory's brokers.
    type: list
    elements: int
  known_addresses:
    description: The address of every inventory host, to find the host of a controller that
      leaves (it is no longer in the controller group) by its endpoint.
    type: dict
  observers:
    description:
      - The quorum's observers as
        RV(datapipe.kafka_pipeline.kafka_cluster_health#module:observers) returns them.
    type: list
    elements: dict
"""

EXAMPLES = r"""
- name: Plan the change of voters
  ansible.builtin.set_fact:
    plan: >-
      {{ health.voters | datapipe.kafka_pipeline.kraft_voter_changes(
           {'ctl-1': 1, 'ctl-2': 2, 'ctl-3': 3}, [4, 5, 6],
           groups['all'] | datapipe.kafka_pipeline.member_addresses(hostvars,
                                                                    'kafka_broker_advertised_host'),
           health.observers) }}
"""

RETURN = r"""
_value:
  description: The plan.
  type: dict
  contains:
    current:
      description: The running quorum's voter ids.
      type: list
      elements: int
    target:
      description: The inventory's controller ids.
      type: list
      elements: int
    steps:
      description:
        - "One controller each: C(action) (C(add) or C(remove)), C(id), C(host); a leaving
          controller also has its C(directory_id) and C(endpoint), and an empty C(host) when no
          inventory host has its address."
      type: list
      elements: dict
    refusal:
      description: Why the change is refused; empty when it may go ahead.
      type: str
"""


class FilterModule:
    def filters(self):
        return {"kraft_voter_changes": kraft_voter_changes}
