#!/usr/bin/python
# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

DOCUMENTATION = r"""
module: kafka_user
short_description: Create, change the password of and delete Kafka SCRAM users
version_added: 0.1.0
description:
  - Manages the SCRAM credential of one Kafka user (KIP-554, the
    AlterUserScramCredentials and DescribeUserScramCredentials requests), in KRaft and in
    ZooKeeper mode. A user exists for Kafka as long as it has a SCRAM credential for at least
    one mechanism.
  - Kafka stores a salted hash of the password and describes only the mechanism and the
    iteration count, so the module cannot tell whether the password in the task is the one
    stored. O(update_password) chooses what to do with an existing credential, as the
    database modules do - V(on_create) leaves it alone (the default, idempotent),
    V(always) writes it again on every run and reports a change.
  - The password is hashed on the controller (PBKDF2 with a fresh random salt) and only the
    hash is sent. The password is never logged, and neither it nor a hash or salt appears in
    the result or the diff.
  - Deleting the credentials of both mechanisms takes two requests, as Kafka refuses two
    changes to one user in one request; when the second fails, the result says what the
    first changed.
  - Every option is checked before the first request (empty or padded names, a principal
    given as a name, an empty password, iterations outside Kafka's bounds).
author:
  - datapipe maintainers (!UNKNOWN)
extends_documentation_fragment:
  - datapipe.kafka_pipeline.kafka_connection
options:
  name:
    description:
      - The user name, as the client gives it to log in (C(sasl_username)); its principal in
        ACLs is C(User:<name>). A name that starts with C(User:) is refused.
    type: str
    required: true
  password:
    description:
      - The password. Required with O(state=present), refused with O(state=absent).
        Never logged.
    type: str
  mechanism:
    description:
      - The SCRAM mechanism of the credential.
      - With O(state=present), V(SCRAM-SHA-512) when not given. Credentials of the user for
        the other mechanism are left as they are.
      - With O(state=absent), only the credential of this mechanism is deleted; when not
        given, every SCRAM credential of the user is, so the user can no longer log in with
        SCRAM.
    type: str
    choices: [SCRAM-SHA-256, SCRAM-SHA-512]
  iterations:
    description:
      - PBKDF2 iterations of the stored hash, from 4096 to 16384 (Kafka's bounds for both
        mechanisms; checked before any request).
      - With O(update_password=on_create), an existing credential with another count is left
        as it is, with a warning.
    type: int
    default: 8192
  state:
    description:
      - V(present) creates the credential (and so the user); V(absent) deletes it.
    type: str
    default: present
    choices: [present, absent]
  update_password:
    description:
      - V(on_create) sets the password only when the user has no credential for
        O(mechanism) yet. V(always) writes the credential on every run (a new salt each time),
        so the task always reports a change; use it to rotate a password.
    type: str
    default: on_create
    choices: [on_create, always]
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying
      target.
    support: full
    details: Reads the user's credentials; writes nothing.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in
      check_mode), when in diff mode.
    support: full
    details: The user and its mechanisms and iteration counts before and after, and
      C(password_changed) when a password is written; never a password, hash or salt.
notes:
  - The principal of the connection needs C(Describe) on the cluster to read credentials and
    C(Alter) on the cluster to change them (or is a super user).
  - Kafka applies a change on the brokers shortly after the request; a client that logs in
    within that moment may still see the old credential.
seealso:
  - module: datapipe.kafka_pipeline.kafka_acl
  - name: Kafka SASL/SCRAM authentication
    description: How brokers authenticate SCRAM users and store their credentials.
    link: https://kafka.apache.org/documentation/#security_sasl_scram
"""

EXAMPLES = r"""
- name: Create the producer's user; an existing one keeps its password
  datapipe.kafka_pipeline.kafka_user:
    bootstrap_servers: ["kafka1.internal:9093"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_cafile: /etc/pki/kafka/ca.pem
    name: logstash-producer
    password: "{{ vault_kafka_producer_password }}"
  delegate_to: localhost

- name: Rotate the consumer's password (reports a change on every run)
  datapipe.kafka_pipeline.kafka_user:
    bootstrap_servers: ["kafka1.internal:9093"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_cafile: /etc/pki/kafka/ca.pem
    name: logstash-consumer
    password: "{{ vault_kafka_consumer_password }}"
    update_password: always

- name: Remove a user that left (every SCRAM credential it has)
  datapipe.kafka_pipeline.kafka_user:
    bootstrap_servers: ["kafka1.internal:9093"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_cafile: /etc/pki/kafka/ca.pem
    name: old-reporting
    state: absent
"""

RETURN = r"""
user:
  description: The user name.
  returned: always
  type: str
  sample: logstash-producer
change:
  description: C(create), C(update) (password written again), C(delete) or C(none).
  returned: always
  type: str
  sample: create
credentials:
  description:
    - The user's SCRAM credentials once the task is done (in check mode, as they would be),
      by mechanism and iteration count. Never a password, hash or salt.
    - When a request fails, what the brokers show, read back after the failure.
  returned: always
  type: list
  elements: dict
  sample: [{mechanism: SCRAM-SHA-512, iterations: 8192}]
"""

from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_admin import (
    describe_kafka_error,
    fail_on_kafka_error,
    kafka_module,
    open_admin_client,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.scram_users import (
    MECHANISMS,
    build_user_diff,
    credential_list,
    credentials_after,
    describe_made,
    plan_user,
    refusals,
    user_task_problems,
)

try:
    import kafka.errors as kafka_errors
    from kafka.admin import UserScramCredentialDeletion, UserScramCredentialUpsertion
    from kafka.protocol.admin import AlterUserScramCredentialsRequest
except ImportError:  # reported by open_admin_client
    pass


def read_credentials(admin, name):
    """``{mechanism: iterations}`` of the user; empty when it has none.

    All users are described, as Kafka answers a named user without credentials with an
    error that kafka-python passes on only as text.
    """
    described = admin.describe_user_scram_credentials(None).get(name) or {}
    credentials = {}
    for info in described.get("credential_infos") or []:
        mechanism = info["mechanism"].name.replace("_", "-")
        if mechanism in MECHANISMS:
            credentials[mechanism] = info["iterations"]
    return credentials


def alterations(name, plan, password):
    changes = [UserScramCredentialDeletion(name, m) for m in plan["delete"]]
    if plan["upsert"]:
        changes.append(
            UserScramCredentialUpsertion(
                name, plan["upsert"], password, iterations=plan["iterations"]
            )
        )
    return changes


def send_to_controller(admin, alteration):
    """Send one credential change to the controller; ``["user: why", ...]`` when refused.

    kafka-python's alter_user_scram_credentials sends the request to any broker and keeps
    only the error message. A ZooKeeper-mode broker that is not the controller refuses the
    change with NOT_CONTROLLER and an empty message, which read as success: the user was
    never created. So the request goes to the controller (kafka-python looks it up again
    once when it moved) and the error code decides. KRaft brokers forward it to their
    controller quorum, whichever broker gets it.
    """
    if isinstance(alteration, UserScramCredentialDeletion):
        request = AlterUserScramCredentialsRequest(
            deletions=[(alteration.user, int(alteration.mechanism))], upsertions=[]
        )
    else:
        request = AlterUserScramCredentialsRequest(
            deletions=[],
            upsertions=[
                (
                    alteration.user,
                    int(alteration.mechanism),
                    alteration.iterations,
                    alteration.salt,
                    alteration.salted_password,
                )
            ],
        )

    def result_errors(response):
        return [kafka_errors.for_code(result.error_code) for result in response.results]

    response = admin._manager.run(admin._send_request_to_controller, request, result_errors, False)
    names = {code: error.message for code, error in kafka_errors.kafka_errors.items()}
    return refusals([(r.user, r.error_code, r.error_message) for r in response.results], names)


def main():
    module = kafka_module(
        dict(
            name=dict(type="str", required=True),
            password=dict(type="str", no_log=True),
            mechanism=dict(type="str", choices=list(MECHANISMS)),
            iterations=dict(type="int", default=8192),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            update_password=dict(
                type="str", default="on_create", choices=["on_create", "always"], no_log=False
            ),
        ),
    )
    params = module.params
    problems = user_task_problems(params)
    if problems:
        module.fail_json(msg="Nothing was changed: " + "; ".join(problems))
    name = params["name"]

    with open_admin_client(module) as admin:
        try:
            current = read_credentials(admin, name)
        except Exception as error:
            fail_on_kafka_error(module, error, f"Could not read the SCRAM credentials of {name}")
        plan = plan_user(
            params["state"],
            params["mechanism"],
            params["iterations"],
            params["update_password"],
            current,
        )
        for warning in plan["warnings"]:
            module.warn(warning)
        result = dict(
            changed=plan["action"] != "none",
            user=name,
            change=plan["action"],
            credentials=credential_list(credentials_after(plan, current)),
        )
        if module._diff:
            result["diff"] = build_user_diff(name, plan, current)
        if not result["changed"] or module.check_mode:
            module.exit_json(**result)

        reason = None
        try:
            # Kafka refuses two changes to one user in one request: one request each.
            for alteration in alterations(name, plan, params["password"]):
                refused = send_to_controller(admin, alteration)
                if refused:
                    reason = "Kafka refused it (" + "; ".join(refused) + ")"
                    break
        except Exception as error:
            reason = describe_kafka_error(error, params)
        if reason:
            fail_part_way(module, admin, plan, before=current, reason=reason, result=result)
    module.exit_json(**result)


def fail_part_way(module, admin, plan, *, before, reason, result):
    """Report what the brokers show after a failed request, never what was planned."""
    name = module.params["name"]
    try:
        after = read_credentials(admin, name)
    except Exception as error:
        why = describe_kafka_error(error, module.params)
        module.fail_json(
            msg=f"Changing the SCRAM credentials of {name} failed: {reason}. What changed is"
            f" unknown, as reading it back failed too ({why})",
            **result,
        )
    made = describe_made(name, plan, before, after)
    result["credentials"] = credential_list(after)
    result["changed"] = before != after
    if module._diff:
        result["diff"] = build_user_diff(name, plan, before)
        result["diff"]["after"] = build_user_diff(
            name, dict(plan, action="none", upsert=None, delete=[]), after
        )["after"]
    module.fail_json(
        msg=f"Changing the SCRAM credentials of {name} failed: {reason}. Read back from the"
        f" brokers: {'; '.join(made) if made else 'nothing changed'}",
        **result,
    )


if __name__ == "__main__":
    main()
