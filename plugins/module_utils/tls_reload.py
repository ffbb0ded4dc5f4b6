# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""What a broker serves on its TLS listeners, and how to make it read its stores again.

Kafka reloads a listener's keystore and truststore when their files changed and a
per-broker config update names one of its SSL settings, even with an unchanged value
(KIP-226, KAFKA-7429 and, for KRaft, KAFKA-14136). The update below sets the listener's
keystore location to the value it already has, and then removes that dynamic value again
when it did not exist before, so nothing stays behind in the cluster's metadata.
"""

import hashlib
import re
import socket
import ssl

try:
    from cryptography import x509
except ImportError:  # the identity check is left out without it
    x509 = None

_PEM_CERTIFICATE = re.compile(
    r"-----BEGIN CERTIFICATE-----\s+[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----"
)
_ENDPOINT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):([0-9]+)$")
_LISTENER = re.compile(r"^[A-Za-z0-9_]+$")


def fingerprint(der):
    """The SHA-256 fingerprint of a DER certificate, as colon-separated upper-case hex."""
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def first_certificate_der(pem):
    """The DER bytes of the first certificate in a PEM text; ValueError when there is none."""
    match = _PEM_CERTIFICATE.search(pem or "")
    if match is None:
        raise ValueError("no PEM certificate (-----BEGIN CERTIFICATE----- ...) in it")
    try:
        return ssl.PEM_cert_to_DER_cert(match.group(0))
    except ValueError as error:  # broken base64
        raise ValueError(f"its first certificate cannot be read ({error})") from error


def option_problems(params):
    """Sentences for the options that cannot work, judged before any connection."""
    problems = []
    if params["node_id"] < 0:
        problems.append(f"node_id must be 0 or more, got {params['node_id']}")
    if not params["endpoints"]:
        problems.append("endpoints is empty: give the node's TLS listeners as host:port")
    for endpoint in params["endpoints"]:
        match = _ENDPOINT.match(endpoint)
        if match is None or not 1 <= int(match.group(2)) <= 65535:
            problems.append(f"endpoints entry {endpoint!r} is not host:port, such as kafka1:9092")
    if not _LISTENER.match(params["listener"]):
        problems.append(
            f"listener {params['listener']!r} is not a listener name (letters, digits, _),"
            " such as CLIENT"
        )
    if params["timeout"] < 1:
        problems.append(f"timeout must be 1 (second) or more, got {params['timeout']}")
    try:
        first_certificate_der(params["certificate"])
    except ValueError as error:
        problems.append(f"certificate is not usable: {error}")
    return problems


def split_endpoint(endpoint):
    host, port = _ENDPOINT.match(endpoint).groups()
    return host.strip("[]"), int(port)


def served_certificate(endpoint, timeout_s):
    """The DER certificate served at host:port, or an error sentence: (der, error).

    Only the server's certificate is read, so nothing is verified and no client
    certificate is sent (a listener that requires one still shows its own first).
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    host, port = split_endpoint(endpoint)
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as raw:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                return tls.getpeercert(binary_form=True), None
    except (OSError, ssl.SSLError) as error:
        return None, f"{type(error).__name__}: {error}"


def served_fingerprint(endpoint, timeout_s):
    """The fingerprint of the certificate served at host:port, or an error sentence."""
    der, error = served_certificate(endpoint, timeout_s)
    return (fingerprint(der) if der else None), error


def identity(der):
    """A certificate's subject and subject alternative names, as Kafka compares them when
    it takes a new keystore while it runs (it refuses one whose subject or names differ).
    None when the cryptography library is not there to read them."""
    if x509 is None:
        return None
    certificate = x509.load_der_x509_certificate(der)
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        alt_names = sorted(str(name.value) for name in names.value)
    except x509.ExtensionNotFound:
        alt_names = []
    return {"subject": certificate.subject.rfc4514_string(), "alt_names": alt_names}


def identity_change(served_der, expected_der):
    """A sentence saying how the expected certificate's identity differs from the served
    one's, or "" when they match (or cannot be read)."""
    served, expected = identity(served_der), identity(expected_der)
    if served is None or expected is None or served == expected:
        return ""
    changes = []
    if served["subject"] != expected["subject"]:
        changes.append(f"subject {served['subject']} -> {expected['subject']}")
    if served["alt_names"] != expected["alt_names"]:
        changes.append(
            f"names {', '.join(served['alt_names'])} -> {', '.join(expected['alt_names'])}"
        )
    return "; ".join(changes)


def not_serving(served, expected):
    """The endpoints whose served fingerprint is not the expected one, sorted."""
    return sorted(endpoint for endpoint, value in served.items() if value != expected)


def listener_keystore_key(listener):
    """The per-listener keystore setting whose update makes Kafka read its stores again."""
    return f"listener.name.{listener.lower()}.ssl.keystore.location"
