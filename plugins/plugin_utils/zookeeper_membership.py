# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""What changing a running ZooKeeper ensemble's members takes: which members join and
leave, one step at a time, or why the role refuses; and the super user's digest the role
logs in with for ZooKeeper's dynamic reconfiguration. Each function is a filter of its
own file in plugins/filter/."""

from __future__ import annotations

import base64
import hashlib
from collections import Counter

from ansible.errors import AnsibleFilterError


def zookeeper_digest(user_and_password):
    """ZooKeeper's digest of "user:password" (DigestAuthenticationProvider, SHA-1):
    "user:<base64 of the SHA-1 of user:password>"."""
    if not isinstance(user_and_password, str) or ":" not in user_and_password:
        raise AnsibleFilterError("zookeeper_digest: expected 'user:password'")
    user = user_and_password.split(":", 1)[0]
    if not user:
        raise AnsibleFilterError("zookeeper_digest: the user name is empty")
    digest = hashlib.sha1(user_and_password.encode("utf-8")).digest()  # ZooKeeper's own scheme
    return f"{user}:{base64.b64encode(digest).decode('ascii')}"


def _number(value):
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise AnsibleFilterError(
            f"zookeeper_member_changes: the id {value!r} is not a number"
        ) from error


def _running_membership(on_disk):
    """{myid: address} of the ensemble as most members that hold data have it: a
    member that was down during a change holds an older view, and a new member that
    never started holds the membership it was given."""
    views = []
    for disk in on_disk.values():
        if str(disk.get("myid", "")).strip() and disk.get("servers"):
            views.append(
                tuple(sorted((_number(k), str(v)) for k, v in dict(disk["servers"]).items()))
            )
    if not views:
        return {}
    counts = Counter(views)
    # Most members first; on a tie, the larger ensemble (a change half made) wins.
    best = max(counts, key=lambda view: (counts[view], len(view)))
    return dict(best)


def zookeeper_member_changes(on_disk, myids, addresses, known_addresses=None):
    """The steps that take the running ensemble to the inventory's members, one member
    at a time (joining members first, by myid, then leaving ones), or why not.

    on_disk: {member: {'myid': id or '', 'servers': {id: address}}} as each inventory
        member's files hold it ({} for a new host).
    myids: {member: myid} the inventory's members run with.
    addresses: {member: address} of those members.
    known_addresses: {host: address} of every inventory host, to find the host of a
        member that leaves the ensemble (it is no longer in the group).
    """
    if (
        not isinstance(on_disk, dict)
        or not isinstance(myids, dict)
        or not isinstance(addresses, dict)
    ):
        raise AnsibleFilterError(
            "zookeeper_member_changes: on_disk, myids and addresses must be dictionaries"
        )
    known_addresses = known_addresses or {}
    running = _running_membership(on_disk)
    target = {_number(myids[m]): str(addresses.get(m, "")) for m in myids}
    hosts = {_number(myids[m]): m for m in myids}
    plan = {
        "current": sorted(running),
        "target": sorted(target) if len(target) > 1 else [],
        "steps": [],
        "refusal": "",
    }
    standalone = sorted(
        m for m, d in on_disk.items() if str(d.get("myid", "")).strip() and not d.get("servers")
    )
    if standalone and not running and len(target) > 1:
        plan["current"] = [_number(on_disk[standalone[0]]["myid"])]
        plan["refusal"] = (
            f"{standalone[0]} runs ZooKeeper standalone (a one-member ensemble), which cannot"
            " take members live: dynamic reconfiguration changes ensembles of three or more."
        )
        return plan
    # A member whose myid stays but whose address differs: refused whatever else changes.
    moved = "; ".join(
        f"member {i} ({hosts[i]}) would move from {running[i]} to {target[i]}"
        for i in sorted(running)
        if i in target and running[i] != target[i]
    )
    if not running or set(running) == set(plan["target"]):
        if moved and len(target) > 1:
            plan["refusal"] = moved + (
                ". A member's address changes through dynamic reconfiguration only as a new"
                " member: give the new host a new myid (zookeeper_id) and leave the old one"
                " out of the inventory; the role adds the one, then removes the other."
            )
        return plan
    joining = [i for i in plan["target"] if i not in running]
    leaving = [i for i in sorted(running) if i not in target]
    if len(running) < 3 or len(plan["target"]) < 3:
        plan["refusal"] = (
            "Dynamic reconfiguration changes ensembles of three or more members; a"
            f" {len(running) or 1}-member ensemble cannot become one of"
            f" {len(plan['target']) or 1} live (a single member runs standalone)."
        )
        return plan
    if 2 * len(joining) >= len(plan["target"]):
        plan["refusal"] = (
            f"{len(joining)} new members of {len(plan['target'])} could elect a leader of"
            " their own while they wait to be added: add fewer per run (at most"
            f" {(len(plan['target']) - 1) // 2})."
        )
        return plan
    if moved:
        plan["refusal"] = moved + ". Change the members or their addresses, not both in one run."
        return plan
    for i in joining:
        plan["steps"].append({"action": "add", "myid": i, "host": hosts[i], "address": target[i]})
    for i in leaving:
        found = sorted(
            h
            for h, address in known_addresses.items()
            if (address == running[i] or h == running[i]) and h not in myids
        )
        plan["steps"].append(
            {
                "action": "remove",
                "myid": i,
                "host": found[0] if found else "",
                "address": running[i],
            }
        )
    return plan
