"""Module connection options -> kafka-python settings, and error messages people can act on."""

from __future__ import annotations

import pytest
from module_utils_loader import load

kafka_admin = load("kafka_admin")


def params(**overrides):
    base = {
        "bootstrap_servers": ["k1:9092", "k2:9092"],
        "security_protocol": "PLAINTEXT",
        "sasl_mechanism": None,
        "sasl_username": None,
        "sasl_password": None,
        "ssl_cafile": None,
        "ssl_certfile": None,
        "ssl_keyfile": None,
        "ssl_keyfile_password": None,
        "ssl_check_hostname": True,
        "request_timeout": 7,
    }
    base.update(overrides)
    return base


def test_plaintext_settings_carry_no_credentials():
    settings = kafka_admin.admin_client_settings(params())
    assert settings["request_timeout_ms"] == 7000
    assert settings["bootstrap_timeout_ms"] == 7000
    assert "sasl_plain_password" not in settings
    assert "ssl_cafile" not in settings


def test_sasl_ssl_settings():
    settings = kafka_admin.admin_client_settings(
        params(
            security_protocol="SASL_SSL",
            sasl_mechanism="SCRAM-SHA-512",
            sasl_username="admin",
            sasl_password="s3cret",
            ssl_cafile="/ca.pem",
        )
    )
    assert settings["sasl_mechanism"] == "SCRAM-SHA-512"
    assert settings["sasl_plain_username"] == "admin"
    assert settings["sasl_plain_password"] == "s3cret"
    assert settings["ssl_cafile"] == "/ca.pem"


def test_every_argument_spec_secret_is_no_log():
    spec = kafka_admin.kafka_connection_argument_spec()
    assert spec["sasl_password"]["no_log"] is True
    assert spec["ssl_keyfile_password"]["no_log"] is True


@pytest.mark.parametrize(
    ("version", "expected"), [("3.0.12", (3, 0)), ("2.2.15", (2, 2)), ("3.1.0rc1", (3, 1))]
)
def test_version_tuple(version, expected):
    assert kafka_admin._version_tuple(version) == expected


def test_unreachable_message_names_servers_and_timeout():
    from kafka.errors import KafkaTimeoutError

    message = kafka_admin.describe_kafka_error(
        KafkaTimeoutError("Unable to bootstrap from ['k1:9092']"), params()
    )
    assert (
        "Could not reach any Kafka broker at k1:9092, k2:9092 within request_timeout=7s" in message
    )


def test_refused_login_is_reported_from_the_connection_log():
    from kafka.errors import KafkaTimeoutError

    log = kafka_admin._ConnectionLog()
    log.messages.append(
        "Bootstrap connection failed: SaslAuthenticationFailedError: Authentication failed"
    )
    message = kafka_admin.describe_kafka_error(
        KafkaTimeoutError("Unable to bootstrap"),
        params(security_protocol="SASL_PLAINTEXT", sasl_mechanism="PLAIN", sasl_username="u"),
        log,
    )
    assert message.startswith("Kafka refused the SASL PLAIN login of user 'u'")


@pytest.mark.parametrize("protocol", ["SASL_SSL", "SSL"])
def test_a_disconnect_while_connecting_with_sasl_points_at_the_credentials(protocol):
    """A broker refusing a SCRAM login over TLS closes the connection; kafka-python says only
    that it was disconnected, so the message names the credentials as a likely cause."""
    from kafka.errors import KafkaTimeoutError

    log = kafka_admin._ConnectionLog()
    log.messages += [
        "Bootstrap connection to bootstrap-0 failed: KafkaConnectionError: socket disconnected",
        "Bootstrap failed: KafkaTimeoutError: Unable to bootstrap from 127.0.0.1:9093",
    ]
    sasl = {"sasl_mechanism": "SCRAM-SHA-512", "sasl_username": "u", "sasl_password": "p"}
    message = kafka_admin.describe_kafka_error(
        KafkaTimeoutError("Unable to bootstrap"),
        params(security_protocol=protocol, **(sasl if protocol == "SASL_SSL" else {})),
        log,
    )
    if protocol == "SASL_SSL":
        assert message.startswith(
            "Kafka closed the connection during the SASL SCRAM-SHA-512 login of user 'u'"
        )
        assert "check sasl_username and sasl_password" in message
    else:
        assert message.startswith("Could not reach any Kafka broker")
        assert "sasl_username" not in message


def test_an_untrusted_certificate_is_named():
    from kafka.errors import KafkaTimeoutError

    log = kafka_admin._ConnectionLog()
    log.messages += [
        "Bootstrap connection to bootstrap-0 failed: SSLCertVerificationError: [SSL:"
        " CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer",
        "Bootstrap failed: KafkaTimeoutError: Unable to bootstrap from 127.0.0.1:9093",
    ]
    message = kafka_admin.describe_kafka_error(
        KafkaTimeoutError("Unable to bootstrap"), params(security_protocol="SSL"), log
    )
    assert message.startswith("Kafka at k1:9092, k2:9092 presented a TLS certificate")
    assert "check ssl_cafile" in message and "unable to get local issuer" in message


def test_plain_connection_options_are_accepted():
    assert kafka_admin.connection_problems(params()) == []
    ipv6 = params(bootstrap_servers=["[::1]:9092", "kafka-1.internal:19092", "10.0.0.1:1"])
    assert kafka_admin.connection_problems(ipv6) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"bootstrap_servers": []}, "bootstrap_servers is empty"),
        ({"bootstrap_servers": ["k1"]}, "bootstrap_servers entry 'k1' is not host:port"),
        ({"bootstrap_servers": ["k1:"]}, "entry 'k1:' is not host:port"),
        ({"bootstrap_servers": ["k1:0"]}, "entry 'k1:0' is not host:port"),
        ({"bootstrap_servers": ["k1:65536"]}, "entry 'k1:65536' is not host:port"),
        ({"bootstrap_servers": ["k1:9O92"]}, "entry 'k1:9O92' is not host:port"),
        ({"bootstrap_servers": ["PLAINTEXT://k1:9092"]}, "is not host:port"),
        ({"bootstrap_servers": ["k1:9092,k2:9092"]}, "is not host:port"),
        ({"bootstrap_servers": [" k1:9092"]}, "is not host:port"),
        ({"bootstrap_servers": [""]}, "entry '' is not host:port"),
        ({"request_timeout": 0}, "request_timeout must be 1 (second) or more, got 0"),
        ({"request_timeout": -3}, "request_timeout must be 1 (second) or more"),
        (
            {"sasl_username": "u", "sasl_password": "p"},
            "sasl_username, sasl_password given, but security_protocol=PLAINTEXT does not use SASL",
        ),
        ({"sasl_mechanism": "PLAIN"}, "sasl_mechanism given, but security_protocol=PLAINTEXT"),
        (
            {"security_protocol": "SASL_PLAINTEXT", "ssl_cafile": "/ca.pem"},
            "ssl_cafile given, but security_protocol=SASL_PLAINTEXT does not use TLS",
        ),
        (
            {"security_protocol": "SSL", "sasl_username": "u"},
            "sasl_username given, but security_protocol=SSL does not use SASL",
        ),
    ],
)
def test_connection_options_that_would_be_ignored_or_misread_are_refused(overrides, message):
    problems = kafka_admin.connection_problems(params(**overrides))
    assert any(message in problem for problem in problems), problems
