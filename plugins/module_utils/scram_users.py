# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""A SCRAM user as asked vs. the credentials Kafka describes -> the change. Plain data only.

Kafka keeps, per user and SCRAM mechanism, a salted hash and its iteration count, and
describes only the mechanism and the count: a stored password can never be compared with
the one in the task. Whether an existing credential is written again therefore follows
``update_password`` (``on_create``: never; ``always``: on every run), as in the database
modules.

Shapes used here:

- current credentials: ``{mechanism: iterations}``, e.g. ``{"SCRAM-SHA-512": 8192}``;
  empty when the user has none.
- plan: ``{"action": "create" | "update" | "delete" | "none", "upsert": mechanism or None,
  "iterations": int or None, "delete": [mechanisms], "warnings": [str]}``.

Nothing here ever holds or returns a password or a salt.
"""

import re

MECHANISMS = ("SCRAM-SHA-256", "SCRAM-SHA-512")
DEFAULT_MECHANISM = "SCRAM-SHA-512"
# Kafka's bounds for both mechanisms (org.apache.kafka.common.security.scram.internals.
# ScramMechanism): a credential outside them is refused by the broker.
MIN_ITERATIONS = 4096
MAX_ITERATIONS = 16384
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def user_name_problems(name):
    """Why ``name`` cannot be a SCRAM user name, as a list of sentences."""
    if not isinstance(name, str) or not name:
        return [f"name must be a non-empty user name, got {name!r}"]
    problems = []
    if name != name.strip():
        problems.append(
            f"user name {name!r} starts or ends with white space, which a login would"
            " have to repeat exactly; remove it"
        )
    if _CONTROL.search(name):
        problems.append(f"user name {name!r} contains a control character")
    if name.startswith("User:"):
        problems.append(
            f"name {name!r} is a principal, not a user name: give the name alone"
            f" ({name[len('User:') :]!r}); ACLs name it as {name!r}"
        )
    return problems


def user_task_problems(params):
    """Everything wrong with the task's own options, judged before any request."""
    problems = user_name_problems(params.get("name"))
    state = params.get("state") or "present"
    password = params.get("password")
    mechanism = params.get("mechanism")
    iterations = params.get("iterations")
    if mechanism is not None and mechanism not in MECHANISMS:
        problems.append(
            f"mechanism {mechanism!r} is not a SCRAM mechanism Kafka knows: use"
            f" {' or '.join(MECHANISMS)}"
        )
    if state == "present":
        if password is None:
            problems.append("password is required with state=present")
        elif not isinstance(password, str) or password == "":
            problems.append("password is empty: give the user's password")
        if iterations is None:
            problems.append("iterations must be a number")
        elif isinstance(iterations, bool) or not isinstance(iterations, int):
            problems.append(f"iterations must be a whole number, got {iterations!r}")
        elif not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
            problems.append(
                f"iterations={iterations} is outside what Kafka accepts for SCRAM credentials"
                f" ({MIN_ITERATIONS} to {MAX_ITERATIONS})"
            )
    elif password is not None:
        # An ignored option is refused rather than silently dropped.
        problems.append("password given with state=absent, where it would be ignored; leave it out")
    return problems


def plan_user(state, mechanism, iterations, update_password, current):
    """The change for one user (see the module docstring for the shapes)."""
    plan = dict(action="none", upsert=None, iterations=None, delete=[], warnings=[])
    if state == "absent":
        wanted = [mechanism] if mechanism else list(MECHANISMS)
        plan["delete"] = sorted(m for m in wanted if m in current)
        if plan["delete"]:
            plan["action"] = "delete"
        return plan
    mechanism = mechanism or DEFAULT_MECHANISM
    if mechanism not in current:
        plan.update(action="create", upsert=mechanism, iterations=iterations)
    elif update_password == "always":
        plan.update(action="update", upsert=mechanism, iterations=iterations)
    elif current[mechanism] != iterations:
        plan["warnings"].append(
            f"The {mechanism} credential of this user has {current[mechanism]} iterations,"
            f" not {iterations}; with update_password=on_create it is left as it is. Use"
            " update_password=always to write it again (with the task's password)."
        )
    return plan


def credentials_after(plan, current):
    """The credentials the user has once ``plan`` is carried out."""
    after = dict(current)
    for mechanism in plan["delete"]:
        after.pop(mechanism, None)
    if plan["upsert"]:
        after[plan["upsert"]] = plan["iterations"]
    return after


def credential_list(credentials):
    """``{mechanism: iterations}`` as the sorted list the module returns."""
    return [
        {"mechanism": mechanism, "iterations": iterations}
        for mechanism, iterations in sorted(credentials.items())
    ]


def build_user_diff(name, plan, current):
    """Before and after for ``--diff``: the user and its mechanisms and iterations, never a
    password or a salt. A rewritten password shows as ``password_changed``."""

    def view(credentials, password_changed=False):
        if not credentials:
            return {}
        shown = {"user": name, "credentials": credential_list(credentials)}
        if password_changed:
            shown["password_changed"] = True
        return shown

    return {
        "before": view(current),
        "after": view(credentials_after(plan, current), plan["action"] in ("create", "update")),
    }


def describe_made(name, plan, before, after):
    """What the brokers show was changed, compared with what was there before (read back)."""
    done = []
    for mechanism in sorted(set(before) | set(after)):
        if mechanism in after and mechanism not in before:
            done.append(f"{mechanism} credential of {name} created")
        elif mechanism in before and mechanism not in after:
            done.append(f"{mechanism} credential of {name} deleted")
        elif before[mechanism] != after[mechanism]:
            done.append(f"{mechanism} credential of {name} written again")
        elif plan["upsert"] == mechanism and plan["action"] == "update":
            done.append(
                f"{mechanism} credential of {name} unknown: it looks the same, and Kafka"
                " cannot tell whether its password was written"
            )
    return done


def refusals(results, error_names):
    """``["user: why", ...]`` for every result of an AlterUserScramCredentials answer that
    carries an error code; empty when Kafka accepted every change.

    ``results`` are ``(user, error_code, error_message)``; ``error_names`` maps a code to
    Kafka's name for it. The error code decides, not the message: Kafka leaves the message
    empty for its generic errors (a ZooKeeper-mode broker that is not the controller answers
    NOT_CONTROLLER with no message), and an empty message is still a refusal.
    """
    refused = []
    for user, code, message in results:
        if code:
            name = error_names.get(code, f"error code {code}")
            refused.append(f"{user}: {name}" + (f" ({message})" if message else ""))
    return refused
