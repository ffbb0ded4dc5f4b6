# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""Filter zookeeper_member_changes: the steps from the running ensemble to the inventory's."""

from __future__ import annotations

from ansible_collections.datapipe.kafka_pipeline.plugins.plugin_utils.zookeeper_membership import (
    zookeeper_member_changes,
)

DOCUMENTATION = r"""
name: zookeeper_member_changes
short_description: Plan the change from a running ZooKeeper ensemble's members to the inventory's
version_added: 0.8.0
description:
  - The running membership is the one most members' data holds (each member's dynamic
    configuration file); a member that was down during a change, or a new one that never
    started, holds another view and is outvoted.
  - Returns the steps that take it to the inventory's members, one member at a time, the
    joining members first (by myid), then the leaving ones, for ZooKeeper's dynamic
    reconfiguration; or, in C(refusal), why the role will not make the change.
  - Refused are ensembles of fewer than three members before or after (a single member
    runs standalone), so many new members at once that they could elect a leader of their
    own (twice their number must stay below the new ensemble's size), and a member whose
    address changes (replace it by a new member instead).
positional: myids, addresses, known_addresses
options:
  _input:
    description:
      - "Each inventory member's view from its data: member name to C(myid) (empty when it
        holds none) and C(servers), from myid to address; a new host maps to an empty
        dictionary."
    type: dict
    required: true
  myids:
    description: The myid each inventory member runs with.
    type: dict
    required: true
  addresses:
    description: The address of each inventory member.
    type: dict
    required: true
  known_addresses:
    description: The address of every inventory host, to find the host of a member that
      leaves (it is no longer in the ensemble's group).
    type: dict
"""

EXAMPLES = r"""
- name: Plan the change of members
  ansible.builtin.set_fact:
    plan: >-
      {{ on_disk | datapipe.kafka_pipeline.zookeeper_member_changes(myids, addresses,
         groups['all'] | datapipe.kafka_pipeline.member_addresses(hostvars, 'zookeeper_address')) }}
"""

RETURN = r"""
_value:
  description: The plan.
  type: dict
  contains:
    current:
      description: The running ensemble's myids (empty for a new ensemble).
      type: list
      elements: int
    target:
      description: The inventory's myids (empty for a single member).
      type: list
      elements: int
    steps:
      description:
        - "One member each: C(action) (C(add) or C(remove)), C(myid), C(host) and C(address).
          C(host) of a leaving member is empty when no inventory host has its address."
      type: list
      elements: dict
    refusal:
      description: Why the change is refused; empty when it may go ahead.
      type: str
"""


class FilterModule:
    def filters(self):
        return {"zookeeper_member_changes": zookeeper_member_changes}
