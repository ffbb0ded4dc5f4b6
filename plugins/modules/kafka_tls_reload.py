#!/usr/bin/python
# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

DOCUMENTATION = r"""
module: kafka_tls_reload
short_description: Make a running Kafka broker take its renewed certificate without a restart
version_added: 0.1.0
description:
  - Reads the certificate a broker serves on each of its TLS listeners and, where that is not
    O(certificate), asks the broker to read its keystore and truststore files again. Kafka does
    that, without a restart, when a per-broker config update names one of a listener's SSL
    settings, even with the value it already has (dynamic broker configuration, KIP-226). The
    broker then reloads every listener whose store files changed, and its own connections to
    the other brokers and to the controllers use the new certificate too.
  - The update sets C(listener.name.<listener>.ssl.keystore.location) to O(keystore_location)
    and, when the broker had no dynamic value for it before, removes that value again, so
    nothing is left in the cluster's metadata.
  - The module then waits until every endpoint in O(endpoints) serves O(certificate) and the
    broker has applied the removal (Kafka applies both updates after it acknowledges them; a
    removal still pending would make the broker read the keystore file again later, whatever it
    holds by then). It fails naming what each endpoint serves when that does not happen within
    O(timeout).
  - Kafka takes a new keystore while it runs only when its certificate has the subject and the
    subject alternative names of the one it serves. A certificate whose subject or names
    changed fails the task before any update, saying what changed (a restart takes it).
  - Every option is checked before the first connection.
author:
  - datapipe maintainers (!UNKNOWN)
extends_documentation_fragment:
  - datapipe.kafka_pipeline.kafka_connection
options:
  node_id:
    description:
      - The broker's C(node.id) (KRaft) or C(broker.id) (ZooKeeper mode).
    type: int
    required: true
  endpoints:
    description:
      - The broker's TLS listeners, as C(host:port), whose served certificate is compared with
        O(certificate). Only the server's certificate is read, so a listener that requires
        client certificates can be given too.
    type: list
    elements: str
    required: true
  certificate:
    description:
      - The certificate the broker should serve, as PEM text (the first certificate is used).
        Not a secret.
    type: str
    required: true
  listener:
    description:
      - The listener whose keystore setting the update names. Kafka reloads the changed
        stores of every listener whichever one is named.
    type: str
    default: CLIENT
  keystore_location:
    description:
      - The keystore path the broker is configured with (C(ssl.keystore.location) in
        C(server.properties)); the update sets exactly this value.
    type: path
    required: true
  timeout:
    description:
      - Seconds to wait, after the update, for every endpoint to serve O(certificate) and for
        the broker to apply the removal of the one-off setting.
    type: int
    default: 60
  reload_trust:
    description:
      - The broker's truststore (the CAs it trusts) changed since it started, which cannot be
        seen from outside. Ask it to read its stores again even where every endpoint already
        serves O(certificate). Kafka checks, before it takes them, that its certificate is
        trusted by the new truststore, and refuses the update otherwise.
    type: bool
    default: false
    version_added: 0.6.0
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying
      target.
    support: full
    details: Reads the served certificates and reports whether a reload would happen.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in
      check_mode), when in diff mode.
    support: full
    details: The fingerprint each endpoint serves before and after.
requirements:
  - kafka-python >= 3.0
  - cryptography (to compare subjects and names; without it that check is left out)
notes:
  - The principal of the connection needs C(AlterConfigs) on the cluster (or is a super user).
  - In ZooKeeper mode this reloads the listeners only; the broker's own ZooKeeper client keeps
    the certificate it started with, as Kafka has no dynamic update for it.
  - Kafka makes sure a new keystore on the inter-broker listener is trusted by that listener's
    truststore, and refuses the update otherwise.
seealso:
  - name: Updating the SSL keystore of an existing listener
    description: Kafka's documentation of dynamic keystore updates.
    link: https://kafka.apache.org/documentation/#dynamicbrokerconfigs
"""

EXAMPLES = r"""
- name: Read the certificate broker 1 should serve
  ansible.builtin.slurp:
    src: /etc/kafka/tls/cert.pem
  register: broker_certificate

- name: Let broker 1 take it without a restart
  datapipe.kafka_pipeline.kafka_tls_reload:
    bootstrap_servers: ["kafka1.internal:9092"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_cafile: /etc/pki/kafka/ca.pem
    node_id: 1
    endpoints: ["kafka1.internal:9092", "kafka1.internal:9094"]
    certificate: "{{ broker_certificate.content | b64decode }}"
    keystore_location: /etc/kafka/tls/keystore.p12
  delegate_to: localhost
"""

RETURN = r"""
expected:
  description: SHA-256 fingerprint of O(certificate).
  returned: always
  type: str
  sample: "3A:1F:...:9C"
served_before:
  description: What each endpoint served before the task, a fingerprint or an error sentence.
  returned: always
  type: dict
  sample: {"kafka1.internal:9092": "77:0B:...:E1"}
served:
  description: What each endpoint serves after the task (in check mode, the same as before).
  returned: always
  type: dict
  sample: {"kafka1.internal:9092": "3A:1F:...:9C"}
reloaded:
  description: Whether the broker was asked to read its stores again.
  returned: always
  type: bool
  sample: true
seconds:
  description: How long the broker took, after the update, to serve O(certificate) and to apply
    the removal of the one-off setting.
  returned: when reloaded
  type: float
  sample: 1.2
"""

import time

from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_admin import (
    fail_on_kafka_error,
    kafka_module,
    open_admin_client,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_reads import (
    alter_results_problems,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.tls_reload import (
    fingerprint,
    first_certificate_der,
    identity_change,
    listener_keystore_key,
    not_serving,
    option_problems,
    served_certificate,
    served_fingerprint,
)

try:
    from kafka.admin import AlterConfigOp, ConfigResource, ConfigResourceType
except ImportError:  # reported by open_admin_client
    AlterConfigOp = ConfigResource = ConfigResourceType = None

PROBE_TIMEOUT_S = 10
POLL_INTERVAL_S = 1


def read_served(module):
    """({endpoint: fingerprint}, {endpoint: der}, errors)."""
    served, ders, errors = {}, {}, []
    for endpoint in module.params["endpoints"]:
        der, error = served_certificate(endpoint, PROBE_TIMEOUT_S)
        if error:
            errors.append(f"{endpoint}: {error}")
        served[endpoint] = fingerprint(der) if der else None
        ders[endpoint] = der
    return served, ders, errors


def existing_dynamic_value(admin, node_id, key):
    """The broker's own dynamic value for key, or None when it has none."""
    resource = ConfigResource(ConfigResourceType.BROKER, str(node_id), {key: None})
    described = admin.describe_configs([resource], config_filter="all")
    entry = described.get("broker", {}).get(str(node_id), {}).get(key) or {}
    if entry.get("config_source") == "DYNAMIC_BROKER_CONFIG":
        return entry.get("value")
    return None


def alter(admin, node_id, key, operation, value=None):
    resource = ConfigResource(ConfigResourceType.BROKER, str(node_id), {key: (operation, value)})
    return alter_results_problems(
        admin.alter_configs([resource], raise_on_unknown=False, incremental=True),
        "Kafka refused the update of",
    )


def main():
    module = kafka_module(
        dict(
            node_id=dict(type="int", required=True),
            endpoints=dict(type="list", elements="str", required=True),
            certificate=dict(type="str", required=True),
            listener=dict(type="str", default="CLIENT"),
            keystore_location=dict(type="path", required=True),
            timeout=dict(type="int", default=60),
            reload_trust=dict(type="bool", default=False),
        ),
    )
    params = module.params
    problems = option_problems(params)
    if problems:
        module.fail_json(msg="Nothing was changed: " + "; ".join(problems))
    expected_der = first_certificate_der(params["certificate"])
    expected = fingerprint(expected_der)

    before, served_ders, errors = read_served(module)
    result = dict(changed=False, expected=expected, served_before=before, served=before)
    result["reloaded"] = False
    if errors:
        module.fail_json(
            msg="Nothing was changed: could not read the certificate served at "
            + "; ".join(errors),
            **result,
        )
    stale = not_serving(before, expected)
    # Kafka refuses, in its log only, a keystore whose subject or names differ from
    # the one it serves; such a certificate needs a restart, so say so at once.
    changed_identity = "; ".join(
        f"{endpoint}: {change}"
        for endpoint in stale
        if (change := identity_change(served_ders[endpoint], expected_der))
    )
    if changed_identity:
        module.fail_json(
            msg=f"Nothing was changed: broker {params['node_id']} cannot take this certificate"
            " while it runs, as Kafka takes a new keystore only with the subject and names of"
            f" the certificate it serves ({changed_identity}); a restart takes it.",
            **result,
        )
    result["changed"] = bool(stale) or params["reload_trust"]
    if module._diff:
        trust = "truststore: as the broker started\n"
        result["diff"] = dict(
            before="".join(f"{e}: {before[e]}\n" for e in sorted(before))
            + (trust if params["reload_trust"] else ""),
            after="".join(f"{e}: {expected}\n" for e in sorted(before))
            + ("truststore: read again\n" if params["reload_trust"] else ""),
        )
    if not result["changed"] or module.check_mode:
        module.exit_json(**result)

    key = listener_keystore_key(params["listener"])
    with open_admin_client(module) as admin:
        try:
            had_value = existing_dynamic_value(admin, params["node_id"], key)
            refused = alter(
                admin,
                params["node_id"],
                key,
                AlterConfigOp.SET,
                had_value if had_value is not None else params["keystore_location"],
            )
        except Exception as error:
            result["changed"] = False
            fail_on_kafka_error(
                module, error, f"Could not ask broker {params['node_id']} to reload", **result
            )
        if refused:
            result["changed"] = False
            module.fail_json(msg="Nothing was changed: " + "; ".join(refused), **result)
        result["reloaded"] = True
        started = time.monotonic()
        removing = had_value is None
        if removing and params["reload_trust"]:
            # New trust cannot be seen from outside: the broker has read its stores once it
            # shows the setting, which it applies in the same step. Removing the setting
            # before then could leave the update unapplied.
            wait_until_applied(module, admin, result, key=key, started=started)
        if removing:
            try:
                leftover = alter(admin, params["node_id"], key, AlterConfigOp.DELETE)
            except Exception as error:
                leftover = [str(error)]
            if leftover:
                removing = False
                module.warn(
                    f"Broker {params['node_id']} keeps the dynamic setting {key}="
                    f"{params['keystore_location']} (the value it has in server.properties):"
                    f" removing it failed: {'; '.join(leftover)}"
                )
        wait_until_served_and_settled(
            module, admin, result, key=key, expected=expected, removing=removing, started=started
        )


def wait_until_served_and_settled(module, admin, result, *, key, expected, removing, started):
    """Return once every endpoint serves the expected certificate and, when the dynamic
    setting was removed, the broker has applied that removal too. Both updates are applied
    by the broker after Kafka acknowledges them; a removal still pending when the task ends
    would make the broker read the keystore file again later, whatever it holds by then."""
    params = module.params
    while True:
        served = dict((e, served_fingerprint(e, PROBE_TIMEOUT_S)[0]) for e in params["endpoints"])
        result["served"] = served
        stale = not_serving(served, expected)
        pending = removing and not stale and dynamic_value_pending(admin, params["node_id"], key)
        if not stale and not pending:
            result["seconds"] = round(time.monotonic() - started, 1)
            module.exit_json(**result)
        if time.monotonic() - started > params["timeout"]:
            if not stale:
                module.fail_json(
                    msg=f"Broker {params['node_id']} serves the certificate {expected}, but after"
                    f" {params['timeout']} s (timeout) it still reports the dynamic setting {key}"
                    " that this task removed; describe the broker's configuration to see it.",
                    **result,
                )
            module.fail_json(
                msg=f"Broker {params['node_id']} was asked to reload its keystore, but after"
                f" {params['timeout']} s (timeout) these endpoints do not serve the certificate"
                f" {expected}: "
                + "; ".join(f"{e} serves {served[e] or 'nothing (no TLS answer)'}" for e in stale)
                + f". Check that {params['keystore_location']} holds that certificate and the"
                " broker's log (server.log) for 'SSL' errors; a restart also takes it.",
                **result,
            )
        time.sleep(POLL_INTERVAL_S)


def wait_until_applied(module, admin, result, *, key, started):
    """Return once the broker reports the one-off setting: it has applied the update."""
    params = module.params
    while not dynamic_value_shown(admin, params["node_id"], key):
        if time.monotonic() - started > params["timeout"]:
            module.fail_json(
                msg=f"Broker {params['node_id']} was asked to read its truststore again, but"
                f" after {params['timeout']} s (timeout) it does not report the update"
                f" ({key}); describe the broker's configuration and read its log"
                " (server.log); a restart also takes the new trust.",
                **result,
            )
        time.sleep(POLL_INTERVAL_S)


def dynamic_value_shown(admin, node_id, key):
    """True once the broker reports the dynamic value (False while it cannot say)."""
    try:
        return existing_dynamic_value(admin, node_id, key) is not None
    except Exception:  # a busy broker answers on the next poll
        return False


def dynamic_value_pending(admin, node_id, key):
    """True while the broker still reports the dynamic value (or cannot say)."""
    try:
        return existing_dynamic_value(admin, node_id, key) is not None
    except Exception:  # a busy broker answers on the next poll
        return True


if __name__ == "__main__":
    main()
