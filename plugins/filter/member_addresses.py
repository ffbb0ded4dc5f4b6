# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""Filter member_addresses: each member's address for the cluster's configuration."""

from __future__ import annotations

from ansible_collections.datapipe.kafka_pipeline.plugins.plugin_utils.cluster_members import (
    member_addresses,
)

DOCUMENTATION = r"""
name: member_addresses
short_description: Find the address each cluster member is reached at
version_added: 0.1.0
description:
  - Returns a dictionary from each member to the address other members and clients reach it
    at. A member whose host variables set O(address_variable) gets that address; every other
    member gets its primary IPv4 address from its gathered facts (the private address on EC2),
    or an empty string when no facts were gathered (the roles' preflight reports those).
positional: hostvars, address_variable
options:
  _input:
    description: Inventory names of the members.
    type: list
    elements: str
    required: true
  hostvars:
    description: The C(hostvars) of the play.
    type: dict
    required: true
  address_variable:
    description: The host variable that sets a member's address explicitly.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Locate the brokers
  ansible.builtin.set_fact:
    addresses: >-
      {{ groups['kafka_broker']
         | datapipe.kafka_pipeline.member_addresses(hostvars, 'kafka_broker_advertised_host') }}
"""

RETURN = r"""
_value:
  description: Member name to address.
  type: dict
"""


class FilterModule:
    def filters(self):
        return {"member_addresses": member_addresses}
