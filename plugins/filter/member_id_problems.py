# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""Filter member_id_problems: what is wrong with a cluster's member ids, before any write."""

from __future__ import annotations

from ansible_collections.datapipe.kafka_pipeline.plugins.plugin_utils.cluster_members import (
    member_id_problems,
)

DOCUMENTATION = r"""
name: member_id_problems
short_description: Say what stops a cluster's member ids from being settled
version_added: 0.1.0
description:
  - Returns a list of messages, empty when the ids are sound. Each names the host, the ids
    involved and what to do.
  - Reports an O(id_variable) that is not a whole number; an inventory id that differs from
    the id the member's data holds (the id on disk wins, so the inventory must follow it or
    say nothing); and an id held by two members.
  - The roles' preflight fails with these messages before anything on the hosts changes.
positional: hostvars, id_variable, on_disk, what
options:
  _input:
    description: Inventory names of the members, in the order given to
      P(datapipe.kafka_pipeline.member_ids#filter).
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
    description: Member name to the id its data holds.
    type: dict
  what:
    description: How the messages name the place the id on disk was read from.
    type: str
    default: its data directory
"""

EXAMPLES = r"""
- name: Refuse ids that would move
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | join('; ') }}"
  vars:
    problems: >-
      {{ groups['kafka_broker'] | sort
         | datapipe.kafka_pipeline.member_id_problems(hostvars, 'kafka_broker_node_id',
                                                      ids_on_disk, 'meta.properties') }}
"""

RETURN = r"""
_value:
  description: One message per problem; empty when there is none.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"member_id_problems": member_id_problems}
