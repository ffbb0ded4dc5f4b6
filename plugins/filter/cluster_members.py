# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""Filters member_ids and member_addresses: number and locate a cluster's members."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

# Documentation: member_ids.yml and member_addresses.yml beside this file.


def _host_variable(hostvars, member, name):
    host = hostvars.get(member) if hasattr(hostvars, "get") else hostvars[member]
    if host is None or name not in host:
        return None
    return host[name]


def member_ids(members, hostvars, id_variable):
    """Map each member to its explicit id (host variable) or its position from 1."""
    ids = {}
    for position, member in enumerate(members, start=1):
        explicit = _host_variable(hostvars, member, id_variable)
        try:
            ids[member] = int(explicit) if explicit is not None else position
        except (TypeError, ValueError) as error:
            raise AnsibleFilterError(
                f"member_ids: {id_variable} of {member} is {explicit!r}, not a whole number"
            ) from error
    return ids


def member_addresses(members, hostvars, address_variable):
    """Map each member to its explicit address (host variable), else its primary IPv4
    address from the gathered facts, else '' (the roles' preflight reports those)."""
    addresses = {}
    for member in members:
        explicit = _host_variable(hostvars, member, address_variable)
        if explicit:
            addresses[member] = str(explicit)
            continue
        facts = _host_variable(hostvars, member, "ansible_facts") or {}
        addresses[member] = (facts.get("default_ipv4") or {}).get("address", "")
    return addresses


class FilterModule:
    """Cluster membership helpers shared by the zookeeper and kafka_broker roles."""

    def filters(self):
        return {"member_ids": member_ids, "member_addresses": member_addresses}
