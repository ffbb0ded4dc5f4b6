#!/usr/bin/python
# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

DOCUMENTATION = r"""
module: kafka_acl
short_description: Add and remove Kafka ACL bindings, many in one task
version_added: 0.1.0
description:
  - Makes the ACL bindings listed in O(acls) present or absent. A binding is a principal,
    allowed or denied an operation, on a resource (type and name, literal or prefixed
    pattern), from a host; Kafka knows no other identity for it, so changing any part of a
    binding is removing one and adding another.
  - All bindings of the task are read in one DescribeAcls request, all missing ones are
    added in one CreateAcls request, and all to remove are removed in one DeleteAcls request
    (each filter matching exactly one binding), added first so that replacing a binding
    leaves no moment without access.
  - With O(exclusive=true), each principal named in O(acls) ends with exactly the bindings
    listed for it; its other bindings, on any resource, are removed.
  - Bindings of O(protected_principals) (the super users, the brokers' own principal) are
    never removed and never given a DENY; a task that would do so fails, changing nothing,
    and names each such binding.
  - Every value is checked before the first request - principals (C(User:name)), resource
    types, operations the resource type supports, pattern types, permissions, empty or
    padded names, topic names Kafka would refuse, the CLUSTER resource's only name, and
    hosts (Kafka compares the client's IP address as text, so host names, networks and
    IPv6 addresses not written as Java prints them are refused as they would never match).
  - When a request fails after another changed the cluster, the task fails and reports in
    RV(added) and RV(removed) only what it reads back from the brokers.
author:
  - datapipe maintainers (!UNKNOWN)
extends_documentation_fragment:
  - datapipe.kafka_pipeline.kafka_connection
options:
  acls:
    description:
      - The bindings, each a dictionary with these keys.
      - C(principal) (required), C(User:<name>); C(User:*) is every user.
      - C(resource_type) (required), one of C(topic), C(group), C(cluster),
        C(transactional_id), C(delegation_token), C(user).
      - C(resource_name), the resource's name, or the start of the names with
        C(pattern_type=prefixed); C(*) with C(literal) is every resource of the type. Not
        needed for C(cluster), whose only name is C(kafka-cluster).
      - C(pattern_type), C(literal) (default) or C(prefixed).
      - C(operations), a list of operations (or C(operation), one), each C(all) or one the
        resource type supports. C(topic) - C(read), C(write), C(create), C(describe),
        C(delete), C(alter), C(describe_configs), C(alter_configs). C(group) - C(read),
        C(describe), C(delete), C(describe_configs), C(alter_configs). C(cluster) -
        C(create), C(cluster_action), C(describe_configs), C(alter_configs),
        C(idempotent_write), C(alter), C(describe). C(transactional_id) - C(describe),
        C(write). C(delegation_token) - C(describe). C(user) - C(create_tokens),
        C(describe_tokens). Each operation is one binding.
      - C(permission), C(allow) (default) or C(deny).
      - C(host), C(*) (default) or one IP address (IPv6 as Java prints it, such as
        C(0:0:0:0:0:0:0:1)).
      - Values are case-insensitive and may be written as Kafka's tools write them
        (C(DescribeConfigs), C(Prefixed)). A key given with no value (C(null)) is refused.
    type: list
    elements: dict
    required: true
  state:
    description:
      - V(present) adds the bindings that are missing; V(absent) removes those that exist.
    type: str
    default: present
    choices: [present, absent]
  exclusive:
    description:
      - With O(state=present), also remove every binding of each principal named in O(acls)
        that is not listed. Principals not named in the task are never touched; an empty
        O(acls) changes nothing.
    type: bool
    default: false
  protected_principals:
    description:
      - Principals whose bindings the task must never remove or deny, such as the super
        users and the brokers' principal (C(User:CN=kafka1.internal) with TLS client
        certificates). A task that would remove one of their bindings (with O(state=absent)
        or O(exclusive=true)) or add a DENY for one fails, changing nothing.
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying
      target.
    support: full
    details: Reads the bindings; writes nothing.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in
      check_mode), when in diff mode.
    support: full
    details: The bindings of the principals named in the task, before and after, one sorted
      line per binding.
notes:
  - The brokers need an authorizer (C(authorizer.class.name), C(StandardAuthorizer) in KRaft
    mode, C(AclAuthorizer) in ZooKeeper mode); without one the task fails saying so.
  - The principal of the connection needs C(Describe) on the cluster to read bindings and
    C(Alter) on the cluster to change them (or is a super user).
  - Kafka applies new bindings on each broker shortly after the request.
seealso:
  - module: datapipe.kafka_pipeline.kafka_user
  - name: Kafka authorization and ACLs
    description: Operations, resources and how Kafka matches bindings.
    link: https://kafka.apache.org/documentation/#security_authz
"""

EXAMPLES = r"""
- name: Let the producer write to its topic, and only that
  datapipe.kafka_pipeline.kafka_acl:
    bootstrap_servers: ["kafka1.internal:9093"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_cafile: /etc/pki/kafka/ca.pem
    exclusive: true
    protected_principals: [User:admin, User:CN=kafka1.internal]
    acls:
      - principal: User:logstash-producer
        resource_type: topic
        resource_name: twitter
        operations: [write, describe]
      - principal: User:logstash-producer
        resource_type: cluster
        operations: [idempotent_write]
  delegate_to: localhost

- name: Let the consumer read the topics starting with twitter and use its group
  datapipe.kafka_pipeline.kafka_acl:
    bootstrap_servers: ["kafka1.internal:9093"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_cafile: /etc/pki/kafka/ca.pem
    acls:
      - principal: User:logstash-consumer
        resource_type: topic
        resource_name: twitter
        pattern_type: prefixed
        operations: [read, describe]
      - principal: User:logstash-consumer
        resource_type: group
        resource_name: twitter_log_to_es
        operation: read

- name: Take back a grant
  datapipe.kafka_pipeline.kafka_acl:
    bootstrap_servers: ["kafka1.internal:9093"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_cafile: /etc/pki/kafka/ca.pem
    state: absent
    acls:
      - principal: User:reporting
        resource_type: topic
        resource_name: "*"
        operation: read
"""

RETURN = r"""
added:
  description:
    - Bindings added (in check mode, that would be added), sorted. After a failure part
      way, those the brokers show.
  returned: always
  type: list
  elements: dict
  sample:
    - principal: User:logstash-producer
      permission: ALLOW
      operation: WRITE
      resource_type: TOPIC
      pattern_type: LITERAL
      resource_name: twitter
      host: "*"
removed:
  description:
    - Bindings removed (in check mode, that would be removed), sorted, in the same form as
      RV(added). After a failure part way, those the brokers show gone.
  returned: always
  type: list
  elements: dict
bindings:
  description:
    - The bindings of the principals named in the task once it is done (in check mode, as
      they would be), one readable line each, sorted.
  returned: always
  type: list
  elements: str
  sample: ["User:logstash-producer on TOPIC literal 'twitter': ALLOW WRITE from host *"]
"""

from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.acl_plan import (
    acl_task_problems,
    binding_line,
    build_acl_diff,
    changes_made,
    describe_changes,
    in_scope,
    plan_acls,
    sorted_bindings,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_admin import (
    describe_kafka_error,
    fail_on_kafka_error,
    kafka_errors,
    kafka_module,
    open_admin_client,
)

try:
    from kafka.admin import (
        ACL,
        ACLFilter,
        ACLOperation,
        ACLPermissionType,
        ACLResourcePatternType,
        ResourcePattern,
        ResourcePatternFilter,
        ResourceType,
    )
except ImportError:  # reported by open_admin_client
    pass


def to_acl(binding, kind=None):
    """A binding dictionary as kafka-python's ACL (or, with kind=ACLFilter, an exact filter)."""
    kind = kind or ACL
    pattern_class = ResourcePattern if kind is ACL else ResourcePatternFilter
    return kind(
        principal=binding["principal"],
        host=binding["host"],
        operation=ACLOperation[binding["operation"]],
        permission_type=ACLPermissionType[binding["permission"]],
        resource_pattern=pattern_class(
            ResourceType[binding["resource_type"]],
            binding["resource_name"],
            ACLResourcePatternType[binding["pattern_type"]],
        ),
    )


def from_acl(acl):
    return dict(
        principal=acl.principal,
        permission=acl.permission_type.name,
        operation=acl.operation.name,
        resource_type=acl.resource_pattern.resource_type.name,
        pattern_type=acl.resource_pattern.pattern_type.name,
        resource_name=acl.resource_pattern.resource_name,
        host=acl.host,
    )


def read_bindings(admin):
    """Every binding in the cluster, in one DescribeAcls request."""
    everything = ACLFilter(
        principal=None,
        host=None,
        operation=ACLOperation.ANY,
        permission_type=ACLPermissionType.ANY,
        resource_pattern=ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY),
    )
    acls, _error = admin.describe_acls(everything)
    return [from_acl(acl) for acl in acls]


def read_error_message(error, params):
    disabled = getattr(kafka_errors, "SecurityDisabledError", None)
    if disabled is not None and isinstance(error, disabled):
        return (
            "Could not read the ACLs: the brokers have no authorizer"
            " (authorizer.class.name is not set), so they keep no ACLs; configure"
            " StandardAuthorizer (KRaft) or AclAuthorizer (ZooKeeper mode) first"
        )
    return f"Could not read the ACLs: {describe_kafka_error(error, params)}"


def apply_plan(admin, plan):
    """Add, then remove; returns the reason of a failure, or None."""
    if plan["add"]:
        answer = admin.create_acls([to_acl(b) for b in plan["add"]])
        if answer["failed"]:
            return "Kafka refused to add {} of {} binding(s): {}".format(
                len(answer["failed"]),
                len(plan["add"]),
                ", ".join(sorted({error.__name__ for error in answer["failed"]})),
            )
    if plan["remove"]:
        answer = admin.delete_acls([to_acl(b, ACLFilter) for b in plan["remove"]])
        # One answer per filter, in the order sent; each filter is one binding.
        refused = [
            f"{binding_line(plan['remove'][index])}: {error.__name__}"
            for index, (_filter, _matched, error) in enumerate(answer)
            if error.errno != 0
        ]
        if refused:
            return "Kafka refused to remove " + "; ".join(refused)
    return None


def main():
    module = kafka_module(
        dict(
            acls=dict(type="list", elements="dict", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            exclusive=dict(type="bool", default=False),
            protected_principals=dict(type="list", elements="str", default=[]),
        ),
    )
    params = module.params
    desired, problems = acl_task_problems(params)
    if problems:
        module.fail_json(msg="Nothing was changed: " + "; ".join(problems))
    if not desired:
        module.exit_json(changed=False, added=[], removed=[], bindings=[])

    with open_admin_client(module) as admin:
        try:
            current = read_bindings(admin)
        except Exception as error:
            module.fail_json(msg=read_error_message(error, params))
        plan, problems = plan_acls(
            desired,
            current,
            params["state"],
            params["exclusive"],
            params["protected_principals"],
        )
        diff = build_acl_diff(plan, current)
        result = dict(
            changed=bool(plan["add"] or plan["remove"]),
            added=plan["add"],
            removed=plan["remove"],
            bindings=diff["after"].splitlines(),
        )
        if module._diff:
            result["diff"] = diff
        if problems:
            result["changed"] = False
            module.fail_json(msg="Nothing was changed: " + "; ".join(problems), **result)
        if not result["changed"] or module.check_mode:
            module.exit_json(**result)

        try:
            reason = apply_plan(admin, plan)
        except Exception as error:
            reason = describe_kafka_error(error, params)
        if reason:
            fail_part_way(module, admin, plan, before=current, reason=reason, result=result)
    module.exit_json(**result)


def fail_part_way(module, admin, plan, *, before, reason, result):
    """Report only what the brokers show was done, read back after the failure."""
    try:
        now = read_bindings(admin)
    except Exception as error:
        result.update(added=[], removed=[], changed=False)
        fail_on_kafka_error(
            module,
            error,
            f"Changing the ACLs failed ({reason}); what changed is unknown, as reading the"
            " bindings back failed too",
            **result,
        )
    added, removed = changes_made(plan, now)
    result.update(
        added=added,
        removed=removed,
        changed=bool(added or removed),
        bindings=[binding_line(b) for b in sorted_bindings(in_scope(now, plan["scope"]))],
    )
    if module._diff:
        result["diff"] = build_acl_diff(dict(plan, add=added, remove=removed), before)
    module.fail_json(
        msg=f"Changing the ACLs failed part way: {reason}. Changed, read back from the"
        f" brokers: {describe_changes(added, removed)}",
        **result,
    )


if __name__ == "__main__":
    main()
