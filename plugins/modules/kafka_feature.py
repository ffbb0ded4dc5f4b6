#!/usr/bin/python
# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

DOCUMENTATION = r"""
module: kafka_feature
short_description: Raise a finalized Kafka feature such as metadata.version, never lower it
version_added: 0.10.0
description:
  - Reads the cluster's finalized level of a feature (KIP-584), C(metadata.version) by default,
    and the levels the answering broker supports, and raises the finalized level to O(level)
    through the active controller.
  - A rolling upgrade leaves C(metadata.version) where it was, so that the cluster can still go
    back to the older release; raising it is the separate, final step of an upgrade, taken
    once every node runs the new release. Kafka cannot lower C(metadata.version) again
    without losing metadata, so this module never lowers a feature and refuses a O(level)
    below the finalized one.
  - Refused before anything changes, saying why, is a O(level) that is not V(latest) or a
    whole number, below the finalized level, or outside the levels the brokers support (a node
    still runs an older release). The controller checks every registered node as well and
    refuses an update some node does not support; its answer is the task's failure message.
  - In check mode the controller is asked to validate the update without applying it, so a
    check run reports what Kafka would refuse.
author:
  - datapipe maintainers (!UNKNOWN)
extends_documentation_fragment:
  - datapipe.kafka_pipeline.kafka_connection
options:
  name:
    description:
      - The feature, as Kafka names it.
    type: str
    default: metadata.version
  level:
    description:
      - V(latest) for the highest level the brokers support (the release they run), or a
        level number.
    type: str
    default: latest
  timeout:
    description:
      - Seconds the controller may take to apply the update.
    type: int
    default: 60
requirements:
  - kafka-python >= 3.0
notes:
  - The principal of the connection needs C(Alter) on the cluster (or is a super user).
  - The level numbers are Kafka's own; C(kafka-features.sh describe) shows the release each
    C(metadata.version) level belongs to (for example C(4.4-IV0)).
seealso:
  - name: Upgrading Kafka
    description: Kafka's upgrade notes, where metadata.version is raised last.
    link: https://kafka.apache.org/documentation/#upgrade
"""

EXAMPLES = r"""
- name: Raise metadata.version to what the release every node runs supports
  datapipe.kafka_pipeline.kafka_feature:
    bootstrap_servers: ["kafka1.internal:9092"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_cafile: /etc/pki/kafka/ca.pem
  delegate_to: localhost
"""

RETURN = r"""
name:
  description: The feature.
  returned: always
  type: str
  sample: metadata.version
before:
  description: The finalized level before the task (null when the feature was not finalized).
  returned: always
  type: int
  sample: 26
after:
  description: The finalized level after the task (in check mode, the level it would have).
  returned: when the task did not fail
  type: int
  sample: 27
supported:
  description: The lowest and highest level the answering broker supports.
  returned: when the broker reports the feature
  type: dict
  sample: {"min": 7, "max": 27}
"""

from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.feature_plan import (
    feature_plan,
    requested_level_problem,
)
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_admin import (
    fail_on_kafka_error,
    kafka_module,
    open_admin_client,
)


def finalized_level(features, name):
    """The finalized (max) level of ``name`` from describe_features, or None."""
    finalized = features.get(name, {}).get("finalized")
    return finalized[1] if finalized else None


def main():
    module = kafka_module(
        dict(
            name=dict(type="str", default="metadata.version"),
            level=dict(type="str", default="latest"),
            timeout=dict(type="int", default=60),
        ),
    )
    params = module.params
    name = params["name"]
    problems = [p for p in [requested_level_problem(params["level"])] if p]
    if params["timeout"] < 1:
        problems.append(f"timeout must be at least 1 second, not {params['timeout']}")
    if problems:
        module.fail_json(msg="Nothing was changed: " + "; ".join(problems), name=name)

    with open_admin_client(module) as admin:
        try:
            features = admin.describe_features()
        except Exception as error:
            fail_on_kafka_error(module, error, "Could not read the features of the cluster")
        before = finalized_level(features, name)
        supported = features.get(name, {}).get("supported")
        result = dict(changed=False, name=name, before=before)
        if supported:
            result["supported"] = dict(min=supported[0], max=supported[1])
        target, problems = feature_plan(name, before, supported, params["level"])
        if problems:
            module.fail_json(msg="Nothing was changed: " + "; ".join(problems), **result)
        result["after"] = target
        result["changed"] = target != before
        if module._diff:
            result["diff"] = dict(before=f"{name}: {before}\n", after=f"{name}: {target}\n")
        if not result["changed"]:
            module.exit_json(**result)
        try:
            answers = admin.update_features(
                {name: target},
                validate_only=module.check_mode,
                timeout_ms=params["timeout"] * 1000,
            )
        except Exception as error:
            result.update(changed=False, after=before)
            fail_on_kafka_error(
                module, error, f"Nothing was changed: Kafka refused {name} level {target}", **result
            )
        refused = {feature: answer for feature, answer in answers.items() if answer != "OK"}
        if refused:
            result.update(changed=False, after=before)
            module.fail_json(
                msg=f"Nothing was changed: Kafka refused {name} level {target}: {refused[name]}"
                if name in refused
                else f"Nothing was changed: Kafka refused {refused}",
                **result,
            )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
