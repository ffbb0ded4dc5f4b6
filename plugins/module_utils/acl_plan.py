# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""ACL bindings as asked vs. the bindings Kafka describes -> what to add and remove.

Plain data only, no I/O: the module reads the bindings, hands them here, and only then
talks to Kafka again to carry out the plan.

A binding is a dictionary of seven strings, each in Kafka's own spelling::

    {"principal": "User:alice", "permission": "ALLOW", "operation": "READ",
     "resource_type": "TOPIC", "pattern_type": "LITERAL", "resource_name": "twitter",
     "host": "*"}

Two bindings are the same binding when all seven are equal; Kafka has no other identity
for an ACL.
"""

import ipaddress
import re

from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.topic_plan import (
    topic_name_problems,
)

FIELDS = (
    "principal",
    "permission",
    "operation",
    "resource_type",
    "pattern_type",
    "resource_name",
    "host",
)
# Kafka's AclEntry.supportedOperations per resource type (ALL is allowed on each). GROUP's
# DESCRIBE_CONFIGS and ALTER_CONFIGS are for group configs (Kafka 3.8 and newer).
SUPPORTED_OPERATIONS = {
    "TOPIC": (
        "READ",
        "WRITE",
        "CREATE",
        "DESCRIBE",
        "DELETE",
        "ALTER",
        "DESCRIBE_CONFIGS",
        "ALTER_CONFIGS",
    ),
    "GROUP": ("READ", "DESCRIBE", "DELETE", "DESCRIBE_CONFIGS", "ALTER_CONFIGS"),
    "CLUSTER": (
        "CREATE",
        "CLUSTER_ACTION",
        "DESCRIBE_CONFIGS",
        "ALTER_CONFIGS",
        "IDEMPOTENT_WRITE",
        "ALTER",
        "DESCRIBE",
    ),
    "TRANSACTIONAL_ID": ("DESCRIBE", "WRITE"),
    "DELEGATION_TOKEN": ("DESCRIBE",),
    "USER": ("CREATE_TOKENS", "DESCRIBE_TOKENS"),
}
RESOURCE_TYPES = tuple(SUPPORTED_OPERATIONS)
OPERATIONS = (
    "ALL",
    "READ",
    "WRITE",
    "CREATE",
    "DELETE",
    "ALTER",
    "DESCRIBE",
    "CLUSTER_ACTION",
    "DESCRIBE_CONFIGS",
    "ALTER_CONFIGS",
    "IDEMPOTENT_WRITE",
    "CREATE_TOKENS",
    "DESCRIBE_TOKENS",
)
PATTERN_TYPES = ("LITERAL", "PREFIXED")
PERMISSIONS = ("ALLOW", "DENY")
CLUSTER_NAME = "kafka-cluster"
WILDCARD = "*"
ENTRY_KEYS = (
    "principal",
    "resource_type",
    "resource_name",
    "pattern_type",
    "operations",
    "operation",
    "permission",
    "host",
)
# Values valid only in a filter, never in a binding.
_FILTER_ONLY = {"ANY", "MATCH", "UNKNOWN"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TOPIC_CHARACTERS = re.compile(r"^[a-zA-Z0-9._-]+$")


def canonical_spelling(value):
    """Kafka's enum spelling of a value written as READ, read, DescribeConfigs or
    describe-configs (DESCRIBE_CONFIGS); None when it is not a string."""
    if not isinstance(value, str):
        return None
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", value.strip())
    return spaced.replace("-", "_").upper()


def _first_problem(checks):
    """The message of the first check that fails, as a list (empty when none does)."""
    for failed, message in checks:
        if failed:
            return [message]
    return []


def principal_problems(principal, what="principal"):
    """Why ``principal`` is not a principal Kafka's default principal builder gives."""
    if not isinstance(principal, str) or not principal:
        return [f"{what} must be a non-empty string such as User:alice, got {principal!r}"]
    kind, _colon, name = principal.partition(":")
    return _first_problem(
        [
            (":" not in principal, f"{what} {principal!r} has no type: write User:{principal}"),
            (
                kind != "User" and kind.lower() == "user",
                f"{what} {principal!r}: the type is spelt User (Kafka compares it exactly)",
            ),
            (
                kind != "User",
                f"{what} {principal!r}: only User principals are supported (what Kafka's"
                " principal builder gives SASL and TLS clients), such as User:alice",
            ),
            (not name, f"{what} {principal!r} has no name after User:"),
            (name != name.strip(), f"{what} {principal!r} starts or ends its name with a space"),
            (bool(_CONTROL.search(name)), f"{what} {principal!r} contains a control character"),
        ]
    )


def java_ipv6(address):
    """An IPv6 address as Java's InetAddress.getHostAddress() prints it, which is what Kafka
    compares an ACL's host with: eight groups, no leading zeros, no '::'."""
    packed = address.packed
    return ":".join(f"{int.from_bytes(packed[i : i + 2], 'big'):x}" for i in range(0, 16, 2))


def host_problems(host):
    """Why ``host`` can never match a client: Kafka compares it, as text, with the client's
    IP address as Java prints it (or '*' for every host)."""
    if not isinstance(host, str) or not host:
        return [f"host must be '*' or an IP address, got {host!r}"]
    if host == WILDCARD:
        return []
    if "/" in host:
        return [f"host {host!r}: Kafka ACLs take one address, not a network; use '*' or list"]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return [
            f"host {host!r} is not an IP address: Kafka matches the client's address, so a"
            " host name never matches; use the address or '*'"
        ]
    written = str(address) if address.version == 4 else java_ipv6(address)
    if written != host:
        return [
            f"host {host!r}: Kafka compares the address as text, as Java prints it; write {written}"
        ]
    return []


def _choice(key, value, choices, where):
    spelled = canonical_spelling(value)
    if spelled in choices:
        return spelled, []
    if spelled in _FILTER_ONLY:
        return None, [
            f"{where}: {key} {value!r} is only valid when searching ACLs, not in a binding;"
            f" use one of {', '.join(choices)}"
        ]
    return None, [f"{where}: {key} {value!r} is not one of {', '.join(choices)}"]


def _topic_name_problems(pattern_type, name, where):
    if pattern_type == "LITERAL":
        return [f"{where}: {problem}" for problem in topic_name_problems(name, True)]
    if len(name) > 249 or not _TOPIC_CHARACTERS.match(name):
        return [
            f"{where}: prefix {name!r} can match no topic: topic names are up to 249"
            " ASCII letters, digits, '.', '_' and '-'"
        ]
    return []


def _name_problems(resource_type, pattern_type, name, where):
    if not isinstance(name, str):
        return [f"{where}: resource_name must be a string (quote it), got {name!r}"]
    found = _first_problem(
        [
            (not name, f"{where}: resource_name is empty"),
            (
                name != name.strip() or bool(_CONTROL.search(name)),
                f"{where}: resource_name {name!r} has white space at an end or a control character",
            ),
            (
                resource_type == "CLUSTER" and (name, pattern_type) != (CLUSTER_NAME, "LITERAL"),
                f"{where}: the CLUSTER resource has one name, {CLUSTER_NAME} (literal); leave"
                " resource_name and pattern_type out",
            ),
            (
                name == WILDCARD and pattern_type == "PREFIXED",
                f"{where}: a prefixed '*' matches only names starting with '*'; for every"
                " name use pattern_type literal with resource_name '*'",
            ),
        ]
    )
    if found or resource_type != "TOPIC" or name == WILDCARD:
        return found
    return _topic_name_problems(pattern_type, name, where)


def _entry_shape_problems(entry, where):
    """Keys unknown, missing or without a value."""
    problems = []
    unknown = sorted(str(key) for key in entry if key not in ENTRY_KEYS)
    if unknown:
        problems.append(
            f"{where}: unknown key(s) {', '.join(unknown)}; known keys: {', '.join(ENTRY_KEYS)}"
        )
    nulls = sorted(key for key in ENTRY_KEYS if key in entry and entry[key] is None)
    if nulls:
        problems.append(f"{where}: {', '.join(nulls)} given with no value; give one or leave out")
    for key in ("principal", "resource_type"):
        if key not in entry:
            problems.append(f"{where}: {key} is required")
    if ("operation" in entry) == ("operations" in entry):
        problems.append(f"{where}: give operations (a list) or operation (one), exactly one")
    return problems


def _operations(entry, resource_type, where):
    """The entry's operations in Kafka's spelling, and what is wrong with them."""
    operations = entry.get("operations", entry.get("operation"))
    if isinstance(operations, str):
        operations = [operations]
    if not isinstance(operations, list) or not operations:
        return [], [f"{where}: operations must be a non-empty list, got {operations!r}"]
    spelled_operations, problems = [], []
    for operation in operations:
        spelled, found = _choice("operation", operation, OPERATIONS, where)
        supported = SUPPORTED_OPERATIONS.get(resource_type, OPERATIONS)
        if spelled is not None and spelled != "ALL" and spelled not in supported:
            found = [
                f"{where}: {resource_type} does not support operation {spelled}; it"
                f" supports ALL, {', '.join(supported)}"
            ]
        problems.extend(found)
        if not found:
            spelled_operations.append(spelled)
    return spelled_operations, problems


def bindings_from_entry(entry, index):
    """The bindings one entry of ``acls`` stands for, and what is wrong with it."""
    where = f"acls[{index}]"
    if not isinstance(entry, dict):
        return [], [f"{where} must be a dictionary, got {entry!r}"]
    problems = _entry_shape_problems(entry, where)
    if problems:
        return [], problems
    problems.extend(f"{where}: {p}" for p in principal_problems(entry["principal"]))
    spelled = {}
    for key, default, choices in (
        ("resource_type", None, RESOURCE_TYPES),
        ("pattern_type", "LITERAL", PATTERN_TYPES),
        ("permission", "ALLOW", PERMISSIONS),
    ):
        spelled[key], found = _choice(key, entry.get(key, default), choices, where)
        problems.extend(found)
    host = entry.get("host", WILDCARD)
    problems.extend(f"{where}: {p}" for p in host_problems(host))
    operations, found = _operations(entry, spelled["resource_type"], where)
    problems.extend(found)
    name = entry.get("resource_name")
    if name is None and spelled["resource_type"] == "CLUSTER":
        name = CLUSTER_NAME
    if name is None:
        problems.append(f"{where}: resource_name is required")
    elif spelled["resource_type"] and spelled["pattern_type"]:
        problems.extend(
            _name_problems(spelled["resource_type"], spelled["pattern_type"], name, where)
        )
    if problems:
        return [], problems
    return [
        dict(
            principal=entry["principal"],
            permission=spelled["permission"],
            operation=operation,
            resource_type=spelled["resource_type"],
            pattern_type=spelled["pattern_type"],
            resource_name=name,
            host=host,
        )
        for operation in operations
    ], []


def acl_task_problems(params):
    """Validate the task: (the bindings asked for, de-duplicated and sorted, problems); no
    bindings when anything is wrong."""
    problems = []
    entries = params.get("acls")
    if not isinstance(entries, list):
        return [], [f"acls must be a list of bindings, got {entries!r}"]
    bindings = []
    for index, entry in enumerate(entries):
        found, entry_problems = bindings_from_entry(entry, index)
        bindings.extend(found)
        problems.extend(entry_problems)
    protected = params.get("protected_principals") or []
    if not isinstance(protected, list):
        problems.append(f"protected_principals must be a list, got {protected!r}")
        protected = []
    for principal in protected:
        problems.extend(principal_problems(principal, "protected_principals entry"))
    state = params.get("state") or "present"
    if params.get("exclusive") and state != "present":
        problems.append(
            "exclusive=true only makes sense with state=present (it keeps exactly the bindings"
            " listed); with state=absent only the bindings listed are removed"
        )
    for binding in bindings:
        if binding["principal"] in protected and binding["permission"] == "DENY":
            problems.append(
                f"refusing to add a DENY for protected principal {binding['principal']}"
                f" ({binding_line(binding)}): it would take away access the cluster needs"
            )
    if problems:
        return [], problems
    return sorted_bindings(_unique(bindings)), []


def binding_key(binding):
    return tuple(binding[field] for field in FIELDS)


def _sort_key(binding):
    return (
        binding["principal"],
        binding["resource_type"],
        binding["pattern_type"],
        binding["resource_name"],
        binding["permission"],
        binding["operation"],
        binding["host"],
    )


def sorted_bindings(bindings):
    return sorted(bindings, key=_sort_key)


def _unique(bindings):
    seen = {}
    for binding in bindings:
        seen.setdefault(binding_key(binding), binding)
    return list(seen.values())


def binding_line(binding):
    """One binding as a line a person reads (and a diff compares)."""
    return (
        f"{binding['principal']} on {binding['resource_type']}"
        f" {binding['pattern_type'].lower()} {binding['resource_name']!r}:"
        f" {binding['permission']} {binding['operation']} from host {binding['host']}"
    )


def binding_lines(bindings):
    """Sorted lines, so those of one principal and resource stand together."""
    return "".join(sorted(binding_line(b) + "\n" for b in bindings))


def plan_acls(desired, current, state, exclusive, protected):
    """What to add and remove: {"add": [...], "remove": [...], "scope": [principals]},
    and problems (removals the task may not make)."""
    current_keys = {binding_key(b) for b in current}
    desired_keys = {binding_key(b) for b in desired}
    scope = sorted({b["principal"] for b in desired})
    if state == "absent":
        add = []
        remove = [b for b in desired if binding_key(b) in current_keys]
    else:
        add = [b for b in desired if binding_key(b) not in current_keys]
        remove = []
        if exclusive:
            remove = [
                b for b in current if b["principal"] in scope and binding_key(b) not in desired_keys
            ]
    problems = []
    refused = [b for b in remove if b["principal"] in (protected or [])]
    if refused:
        problems.append(
            "refusing to remove bindings of protected principal(s) "
            + ", ".join(sorted({b["principal"] for b in refused}))
            + ": "
            + "; ".join(binding_line(b) for b in sorted_bindings(refused))
            + (
                ". List them in acls to keep them with exclusive=true, or take the principal"
                " out of protected_principals if you really mean to remove them"
            )
        )
    return dict(
        add=sorted_bindings(_unique(add)), remove=sorted_bindings(_unique(remove)), scope=scope
    ), problems


def in_scope(bindings, scope):
    return [b for b in bindings if b["principal"] in scope]


def build_acl_diff(plan, current):
    """Before and after of the bindings of the principals named in the task, as sorted lines."""
    before = in_scope(current, plan["scope"])
    removed = {binding_key(b) for b in plan["remove"]}
    after = [b for b in before if binding_key(b) not in removed] + plan["add"]
    return {
        "before": binding_lines(before),
        "after": binding_lines(_unique(after)),
        "before_header": "ACL bindings of " + ", ".join(plan["scope"]),
        "after_header": "ACL bindings of " + ", ".join(plan["scope"]),
    }


def changes_made(plan, now):
    """What the brokers show of the plan after a failure: (added, removed), read back."""
    now_keys = {binding_key(b) for b in now}
    added = [b for b in plan["add"] if binding_key(b) in now_keys]
    removed = [b for b in plan["remove"] if binding_key(b) not in now_keys]
    return added, removed


def describe_changes(added, removed):
    if not added and not removed:
        return "nothing"
    parts = [f"added {binding_line(b)}" for b in added]
    parts += [f"removed {binding_line(b)}" for b in removed]
    return "; ".join(parts)
