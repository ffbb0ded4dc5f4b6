"""kafka_tls_reload's pure part: option checks, certificate fingerprints, what is stale."""

from __future__ import annotations

import hashlib
import ssl
import threading

import pytest
from module_utils_loader import load

tls_reload = load("tls_reload")

DER = b"0\x82\x01\x00 not a real certificate, only bytes to fingerprint"
PEM = ssl.DER_cert_to_PEM_cert(DER)


def params(**changes):
    base = dict(
        node_id=1,
        endpoints=["kafka1:9092", "[fd00::1]:9094"],
        listener="CLIENT",
        timeout=60,
        certificate=PEM,
    )
    base.update(changes)
    return base


def test_fingerprint_is_sha256_in_colon_separated_upper_case_hex():
    digest = hashlib.sha256(DER).hexdigest().upper()
    assert tls_reload.fingerprint(DER) == ":".join(digest[i : i + 2] for i in range(0, 64, 2))


def test_the_first_certificate_of_a_pem_text_is_read_and_the_rest_ignored():
    other = ssl.DER_cert_to_PEM_cert(b"another certificate")
    text = "key material first\n" + PEM + other
    assert tls_reload.first_certificate_der(text) == DER


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "no PEM certificate"),
        ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "no PEM certificate"),
        ("-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n", "cannot be read"),
    ],
)
def test_text_without_a_readable_certificate_is_refused(text, why):
    with pytest.raises(ValueError, match=why):
        tls_reload.first_certificate_der(text)


def test_good_options_have_no_problems():
    assert tls_reload.option_problems(params()) == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (dict(node_id=-1), "node_id must be 0 or more, got -1"),
        (dict(endpoints=[]), "endpoints is empty"),
        (dict(endpoints=["kafka1"]), "'kafka1' is not host:port"),
        (dict(endpoints=["SSL://kafka1:9092"]), "'SSL://kafka1:9092' is not host:port"),
        (dict(endpoints=["kafka1:0"]), "'kafka1:0' is not host:port"),
        (dict(endpoints=["kafka1:65536"]), "'kafka1:65536' is not host:port"),
        (dict(listener="CLIENT://"), "listener 'CLIENT://' is not a listener name"),
        (dict(listener="listener.name.client"), "is not a listener name"),
        (dict(timeout=0), "timeout must be 1 (second) or more, got 0"),
        (dict(certificate="not pem"), "certificate is not usable: no PEM certificate"),
    ],
)
def test_each_kind_of_wrong_option_is_named(changes, problem):
    problems = tls_reload.option_problems(params(**changes))
    assert len(problems) == 1
    assert problem in problems[0]


def test_endpoints_are_split_into_host_and_port_with_ipv6_brackets_removed():
    assert tls_reload.split_endpoint("kafka1:9092") == ("kafka1", 9092)
    assert tls_reload.split_endpoint("[fd00::1]:9094") == ("fd00::1", 9094)


def test_endpoints_not_serving_the_expected_fingerprint_are_stale_and_sorted():
    served = {"b:1": "AA", "a:1": None, "c:1": "BB"}
    assert tls_reload.not_serving(served, "BB") == ["a:1", "b:1"]
    assert tls_reload.not_serving({"c:1": "BB"}, "BB") == []


def test_the_update_names_the_listener_keystore_in_kafka_lower_case_form():
    assert (
        tls_reload.listener_keystore_key("CLIENT") == "listener.name.client.ssl.keystore.location"
    )


def test_a_port_without_tls_gives_an_error_sentence_not_an_exception():
    # A plain TCP server that closes at once: no TLS handshake can succeed.
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    def answer_and_close():
        connection, _address = server.accept()
        connection.sendall(b"not TLS\n")
        connection.close()

    thread = threading.Thread(target=answer_and_close)
    thread.start()
    try:
        value, error = tls_reload.served_fingerprint(f"127.0.0.1:{port}", 5)
    finally:
        thread.join(5)
        server.close()
    assert value is None
    assert error and ("SSL" in error or "Error" in error)


def _certificate(names, common_name="kafka1"):
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    if names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name) for name in names]), critical=False
        )
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def test_a_renewal_with_the_same_subject_and_names_is_no_identity_change():
    assert tls_reload.identity_change(_certificate(["b", "a"]), _certificate(["a", "b"])) == ""


@pytest.mark.parametrize(
    ("served", "expected", "said"),
    [
        (_certificate(["a"]), _certificate(["a", "renamed"]), "names a -> a, renamed"),
        (_certificate(["a"]), _certificate(["a"], "other"), "subject CN=kafka1 -> CN=other"),
        (_certificate([]), _certificate(["a"]), "names  -> a"),
    ],
)
def test_a_changed_subject_or_names_is_named(served, expected, said):
    assert said in tls_reload.identity_change(served, expected)
