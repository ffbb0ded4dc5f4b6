"""kafka_user and kafka_acl, and the topic modules, against brokers closed to strangers.

The brokers take clients only on SASL_SSL with SCRAM-SHA-512 (a throwaway CA, hostname
verification on), authorize with StandardAuthorizer (Kafka 4, KRaft) or AclAuthorizer
(Kafka 3.9, ZooKeeper mode), and allow nothing without an ACL. Module tasks go through
ansible-playbook; what they did is proven with plain kafka-python clients: a login with
the password (and refused with another one), a produce and a read that fail without an
ACL and work with one. Sequence per case: check mode, apply, apply again (no change),
check mode again (no change), clean up.
"""

from __future__ import annotations

import itertools
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import kafka_lab
import pytest
import yaml
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import (
    ACL,
    ACLFilter,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ConfigResource,
    ConfigResourceType,
    ResourcePattern,
    ResourcePatternFilter,
    ResourceType,
)
from kafka.errors import KafkaError
from kafka.structs import TopicPartition
from playbook_run import COLLECTION, run_task

_names = itertools.count()
PROPAGATION_S = 20  # how long a new credential or binding may take to reach the broker


def unique(prefix: str) -> str:
    return f"{prefix}-{os.getpid()}-{next(_names)}"


@pytest.fixture(params=["kraft", "zookeeper"])
def secured(request) -> kafka_lab.SecuredBroker:
    """Each test that takes this runs on the secured KRaft and ZooKeeper-mode broker."""
    return request.getfixturevalue(f"secured_{request.param}_broker")


def refused_logins(broker: kafka_lab.SecuredBroker) -> int:
    """How many logins the broker has refused for wrong credentials, from its own log.

    kafka-python does not say why a SCRAM login over TLS failed: the broker's answer is
    lost when it closes the connection, and the client sees only a disconnect. The broker
    says it in server.log.
    """
    log = broker.server.work_dir / "logs" / "server.log"
    if not log.exists():
        return 0
    return sum(
        "Failed authentication with" in line and "invalid credentials" in line
        for line in log.read_text(errors="replace").splitlines()
    )


def login(broker: kafka_lab.SecuredBroker, user: str, password: str) -> str:
    """'ok' when the broker takes the login, 'refused' when the broker says the credentials
    are wrong; anything else is an error the test must not mistake for either."""
    refused_before = refused_logins(broker)
    try:
        admin = KafkaAdminClient(
            request_timeout_ms=5000,
            bootstrap_timeout_ms=5000,
            **broker.client_settings(user, password),
        )
    except KafkaError as error:
        if refused_logins(broker) > refused_before:
            return "refused"
        return f"error: {type(error).__name__}: {error}"
    try:
        admin.list_topics()  # Metadata needs no ACL: the login alone is what is tested
        return "ok"
    finally:
        admin.close()


def wait_login(broker, user, password, expected: str) -> None:
    deadline = time.monotonic() + PROPAGATION_S
    while (outcome := login(broker, user, password)) != expected:
        if time.monotonic() > deadline:
            raise AssertionError(f"login of {user}: expected {expected}, got {outcome}")
        time.sleep(1)


class SecuredView:
    """The secured broker as the admin sees it through plain kafka-python."""

    def __init__(self, broker: kafka_lab.SecuredBroker):
        self.broker = broker
        self.admin = KafkaAdminClient(request_timeout_ms=15000, **broker.client_settings())

    def close(self) -> None:
        self.admin.close()

    def scram_users(self) -> dict:
        return {
            user: sorted((c["mechanism"].name, c["iterations"]) for c in info["credential_infos"])
            for user, info in self.admin.describe_user_scram_credentials(None).items()
        }

    def bindings(self, principal: str | None = None) -> set[tuple]:
        every = ACLFilter(
            principal=principal,
            host=None,
            operation=ACLOperation.ANY,
            permission_type=ACLPermissionType.ANY,
            resource_pattern=ResourcePatternFilter(
                ResourceType.ANY, None, ACLResourcePatternType.ANY
            ),
        )
        acls, _error = self.admin.describe_acls(every)
        return {
            (
                acl.principal,
                acl.permission_type.name,
                acl.operation.name,
                acl.resource_pattern.resource_type.name,
                acl.resource_pattern.pattern_type.name,
                acl.resource_pattern.resource_name,
                acl.host,
            )
            for acl in acls
        }

    def grant(self, principal: str, operation: str, topic: str) -> ACL:
        acl = ACL(
            principal=principal,
            host="*",
            operation=ACLOperation[operation],
            permission_type=ACLPermissionType.ALLOW,
            resource_pattern=ResourcePattern(ResourceType.TOPIC, topic),
        )
        self.admin.create_acls([acl])
        return acl

    def revoke(self, *acls: ACL) -> None:
        filters = [
            ACLFilter(a.principal, a.host, a.operation, a.permission_type, a.resource_pattern)
            for a in acls
        ]
        self.admin.delete_acls(filters)

    def create_topic(self, name: str) -> None:
        self.admin.create_topics(
            {name: {"num_partitions": 1, "replication_factor": 1, "configs": {}}},
            wait_for_metadata=True,
        )

    def delete_topic(self, name: str) -> None:
        if name in self.admin.list_topics():
            self.admin.delete_topics([name])


@pytest.fixture
def view(secured):
    view = SecuredView(secured)
    yield view
    view.close()


def connection(broker: kafka_lab.SecuredBroker) -> dict:
    return broker.module_connection()


class _ClientLog(logging.Handler):
    """What kafka-python logs: it reports a topic the principal may not even describe only
    there, and keeps polling."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def can_read(broker, user, password, topic) -> bool:
    """True when the user reads the topic's records; False when Kafka says it may not (no
    READ: the fetch is refused; no DESCRIBE either: the topic's metadata is refused)."""
    consumer = KafkaConsumer(
        request_timeout_ms=8000,
        enable_auto_commit=False,
        **broker.client_settings(user, password),
    )
    log = _ClientLog()
    logging.getLogger("kafka").addHandler(log)
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        consumer.seek_to_beginning(partition)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if consumer.poll(timeout_ms=1000):
                return True
        if any(f"Topic {topic} is not authorized" in message for message in log.messages):
            return False
        raise AssertionError(f"{user} read nothing from {topic} and got no authorization error")
    except KafkaError as error:
        if "Authorization" in type(error).__name__:
            return False
        raise
    finally:
        logging.getLogger("kafka").removeHandler(log)
        consumer.close()


def can_produce(broker, user, password, topic) -> bool:
    """True when a record is acknowledged; False when Kafka says the user may not write."""
    producer = KafkaProducer(
        acks="all",
        enable_idempotence=False,
        max_block_ms=8000,
        request_timeout_ms=8000,
        retries=0,
        **broker.client_settings(user, password),
    )
    log = _ClientLog()
    logging.getLogger("kafka").addHandler(log)
    try:
        producer.send(topic, b"probe").get(timeout=10)
        return True
    except KafkaError as error:
        if "Authorization" in type(error).__name__:
            return False
        if any(f"Topic {topic} is not authorized" in message for message in log.messages):
            return False
        raise
    finally:
        logging.getLogger("kafka").removeHandler(log)
        producer.close(timeout=5)


def wait_access(check, expected: bool, what: str) -> None:
    deadline = time.monotonic() + PROPAGATION_S
    while check() != expected:
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: expected {expected}")
        time.sleep(1)


# --- kafka_user --------------------------------------------------------------------------


def test_kafka_user_create_change_password_and_delete(secured, view):
    user = unique("app")
    first, second = "first-Pw-8hTq2", "second-Pw-3kLm9"
    args = {**connection(secured), "name": user, "password": first}

    checked = run_task("kafka_user", args, check=True)
    assert checked.changed and not checked.failed, checked.result
    assert checked.result["change"] == "create"
    assert checked.result["diff"]["before"] == {}
    assert checked.result["diff"]["after"] == {
        "user": user,
        "credentials": [{"mechanism": "SCRAM-SHA-512", "iterations": 8192}],
        "password_changed": True,
    }
    assert user not in view.scram_users(), "check mode created the user"

    applied = run_task("kafka_user", args)
    assert applied.changed and not applied.failed, applied.result
    assert view.scram_users()[user] == [("SCRAM_SHA_512", 8192)]
    wait_login(secured, user, first, "ok")
    assert login(secured, user, "not-" + first) == "refused"

    again = run_task("kafka_user", args)
    assert not again.changed and not again.failed, again.result
    assert not run_task("kafka_user", args, check=True).changed

    # on_create: a different password changes nothing; the first one still works.
    other = run_task("kafka_user", {**args, "password": second})
    assert not other.changed and not other.failed, other.result
    assert login(secured, user, first) == "ok"
    assert login(secured, user, second) == "refused"

    # always: the credential is written again; the old password is refused from then on.
    rotate = {**args, "password": second, "update_password": "always"}
    checked_rotate = run_task("kafka_user", rotate, check=True)
    assert checked_rotate.changed and checked_rotate.result["change"] == "update"
    assert login(secured, user, first) == "ok", "check mode changed the password"
    rotated = run_task("kafka_user", rotate)
    assert rotated.changed and not rotated.failed, rotated.result
    wait_login(secured, user, second, "ok")
    wait_login(secured, user, first, "refused")

    for result in (checked, applied, again, other, checked_rotate, rotated):
        assert first not in str(result.result) and second not in str(result.result)

    delete = {**connection(secured), "name": user, "state": "absent"}
    checked_delete = run_task("kafka_user", delete, check=True)
    assert checked_delete.changed and checked_delete.result["diff"]["after"] == {}
    assert user in view.scram_users(), "check mode deleted the user"
    assert run_task("kafka_user", delete).changed
    assert user not in view.scram_users()
    wait_login(secured, user, second, "refused")
    assert not run_task("kafka_user", delete).changed
    assert not run_task("kafka_user", delete, check=True).changed


def test_kafka_user_other_mechanism_and_iterations(secured_kraft_broker):
    broker = secured_kraft_broker
    view = SecuredView(broker)
    user = unique("sha256")
    args = {
        **connection(broker),
        "name": user,
        "password": "pw-256-Zx81",
        "mechanism": "SCRAM-SHA-256",
        "iterations": 4096,
    }
    try:
        assert run_task("kafka_user", args).changed
        assert view.scram_users()[user] == [("SCRAM_SHA_256", 4096)]
        # Another count with on_create: left alone, with a warning.
        kept = run_task("kafka_user", {**args, "iterations": 8192})
        assert not kept.changed and "4096 iterations, not 8192" in str(kept.result["warnings"])
        assert view.scram_users()[user] == [("SCRAM_SHA_256", 4096)]
        # SCRAM-SHA-512 beside it; absent without a mechanism removes both.
        assert run_task("kafka_user", {**args, "mechanism": "SCRAM-SHA-512"}).changed
        assert len(view.scram_users()[user]) == 2
        gone = run_task("kafka_user", {**connection(broker), "name": user, "state": "absent"})
        assert gone.changed and user not in view.scram_users()
    finally:
        view.close()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"iterations": 4000}, "outside what Kafka accepts for SCRAM credentials (4096 to 16384)"),
        ({"iterations": 20000}, "outside what Kafka accepts"),
        ({"name": "User:bob"}, "is a principal, not a user name"),
        ({"name": ""}, "name must be a non-empty user name"),
        ({"password": ""}, "password is empty"),
        ({"password": None}, "password is required with state=present"),
    ],
)
def test_kafka_user_wrong_values_change_nothing(secured_kraft_broker, options, message):
    broker = secured_kraft_broker
    view = SecuredView(broker)
    try:
        before = view.scram_users()
        args = {**connection(broker), "name": unique("bad"), "password": "pw-Bad-1x", **options}
        args = {key: value for key, value in args.items() if value is not None}
        outcome = run_task("kafka_user", args)
        assert outcome.failed and message in outcome.msg, outcome.result
        assert outcome.msg.startswith("Nothing was changed")
        assert view.scram_users() == before
    finally:
        view.close()


# --- kafka_acl ---------------------------------------------------------------------------


def test_kafka_acl_grant_then_exclusive_revoke(secured, view):
    broker = secured
    topic, user, password = unique("acl-topic"), unique("reader"), "reader-Pw-5tR"
    principal = f"User:{user}"
    view.create_topic(topic)
    assert run_task(
        "kafka_user", {**connection(broker), "name": user, "password": password}
    ).changed
    wait_login(broker, user, password, "ok")
    # Something to read, written by the admin (a super user).
    admin_producer = KafkaProducer(acks="all", **broker.client_settings())
    admin_producer.send(topic, b"hello").get(timeout=15)
    admin_producer.close()
    protected = [broker.admin_principal, broker.broker_principal]

    assert not can_produce(broker, user, password, topic)
    assert not can_read(broker, user, password, topic)

    args = {
        **connection(broker),
        "exclusive": True,
        "protected_principals": protected,
        "acls": [
            {
                "principal": principal,
                "resource_type": "topic",
                "resource_name": topic,
                "operations": ["write", "read", "describe"],
            },
            {
                "principal": principal,
                "resource_type": "group",
                "resource_name": f"{user}-group",
                "pattern_type": "prefixed",
                "operation": "Read",
            },
        ],
    }
    checked = run_task("kafka_acl", args, check=True)
    assert checked.changed and not checked.failed, checked.result
    assert len(checked.result["added"]) == 4 and checked.result["removed"] == []
    assert checked.result["diff"]["before"] == ""
    assert checked.result["diff"]["after"].splitlines() == sorted(
        checked.result["diff"]["after"].splitlines()
    )
    assert (
        f"{principal} on TOPIC literal '{topic}': ALLOW WRITE from host *"
        in (checked.result["diff"]["after"])
    )
    assert view.bindings(principal) == set(), "check mode added bindings"

    applied = run_task("kafka_acl", args)
    assert applied.changed and not applied.failed, applied.result
    assert len(view.bindings(principal)) == 4
    wait_access(lambda: can_produce(broker, user, password, topic), True, "produce after grant")
    wait_access(lambda: can_read(broker, user, password, topic), True, "read after grant")

    again = run_task("kafka_acl", args)
    assert not again.changed and not again.failed, again.result
    assert not run_task("kafka_acl", args, check=True).changed

    # Exclusive: only DESCRIBE stays; WRITE, READ and the group binding go, in one request.
    only_describe = {
        **args,
        "acls": [
            {
                "principal": principal,
                "resource_type": "topic",
                "resource_name": topic,
                "operation": "describe",
            }
        ],
    }
    checked_revoke = run_task("kafka_acl", only_describe, check=True)
    assert checked_revoke.changed and len(checked_revoke.result["removed"]) == 3
    assert len(view.bindings(principal)) == 4, "check mode removed bindings"
    revoked = run_task("kafka_acl", only_describe)
    assert revoked.changed and not revoked.failed, revoked.result
    assert view.bindings(principal) == {
        (principal, "ALLOW", "DESCRIBE", "TOPIC", "LITERAL", topic, "*")
    }
    wait_access(lambda: can_produce(broker, user, password, topic), False, "produce after revoke")
    wait_access(lambda: can_read(broker, user, password, topic), False, "read after revoke")
    assert not run_task("kafka_acl", only_describe).changed
    assert not run_task("kafka_acl", only_describe, check=True).changed

    # Clean up: the last binding, the user, the topic.
    remove = {**only_describe, "state": "absent", "exclusive": False}
    assert run_task("kafka_acl", remove, check=True).changed
    assert len(view.bindings(principal)) == 1
    assert run_task("kafka_acl", remove).changed
    assert view.bindings(principal) == set()
    assert not run_task("kafka_acl", remove).changed
    run_task("kafka_user", {**connection(broker), "name": user, "state": "absent"})
    view.delete_topic(topic)


def test_kafka_acl_refuses_to_remove_a_protected_principals_binding(secured, view):
    broker = secured
    topic = unique("protected")
    kept = view.grant(broker.broker_principal, "DESCRIBE", topic)
    try:
        before = view.bindings()
        binding = {
            "principal": broker.broker_principal,
            "resource_type": "topic",
            "resource_name": topic,
            "operation": "describe",
        }
        protected = [broker.admin_principal, broker.broker_principal]
        cases = [
            {"state": "absent", "acls": [binding]},
            # exclusive over the brokers' principal would drop its DESCRIBE binding
            {"exclusive": True, "acls": [{**binding, "operation": "alter"}]},
            {"acls": [{**binding, "permission": "deny", "operation": "write"}]},
        ]
        for case in cases:
            for check in (True, False):
                outcome = run_task(
                    "kafka_acl",
                    {**connection(broker), "protected_principals": protected, **case},
                    check=check,
                )
                assert outcome.failed and not outcome.changed, outcome.result
                assert "protected principal" in outcome.msg
                assert broker.broker_principal in outcome.msg
                assert outcome.msg.startswith("Nothing was changed")
                assert view.bindings() == before
    finally:
        view.revoke(kept)


@pytest.mark.parametrize(
    ("binding", "message"),
    [
        ({"principal": "alice"}, "has no type: write User:alice"),
        ({"host": "localhost"}, "a host name never matches"),
        ({"host": "::1"}, "write 0:0:0:0:0:0:0:1"),
        ({"operation": "cluster_action"}, "TOPIC does not support operation CLUSTER_ACTION"),
        ({"resource_name": ""}, "resource_name is empty"),
        ({"pattern_type": "match"}, "only valid when searching ACLs"),
    ],
)
def test_kafka_acl_wrong_values_change_nothing(secured_kraft_broker, binding, message):
    broker = secured_kraft_broker
    view = SecuredView(broker)
    try:
        before = view.bindings()
        good = {
            "principal": "User:someone",
            "resource_type": "topic",
            "resource_name": "t",
            "operation": "read",
        }
        outcome = run_task("kafka_acl", {**connection(broker), "acls": [good, {**good, **binding}]})
        assert outcome.failed and message in outcome.msg, outcome.result
        assert view.bindings() == before
    finally:
        view.close()


# --- the topic modules as the admin principal, and nothing secret in -vvv output ------------


def run_verbose(tasks: list[dict]) -> tuple[int, str]:
    """A play with these tasks under -vvv --diff and the default output: (rc, all output)."""
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    with tempfile.TemporaryDirectory() as work:
        playbook = Path(work) / "play.yml"
        playbook.write_text(yaml.safe_dump(play))
        argv = ["ansible-playbook", "-vvv", "--diff", "-i", "localhost,", "-c", "local"]
        argv += ["-e", f"ansible_python_interpreter={sys.executable}", str(playbook)]
        env = {**os.environ, "ANSIBLE_LOCALHOST_WARNING": "false"}
        env.pop("ANSIBLE_STDOUT_CALLBACK", None)
        completed = subprocess.run(
            argv, capture_output=True, text=True, env=env, timeout=600, check=False
        )
    return completed.returncode, completed.stdout + completed.stderr


def test_topic_modules_work_as_the_admin_principal(secured_kraft_broker):
    broker = secured_kraft_broker
    view = SecuredView(broker)
    topic = unique("secured-topic")
    conn = connection(broker)
    try:
        create = {**conn, "name": topic, "partitions": 2, "replication_factor": 1}
        checked = run_task("kafka_topic", create, check=True)
        assert checked.changed and not checked.failed, checked.result
        assert topic not in view.admin.list_topics()
        assert run_task("kafka_topic", create).changed
        assert topic in view.admin.list_topics()
        assert not run_task("kafka_topic", create).changed
        assert not run_task("kafka_topic", create, check=True).changed

        retention = {**conn, "name": topic, "retention_bytes": "10MB"}
        assert run_task("kafka_retention", retention, check=True).changed
        assert run_task("kafka_retention", retention).changed
        assert not run_task("kafka_retention", retention).changed
        assert not run_task("kafka_retention", retention, check=True).changed

        info = run_task("kafka_topic_info", {**conn, "topics": [topic]})
        assert not info.failed, info.result
        assert info.result["topics"][topic]["config"] == {"retention.bytes": "10000000"}

        health = run_task("kafka_cluster_health", {**conn, "wait_for": "healthy", "timeout": 60})
        assert not health.failed, health.result
        assert health.result["brokers"] == [1]

        for result in (checked, info, health):
            assert broker.admin_password not in str(result.result)

        delete = {**conn, "name": topic, "state": "absent", "allow_data_loss": True}
        assert run_task("kafka_topic", delete).changed
        assert topic not in view.admin.list_topics()
    finally:
        view.delete_topic(topic)
        view.close()


def test_no_password_in_vvv_output(secured_kraft_broker):
    """Every module of the collection, as the admin, under -vvv --diff: no password printed,
    neither the connection's nor the one a new user is given."""
    broker = secured_kraft_broker
    topic, user = unique("vvv-topic"), unique("vvv-user")
    user_password = "vvv-User-Pw-6Yh3"
    conn = connection(broker)

    def task(module, args):
        return {"name": f"Run {module}", f"{COLLECTION}.{module}": {**conn, **args}}

    tasks = [
        task("kafka_topic", {"name": topic, "partitions": 1, "replication_factor": 1}),
        task("kafka_retention", {"name": topic, "retention_ms": "2h"}),
        task("kafka_topic_info", {"topics": [topic]}),
        task("kafka_cluster_health", {"wait_for": "none"}),
        task("kafka_user", {"name": user, "password": user_password}),
        task("kafka_user", {"name": user, "password": user_password, "update_password": "always"}),
        task(
            "kafka_acl",
            {
                "acls": [
                    {
                        "principal": f"User:{user}",
                        "resource_type": "topic",
                        "resource_name": topic,
                        "operation": "read",
                    }
                ]
            },
        ),
        task(
            "kafka_acl",
            {
                "state": "absent",
                "acls": [
                    {
                        "principal": f"User:{user}",
                        "resource_type": "topic",
                        "resource_name": topic,
                        "operation": "read",
                    }
                ],
            },
        ),
        task("kafka_user", {"name": user, "state": "absent"}),
        task("kafka_topic", {"name": topic, "state": "absent"}),
    ]
    rc, output = run_verbose(tasks)
    assert rc == 0, output[-4000:]
    assert "changed=" in output
    assert broker.admin_password not in output
    assert user_password not in output
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in output  # -vvv did print the arguments


def test_a_wrong_password_or_an_untrusted_ca_is_refused_clearly(secured_kraft_broker, tmp_path):
    broker = secured_kraft_broker
    conn = {**connection(broker), "request_timeout": 5, "include_size": False}

    wrong = run_task("kafka_topic_info", {**conn, "sasl_password": "not-the-password"})
    assert wrong.failed, wrong.result
    assert "check sasl_username and sasl_password" in wrong.msg
    assert "not-the-password" not in str(wrong.result)

    other_ca = kafka_lab.make_test_pki(tmp_path / "other-pki").ca_file
    untrusted = run_task("kafka_topic_info", {**conn, "ssl_cafile": str(other_ca)})
    assert untrusted.failed, untrusted.result
    assert "presented a TLS certificate the client does not trust" in untrusted.msg
    assert "CERTIFICATE_VERIFY_FAILED" in untrusted.msg
    assert broker.admin_password not in str(untrusted.result)


def served_certificate_der(port: int) -> bytes:
    """The certificate served on a local port, read by Python's own TLS client rather than
    the module's."""
    import socket
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw) as tls:
            return tls.getpeercert(binary_form=True)


def served_certificate_pem(port: int) -> str:
    import ssl

    return ssl.DER_cert_to_PEM_cert(served_certificate_der(port))


def served_fingerprint(port: int) -> str:
    """The SHA-256 fingerprint of the certificate served on a local port."""
    import hashlib

    digest = hashlib.sha256(served_certificate_der(port)).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def test_kafka_tls_reload_takes_a_renewed_certificate_without_a_restart(secured):
    """The broker's certificate is renewed in its keystore file: check mode names every
    listener still serving the old one and changes nothing; the task makes the running
    broker serve the new one on every listener (its process the same), and leaves no
    dynamic setting behind; a second run changes nothing."""
    server = secured.server
    ports = [server.port, server.broker_port]
    ports += [server.controller_port] if secured.zookeeper is None else []
    endpoints = [f"127.0.0.1:{port}" for port in ports]
    node_id = 1 if secured.zookeeper is None else 0
    before = {port: served_fingerprint(port) for port in ports}
    pid = server.process.pid

    certificate = kafka_lab.renew_broker_certificate(server.pki)
    args = {
        **connection(secured),
        "node_id": node_id,
        "endpoints": endpoints,
        "certificate": certificate,
        "keystore_location": str(server.pki.keystore_file),
        "timeout": 60,
    }

    preview = run_task("kafka_tls_reload", args, check=True)
    assert not preview.failed, preview.result
    assert preview.changed
    expected = preview.result["expected"]
    assert expected not in before.values()
    assert preview.result["served_before"] == {f"127.0.0.1:{p}": f for p, f in before.items()}
    assert all(expected in line for line in preview.result["diff"]["after"].splitlines())
    assert {
        port: served_fingerprint(port) for port in ports
    } == before  # check mode changed nothing

    applied = run_task("kafka_tls_reload", args)
    assert not applied.failed, applied.result
    assert applied.changed and applied.result["reloaded"]
    assert {port: served_fingerprint(port) for port in ports} == dict.fromkeys(ports, expected)
    assert server.process.pid == pid and server.process.poll() is None
    # The one-off update left nothing behind in the broker's dynamic configuration.
    view = SecuredView(secured)
    try:
        dynamic = view.admin.describe_configs(
            [ConfigResource(ConfigResourceType.BROKER, str(node_id))], config_filter="all"
        )["broker"][str(node_id)]
    finally:
        view.close()
    assert not [
        key
        for key, entry in dynamic.items()
        if "keystore" in key and entry.get("config_source") == "DYNAMIC_BROKER_CONFIG"
    ]

    again = run_task("kafka_tls_reload", args)
    assert not again.failed, again.result
    assert not again.changed and not again.result["reloaded"]

    # A client with the CA alone still connects after the renewal.
    assert login(secured, secured.admin_user, secured.admin_password) == "ok"


def client_certificate_of_a_new_ca(directory: Path) -> tuple[str, Path, Path]:
    """A new CA (PEM) and a client certificate and key it signed (files): what a broker
    that trusts the new CA lets in on a listener that requires client certificates."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def signed(subject, issuer, public_key, signing_key, ca):
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .sign(signing_key, hashes.SHA256())
        )

    ca_key, client_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "the next CA")])
    client_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "a client of the next CA")])
    ca = signed(ca_name, ca_name, ca_key.public_key(), ca_key, True)
    client = signed(client_name, ca_name, client_key.public_key(), ca_key, False)
    cert_file, key_file = directory / "client.pem", directory / "client-key.pem"
    cert_file.write_bytes(client.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        client_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca.public_bytes(serialization.Encoding.PEM).decode(), cert_file, key_file


def client_certificate_accepted(port: int, cert_file: Path, key_file: Path) -> bool:
    """Whether the broker's listener on ``port`` (client certificates required) takes this
    client certificate: Kafka answers an ApiVersions request only after it accepted it."""
    import socket
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.load_cert_chain(str(cert_file), str(key_file))
    # ApiVersions v0, correlation id 1, client id "t", size-prefixed.
    request = bytes.fromhex("0000000b00120000000000010001") + b"t"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with context.wrap_socket(raw) as tls:
                tls.sendall(request)
                return len(tls.recv(4)) == 4
    except (ssl.SSLError, OSError):
        return False


def test_kafka_tls_reload_takes_new_trusted_cas_without_a_restart(secured_kraft_broker, tmp_path):
    """The broker's CA file gains a second CA: until the task, a client certificate of that
    CA is refused; check mode changes nothing; with reload_trust the running broker lets it
    in (its process the same) and, after the CA is taken out again and reloaded, refuses it
    again. Without reload_trust, nothing happens: the certificate served is current."""
    broker = secured_kraft_broker
    server = broker.server
    pid = server.process.pid
    original_trust = server.pki.ca_file.read_text()
    new_ca, cert_file, key_file = client_certificate_of_a_new_ca(tmp_path)
    current = served_certificate_pem(server.broker_port)
    args = {
        **connection(broker),
        "node_id": 1,
        "endpoints": [f"127.0.0.1:{server.broker_port}"],
        "certificate": current,
        "keystore_location": str(server.pki.keystore_file),
        "timeout": 60,
    }
    assert not client_certificate_accepted(server.broker_port, cert_file, key_file)
    try:
        server.pki.ca_file.write_text(original_trust + new_ca)
        unasked = run_task("kafka_tls_reload", args)
        assert not unasked.failed and not unasked.changed, unasked.result
        preview = run_task("kafka_tls_reload", {**args, "reload_trust": True}, check=True)
        assert preview.changed and not preview.result["reloaded"], preview.result
        assert "truststore: read again" in preview.result["diff"]["after"]
        assert not client_certificate_accepted(server.broker_port, cert_file, key_file)

        reloaded = run_task("kafka_tls_reload", {**args, "reload_trust": True})
        assert not reloaded.failed and reloaded.changed and reloaded.result["reloaded"]
        assert client_certificate_accepted(server.broker_port, cert_file, key_file)
        assert server.process.pid == pid and server.process.poll() is None
    finally:
        server.pki.ca_file.write_text(original_trust)
        restored = run_task("kafka_tls_reload", {**args, "reload_trust": True})
    assert not restored.failed, restored.result
    assert not client_certificate_accepted(server.broker_port, cert_file, key_file)
    assert login(broker, broker.admin_user, broker.admin_password) == "ok"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"certificate": "no certificate here"}, "certificate is not usable: no PEM certificate"),
        ({"endpoints": ["127.0.0.1"]}, "'127.0.0.1' is not host:port"),
        ({"node_id": -1}, "node_id must be 0 or more"),
        ({"endpoints": ["127.0.0.1:1"]}, "could not read the certificate served at 127.0.0.1:1"),
    ],
)
def test_kafka_tls_reload_wrong_values_change_nothing(secured_kraft_broker, changes, message):
    """Each kind of wrong value fails before any update, and the broker serves what it did."""
    server = secured_kraft_broker.server
    before = served_fingerprint(server.port)
    args = {
        **connection(secured_kraft_broker),
        "node_id": 1,
        "endpoints": [f"127.0.0.1:{server.port}"],
        "certificate": server.pki.keystore_file.read_text().split("-----END PRIVATE KEY-----")[1],
        "keystore_location": str(server.pki.keystore_file),
        **changes,
    }
    result = run_task("kafka_tls_reload", args)
    assert result.failed, result.result
    assert message in result.msg
    assert "Nothing was changed" in result.msg
    assert not result.changed
    assert served_fingerprint(server.port) == before


def test_kafka_tls_reload_refuses_an_unknown_broker(secured_kraft_broker):
    """An update for a node that is not a broker of this cluster is refused by Kafka, and the
    task says so; the stale listener is named by the check, not silently ignored."""
    server = secured_kraft_broker.server
    certificate = kafka_lab.renew_broker_certificate(server.pki)
    args = {
        **connection(secured_kraft_broker),
        "node_id": 99,
        "endpoints": [f"127.0.0.1:{server.port}"],
        "certificate": certificate,
        "keystore_location": str(server.pki.keystore_file),
        "timeout": 5,
    }
    refused = run_task("kafka_tls_reload", args)
    assert refused.failed, refused.result
    assert "99" in refused.msg
    # The right node id then takes it.
    taken = run_task("kafka_tls_reload", {**args, "node_id": 1, "timeout": 60})
    assert not taken.failed and taken.changed, taken.result


def test_kafka_tls_reload_refuses_a_certificate_with_other_names_at_once(secured_kraft_broker):
    """Kafka takes a new keystore while it runs only with the served certificate's subject
    and names (it refuses others in its log, and the client hears nothing). The module
    says so before any update instead of waiting, and the broker serves what it did."""
    server = secured_kraft_broker.server
    before = served_fingerprint(server.port)
    renamed = kafka_lab.renew_broker_certificate(server.pki, extra_dns_names=["renamed-host"])
    args = {
        **connection(secured_kraft_broker),
        "node_id": 1,
        "endpoints": [f"127.0.0.1:{server.port}"],
        "certificate": renamed,
        "keystore_location": str(server.pki.keystore_file),
        "timeout": 60,
    }
    try:
        refused = run_task("kafka_tls_reload", args)
        assert refused.failed, refused.result
        assert "cannot take this certificate while it runs" in refused.msg
        assert "localhost -> 127.0.0.1, localhost, renamed-host" in refused.msg
        assert "Nothing was changed" in refused.msg
        assert not refused.result["reloaded"]
        assert refused.seconds < 30  # at once, not after the timeout
        assert served_fingerprint(server.port) == before
    finally:
        # The broker's own names again, taken while it runs, for the tests after this one.
        same_names = kafka_lab.renew_broker_certificate(server.pki)
        restored = run_task("kafka_tls_reload", {**args, "certificate": same_names})
        assert not restored.failed and restored.changed, restored.result
