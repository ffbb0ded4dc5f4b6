# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""What changing a running KRaft controller quorum's voters takes (KIP-853 dynamic quorum):
which controllers are added and removed, one at a time, or why the role refuses. The
function is the filter kraft_voter_changes (plugins/filter/)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError


def _number(value, what):
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise AnsibleFilterError(
            f"kraft_voter_changes: {what} {value!r} is not a number"
        ) from error


def _host_of(endpoint, known_addresses):
    """The inventory host whose address is the endpoint's host part, or ''."""
    address = str(endpoint or "").rsplit(":", 1)[0]
    if not address:
        return ""
    for host, known in sorted(dict(known_addresses or {}).items()):
        if str(known) == address:
            return host
    return ""


def kraft_voter_changes(voters, controller_ids, broker_ids=(), known_addresses=None, observers=()):
    """The steps that take the running quorum's voters to the inventory's controllers, one
    controller at a time (new ones first, by node id, then leaving ones, those that are not
    caught up first), or why not.

    voters: the quorum's voters as kafka_cluster_health returns them ({id, directory_id,
    endpoint}); controller_ids: {host: node id} of the inventory's controllers; broker_ids:
    the node ids of the inventory's brokers; known_addresses: {host: address} of every
    inventory host, to find the host of a controller that leaves (it is no longer in the
    controller group); observers: the quorum's observers ({id, directory_id}).
    """
    if not isinstance(voters, list) or not voters:
        raise AnsibleFilterError("kraft_voter_changes: the quorum's voters are needed (a list)")
    if not isinstance(controller_ids, dict) or not controller_ids:
        raise AnsibleFilterError("kraft_voter_changes: the inventory's controllers are needed")
    current = {_number(v.get("id"), "the voter id"): v for v in voters}
    target = {_number(node_id, "the node id"): host for host, node_id in controller_ids.items()}
    staying_brokers = {_number(b, "the broker id") for b in broker_ids or ()}
    plan = {"current": sorted(current), "target": sorted(target), "steps": [], "refusal": ""}

    refusals = []
    leaving_brokers = sorted(set(current) - set(target) & staying_brokers)
    if leaving_brokers:
        many = len(leaving_brokers) > 1
        refusals.append(
            f"{'nodes' if many else 'node'} {', '.join(map(str, leaving_brokers))} would stay"
            f" {'brokers' if many else 'a broker'} but stop being"
            f" {'controllers' if many else 'a controller'}; Kafka cannot change the roles of a"
            " formatted node (give the controller role to new hosts, then take the old hosts out"
            " of the cluster)"
        )
    # A controller whose disk was replaced comes back with a new directory: the quorum still
    # counts the old one, which no longer votes.
    for observer in observers or ():
        node_id = _number(observer.get("id"), "the observer id")
        voter = current.get(node_id)
        if voter and observer.get("directory_id") and voter.get("directory_id"):
            if observer["directory_id"] != voter["directory_id"]:
                refusals.append(
                    f"controller {node_id} ({target.get(node_id, 'not in the inventory')}) runs"
                    f" with a new metadata directory ({observer['directory_id']}) while the"
                    f" quorum counts its old one ({voter['directory_id']}); remove the old one"
                    f" (kafka-metadata-quorum.sh remove-controller --controller-id {node_id}"
                    f" --controller-directory-id {voter['directory_id']}), then run the role"
                    " again to add the new one"
                )
    if refusals:
        plan["refusal"] = "; ".join(refusals)
        return plan

    for node_id in sorted(set(target) - set(current)):
        plan["steps"].append(
            {"action": "add", "id": node_id, "host": target[node_id], "directory_id": None}
        )
    # Voters that are not caught up (a failed controller is the usual reason to remove one)
    # leave first: until they have, the quorum needs a majority without them.
    leaving = sorted(
        set(current) - set(target), key=lambda i: (current[i].get("caught_up") is not False, i)
    )
    for node_id in leaving:
        voter = current[node_id]
        endpoint = voter.get("endpoint") or ""
        plan["steps"].append(
            {
                "action": "remove",
                "id": node_id,
                "host": _host_of(endpoint, known_addresses),
                "directory_id": voter.get("directory_id"),
                "endpoint": endpoint,
            }
        )
    return plan
