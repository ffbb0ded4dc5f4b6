# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""The one way our modules reach Kafka.

Every module takes the same connection options (``kafka_connection_argument_spec``,
documented once in the ``datapipe.kafka_pipeline.kafka_connection`` doc fragment)
and opens its admin client through ``open_admin_client``, which turns the ways a
connection fails into messages that say what to check.
"""

import logging
import re
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

KAFKA_PYTHON_IMPORT_ERROR = None
KAFKA_PYTHON_VERSION = None
try:
    import kafka
    import kafka.errors as kafka_errors
    from kafka.admin import KafkaAdminClient

    KAFKA_PYTHON_VERSION = kafka.__version__
except ImportError:
    KAFKA_PYTHON_IMPORT_ERROR = traceback.format_exc()
    kafka_errors = None
    KafkaAdminClient = None

MINIMUM_KAFKA_PYTHON = (3, 0)
CLIENT_ID = "ansible-datapipe-kafka-pipeline"
SECURITY_PROTOCOLS = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SASL_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


def kafka_connection_argument_spec():
    """Connection options shared by every module of the collection."""
    return dict(
        bootstrap_servers=dict(type="list", elements="str", required=True),
        security_protocol=dict(type="str", default="PLAINTEXT", choices=SECURITY_PROTOCOLS),
        sasl_mechanism=dict(type="str", choices=SASL_MECHANISMS),
        sasl_username=dict(type="str"),
        sasl_password=dict(type="str", no_log=True),
        ssl_cafile=dict(type="path"),
        ssl_certfile=dict(type="path"),
        ssl_keyfile=dict(type="path"),
        ssl_keyfile_password=dict(type="str", no_log=True),
        ssl_check_hostname=dict(type="bool", default=True),
        request_timeout=dict(type="int", default=30),
    )


# Pass these to AnsibleModule next to the argument spec.
KAFKA_CONNECTION_REQUIRED_IF = [
    ("security_protocol", "SASL_PLAINTEXT", ("sasl_mechanism", "sasl_username", "sasl_password")),
    ("security_protocol", "SASL_SSL", ("sasl_mechanism", "sasl_username", "sasl_password")),
]
KAFKA_CONNECTION_REQUIRED_TOGETHER = [("ssl_certfile", "ssl_keyfile")]


# host:port, the host a name, an IPv4 address or an IPv6 address in brackets.
_SERVER = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):([0-9]+)$")
SASL_OPTIONS = ("sasl_mechanism", "sasl_username", "sasl_password")
SSL_OPTIONS = ("ssl_cafile", "ssl_certfile", "ssl_keyfile", "ssl_keyfile_password")


def connection_problems(params):
    """What is wrong with the connection options, judged before any request (plain data)."""
    problems = []
    servers = params.get("bootstrap_servers") or []
    if not servers:
        problems.append("bootstrap_servers is empty: give at least one broker as host:port")
    for server in servers:
        match = _SERVER.match(server) if isinstance(server, str) else None
        if match is None or not 1 <= int(match.group(2)) <= 65535:
            problems.append(
                f"bootstrap_servers entry {server!r} is not host:port (a name or address, a"
                " colon, a port from 1 to 65535, no scheme or spaces), such as kafka1:9092"
            )
    timeout = params.get("request_timeout")
    if timeout is not None and timeout < 1:
        problems.append(f"request_timeout must be 1 (second) or more, got {timeout}")
    protocol = params.get("security_protocol") or "PLAINTEXT"
    for names, kind, protocols in (
        (SASL_OPTIONS, "SASL", ("SASL_PLAINTEXT", "SASL_SSL")),
        (SSL_OPTIONS, "TLS", ("SSL", "SASL_SSL")),
    ):
        given = [name for name in names if params.get(name) is not None]
        if given and protocol not in protocols:
            problems.append(
                f"{', '.join(given)} given, but security_protocol={protocol} does not use"
                f" {kind}, so they would be ignored: set security_protocol to"
                f" {' or '.join(protocols)}, or leave them out"
            )
    return problems


def kafka_module(argument_spec, **kwargs):
    """An AnsibleModule with the module's own options plus the shared connection options.

    The connection options are checked before the module goes on, so no request is ever
    sent with a value that would be ignored or misread.
    """
    spec = kafka_connection_argument_spec()
    spec.update(argument_spec)
    module = AnsibleModule(
        argument_spec=spec,
        supports_check_mode=True,
        required_if=KAFKA_CONNECTION_REQUIRED_IF,
        required_together=KAFKA_CONNECTION_REQUIRED_TOGETHER,
        **kwargs,
    )
    problems = connection_problems(module.params)
    if problems:
        module.fail_json(msg="Nothing was changed: " + "; ".join(problems))
    return module


def compile_pattern(module):
    """The module's ``pattern`` option compiled (None when not given); a bad regex fails cleanly."""
    if module.params.get("pattern") is None:
        return None
    try:
        return re.compile(module.params["pattern"])
    except re.error as error:
        module.fail_json(
            msg=f"pattern {module.params['pattern']!r} is not a valid regular expression: {error}"
        )


def _version_tuple(version):
    parts = []
    for part in version.split(".")[:2]:
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def ensure_kafka_python(module):
    """Fail the module cleanly when kafka-python is missing or too old for what we do."""
    if KAFKA_PYTHON_IMPORT_ERROR is not None:
        module.fail_json(
            msg=missing_required_lib("kafka-python >= 3.0"), exception=KAFKA_PYTHON_IMPORT_ERROR
        )
    if _version_tuple(KAFKA_PYTHON_VERSION) < MINIMUM_KAFKA_PYTHON:
        # 2.x has only the legacy AlterConfigs, which resets every override not sent.
        module.fail_json(
            msg=missing_required_lib("kafka-python >= 3.0")
            + f" Found kafka-python {KAFKA_PYTHON_VERSION}, which cannot change one config key"
            " without resetting the others."
        )


def admin_client_settings(params):
    """kafka-python settings for the module parameters (plain data, no I/O)."""
    timeout_ms = params["request_timeout"] * 1000
    settings = dict(
        bootstrap_servers=params["bootstrap_servers"],
        client_id=CLIENT_ID,
        request_timeout_ms=timeout_ms,
        bootstrap_timeout_ms=timeout_ms,
        security_protocol=params["security_protocol"],
    )
    if params["security_protocol"] in ("SASL_PLAINTEXT", "SASL_SSL"):
        settings.update(
            sasl_mechanism=params["sasl_mechanism"],
            sasl_plain_username=params["sasl_username"],
            sasl_plain_password=params["sasl_password"],
        )
    if params["security_protocol"] in ("SSL", "SASL_SSL"):
        settings.update(
            ssl_cafile=params["ssl_cafile"],
            ssl_certfile=params["ssl_certfile"],
            ssl_keyfile=params["ssl_keyfile"],
            ssl_password=params["ssl_keyfile_password"],
            ssl_check_hostname=params["ssl_check_hostname"],
        )
    return settings


class _ConnectionLog(logging.Handler):
    """Keeps the warnings kafka-python logs while it connects.

    A refused SASL login only shows up there: the client retries until the
    bootstrap timeout and then raises a plain timeout.
    """

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages = []

    def emit(self, record):
        try:
            self.messages.append(record.getMessage())
        except Exception:  # a record that cannot be formatted is not worth failing over
            pass

    def authentication_failure(self):
        for message in reversed(self.messages):
            if "Authentication" in message or "authentication" in message:
                return message
        return None

    def last_failure(self):
        return self.messages[-1] if self.messages else None

    def certificate_failure(self):
        """The client's complaint about the broker's TLS certificate, if it had one."""
        for message in reversed(self.messages):
            if "CERTIFICATE_VERIFY_FAILED" in message or "certificate verify failed" in message:
                return message
        return None

    def disconnected(self):
        """Whether a broker closed a connection while the client set it up. A broker that
        refuses a SCRAM login over TLS does so, and kafka-python then reports only that."""
        return any("socket disconnected" in message for message in self.messages)


def _unreachable_message(servers, params, connection_log):
    """No broker answered: say what the client saw that points at a cause."""
    last = connection_log.last_failure() if connection_log else None
    sasl = params["security_protocol"] in ("SASL_PLAINTEXT", "SASL_SSL")
    certificate = connection_log.certificate_failure() if connection_log else None
    if sasl and not certificate and connection_log is not None and connection_log.disconnected():
        # A refused login: kafka-python sometimes sees the refusal, sometimes only the
        # broker closing the connection right after it.
        return (
            "Kafka closed the connection during the SASL {} login of user {!r} at {}, as it"
            " does when it refuses a login: check sasl_username and sasl_password{}".format(
                params["sasl_mechanism"],
                params["sasl_username"],
                servers,
                f" (last error: {last})" if last else "",
            )
        )
    if certificate:
        return (
            f"Kafka at {servers} presented a TLS certificate the client does not trust"
            " or that does not name the host connected to: check ssl_cafile (the CA"
            " that signed the brokers' certificates) and the names in bootstrap_servers"
            f" (client said: {certificate})"
        )
    return (
        "Could not reach any Kafka broker at {} within request_timeout={}s: check the"
        " addresses, the listener port, security_protocol ({}) and the firewall{}".format(
            servers,
            params["request_timeout"],
            params["security_protocol"],
            f" (last error: {last})" if last else "",
        )
    )


def describe_kafka_error(error, params, connection_log=None):
    """A message for an exception raised while talking to Kafka: what failed and what to check."""
    servers = ", ".join(params["bootstrap_servers"])
    auth_failure = connection_log.authentication_failure() if connection_log else None
    if auth_failure:
        return (
            "Kafka refused the SASL {} login of user {!r} at {}: check sasl_username and"
            " sasl_password (client said: {})".format(
                params["sasl_mechanism"], params["sasl_username"], servers, auth_failure
            )
        )
    if kafka_errors is not None:
        if isinstance(error, kafka_errors.SaslAuthenticationFailedError):
            return (
                "Kafka refused the SASL {} login of user {!r} at {}: check sasl_username and"
                " sasl_password (broker said: {})".format(
                    params["sasl_mechanism"], params["sasl_username"], servers, error
                )
            )
        if isinstance(error, kafka_errors.AuthorizationError):
            return (
                f"The Kafka user is not allowed to do this ({error}): grant the ACL, or use"
                " another principal"
            )
        unreachable = getattr(kafka_errors, "NoBrokersAvailable", ())
        if isinstance(error, unreachable) or "Unable to bootstrap" in str(error):
            return _unreachable_message(servers, params, connection_log)
        if isinstance(error, kafka_errors.KafkaTimeoutError):
            return "Kafka at {} did not answer within request_timeout={}s ({})".format(
                servers,
                params["request_timeout"],
                error,
            )
    return f"Kafka request failed: {type(error).__name__}: {error}"


class KafkaAdmin:
    """An open admin client plus the module it reports to."""

    def __init__(self, module):
        self.module = module
        self.client = None

    def __enter__(self):
        ensure_kafka_python(self.module)
        connection_log = _ConnectionLog()
        kafka_logger = logging.getLogger("kafka")
        kafka_logger.addHandler(connection_log)
        try:
            self.client = KafkaAdminClient(**admin_client_settings(self.module.params))
        except Exception as error:  # any failure to connect is reported, never a traceback
            self.module.fail_json(
                msg=describe_kafka_error(error, self.module.params, connection_log)
            )
        finally:
            kafka_logger.removeHandler(connection_log)
        return self.client

    def __exit__(self, exc_type, exc_value, exc_tb):
        if self.client is not None:
            try:
                self.client.close()
            except Exception:  # closing must never hide the real result
                pass
        return False


def open_admin_client(module):
    """Use as ``with open_admin_client(module) as admin:``; failures end the module cleanly."""
    return KafkaAdmin(module)


def fail_on_kafka_error(module, error, doing, **result):
    """Fail with what we were doing and why Kafka said no."""
    module.fail_json(msg=f"{doing}: {describe_kafka_error(error, module.params)}", **result)
