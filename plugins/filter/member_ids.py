# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""Filter member_ids: number a cluster's members, keeping the ids they hold on disk."""

from __future__ import annotations

from ansible_collections.datapipe.kafka_pipeline.plugins.plugin_utils.cluster_members import (
    member_ids,
)

DOCUMENTATION = r"""
name: member_ids
short_description: Number a cluster's members, keeping the ids they hold on disk
version_added: 0.1.0
description:
  - Returns a dictionary from each member to its id, for ZooKeeper's C(myid) and Kafka's
    C(node.id) / C(broker.id).
  - A member whose data already holds an id (O(on_disk)) keeps it, whatever the inventory
    says; the id on disk wins, and P(datapipe.kafka_pipeline.member_id_problems#filter) reports an
    inventory id that differs from it.
  - Otherwise a member whose host variables set O(id_variable) gets that id, and every other
    member its position (from 1) in the list it is given, so pass the members in a stable
    order (sorted names).
  - A new member whose position is an id that another member holds on disk, or that the
    running cluster has registered (O(taken)), gets the smallest id nobody holds instead.
    Replacing, renaming or reordering hosts therefore never renumbers the others.
  - The filter does not check the ids for duplicates; the roles' preflight does, with
    P(datapipe.kafka_pipeline.member_id_problems#filter).
positional: hostvars, id_variable, on_disk, taken
options:
  _input:
    description: Inventory names of the members, in a stable order.
    type: list
    elements: str
    required: true
  hostvars:
    description: The C(hostvars) of the play.
    type: dict
    required: true
  id_variable:
    description: The host variable that sets a member's id explicitly.
    type: str
    required: true
  on_disk:
    description: Member name to the id its data holds (C(meta.properties), C(myid)); members
      without data are left out or map to an empty value.
    type: dict
  taken:
    description: Ids the running cluster has registered (brokers and controller voters),
      which a new member must not take.
    type: list
    elements: int
"""

EXAMPLES = r"""
- name: Number the ensemble
  ansible.builtin.set_fact:
    myids: >-
      {{ groups['zookeeper'] | sort
         | datapipe.kafka_pipeline.member_ids(hostvars, 'zookeeper_id') }}

- name: Number the brokers, keeping the ids their data holds
  ansible.builtin.set_fact:
    node_ids: >-
      {{ groups['kafka_broker'] | sort
         | datapipe.kafka_pipeline.member_ids(hostvars, 'kafka_broker_node_id',
                                              ids_on_disk, [1, 2, 3]) }}
"""

RETURN = r"""
_value:
  description: Member name to id.
  type: dict
"""


class FilterModule:
    def filters(self):
        return {"member_ids": member_ids}
