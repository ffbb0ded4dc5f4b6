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


def served_fingerprint(endpoint, timeout_s):
    """The fingerprint of the certificate served at host:port, or an error sentence.

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
                return fingerprint(tls.getpeercert(binary_form=True)), None
    except (OSError, ssl.SSLError) as error:
        return None, f"{type(error).__name__}: {error}"


def not_serving(served, expected):
    """The endpoints whose served fingerprint is not the expected one, sorted."""
    return sorted(endpoint for endpoint, value in served.items() if value != expected)


def listener_keystore_key(listener):
    """The per-listener keystore setting whose update makes Kafka read its stores again."""
    return f"listener.name.{listener.lower()}.ssl.keystore.location"
