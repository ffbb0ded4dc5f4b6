# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)


class ModuleDocFragment:
    # The connection options every module of this collection takes.
    DOCUMENTATION = r"""
options:
  bootstrap_servers:
    description:
      - Brokers to connect to first, as C(host:port). One reachable broker is enough;
        the client learns the rest of the cluster from it.
      - Each entry is one C(host:port) with an explicit port from 1 to 65535 (an IPv6 address
        in brackets); an empty list, a missing port, a scheme such as C(PLAINTEXT://) or
        several servers in one entry are refused before any connection.
    type: list
    elements: str
    required: true
  security_protocol:
    description:
      - Protocol of the listener behind O(bootstrap_servers).
    type: str
    default: PLAINTEXT
    choices: [PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL]
  sasl_mechanism:
    description:
      - SASL mechanism. Required when O(security_protocol) is C(SASL_PLAINTEXT) or C(SASL_SSL).
      - The C(sasl_*) options are refused with a protocol without SASL, and the C(ssl_*) files
        and password with a protocol without TLS, as they would be ignored.
    type: str
    choices: [PLAIN, SCRAM-SHA-256, SCRAM-SHA-512]
  sasl_username:
    description:
      - SASL user name. Required with SASL.
    type: str
  sasl_password:
    description:
      - SASL password. Required with SASL. Never logged.
    type: str
  ssl_cafile:
    description:
      - CA certificate file (PEM) to verify the brokers with, when O(security_protocol) is
        C(SSL) or C(SASL_SSL). Without it the system's CA store is used.
    type: path
  ssl_certfile:
    description:
      - Client certificate (PEM) for mutual TLS. Requires O(ssl_keyfile).
    type: path
  ssl_keyfile:
    description:
      - Private key (PEM) of O(ssl_certfile).
    type: path
  ssl_keyfile_password:
    description:
      - Password of O(ssl_keyfile), when it is encrypted. Never logged.
    type: str
  ssl_check_hostname:
    description:
      - Whether the broker certificate must match the host name connected to.
    type: bool
    default: true
  request_timeout:
    description:
      - Seconds to wait for the first connection and for each request, V(1) or more. An
        unreachable cluster fails the task after this long; it never hangs.
    type: int
    default: 30
requirements:
  - kafka-python >= 3.0 on the host that runs the module (usually the controller, with
    C(delegate_to=localhost) or a local connection).
notes:
  - Needs Kafka 2.4 or newer (IncrementalAlterConfigs, partition reassignment); tested
    with Kafka 4.x in KRaft mode and Kafka 3.9 in ZooKeeper mode.
"""
