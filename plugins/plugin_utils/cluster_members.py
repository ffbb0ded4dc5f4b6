# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""Number and locate a cluster's members, keeping every id a member already holds
on disk; each function is a filter of its own file in plugins/filter/."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError


def _host_variable(hostvars, member, name):
    host = hostvars.get(member) if hasattr(hostvars, "get") else hostvars[member]
    if host is None or name not in host:
        return None
    return host[name]


def _whole_number(value):
    """An id given as a number or a string of digits; None for anything else
    (booleans, '', '1.5', '-0' included: ids are never written that way)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.isdigit() or (text.startswith("-") and text[1:].isdigit() and text[1:].strip("0")):
        return int(text)
    return None


def _explicit_ids(members, hostvars, id_variable):
    """{member: id} for members whose host variables set ``id_variable``, and the
    problems with those that set it to something that is not a whole number."""
    explicit, problems = {}, []
    for member in members:
        value = _host_variable(hostvars, member, id_variable)
        if value is None:
            continue
        number = _whole_number(value)
        if number is None:
            problems.append(f"{id_variable} of {member} is {value!r}, not a whole number")
        else:
            explicit[member] = number
    return explicit, problems


def _ids_on_disk(on_disk):
    """The ids members hold in their data ({member: id}); entries without an id are left out."""
    return {
        member: _whole_number(value)
        for member, value in (on_disk or {}).items()
        if value not in (None, "") and _whole_number(value) is not None
    }


def member_ids(members, hostvars, id_variable, on_disk=None, taken=None):
    """Map each member to its id.

    A member whose data already holds an id keeps it: the id on disk wins (a
    mismatch with the inventory is reported by member_id_problems). Otherwise the
    host variable, else the member's position (from 1) in the list. A position
    that a member already holds on disk, or that the running cluster has
    registered (``taken``), is not handed out again: such a new member gets the
    smallest id nobody holds, so replacing or renaming a host never renumbers
    the others.
    """
    explicit, problems = _explicit_ids(members, hostvars, id_variable)
    if problems:
        raise AnsibleFilterError(f"member_ids: {problems[0]}")
    disk = _ids_on_disk(on_disk)
    registered = {_whole_number(t) for t in taken or []}
    held = set(disk.values()) | (registered - {None})
    ids = {}
    for member in members:
        if member in disk:
            ids[member] = disk[member]
        elif member in explicit:
            ids[member] = explicit[member]
    for position, member in enumerate(members, start=1):
        if member in ids:
            continue
        candidate = position
        if candidate in held:
            used = held | set(ids.values()) | set(explicit.values())
            candidate = 1
            while candidate in used:
                candidate += 1
        ids[member] = candidate
        held.add(candidate)
    return {member: ids[member] for member in members}


def _id_source(member, disk, explicit):
    if member in disk:
        return "on disk"
    return "inventory" if member in explicit else "position"


def member_id_problems(members, hostvars, id_variable, on_disk=None, what="its data directory"):
    """What stops the members' ids from being settled, in words an operator can act on:
    an explicit id that is not a number, an inventory id that differs from the one the
    member's data holds, and ids held by two members. Empty when all is well."""
    explicit, problems = _explicit_ids(members, hostvars, id_variable)
    disk = _ids_on_disk(on_disk)
    for member in members:
        if member in disk and member in explicit and explicit[member] != disk[member]:
            problems.append(
                f"{member}: the inventory sets {id_variable}={explicit[member]}, but {what} on "
                f"{member} holds id {disk[member]}. The id on disk wins: set {id_variable}: "
                f"{disk[member]} for {member}, or remove the variable. An id only changes by "
                f"wiping the node's data and letting it rejoin as a new member"
            )
    if problems:
        return problems
    ids = member_ids(members, hostvars, id_variable, on_disk)
    holders = {}
    for member, number in ids.items():
        holders.setdefault(number, []).append(member)
    for number, owners in sorted(holders.items()):
        if len(owners) > 1:
            sources = [f"{owner} ({_id_source(owner, disk, explicit)})" for owner in owners]
            problems.append(f"id {number} is held by {' and '.join(sources)}")
    return problems


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
