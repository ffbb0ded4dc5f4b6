# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""Kafka's spelling of its ids, without kafka-python: the kafka_uuid filter loads this
in every Ansible worker that renders a template using it, where importing kafka-python
(as cluster_health does) once cost a fifth of a re-run's controller CPU."""

import base64


def kafka_uuid(value):
    """Kafka's own spelling of a Uuid (its tools' 22-character base64url, as in
    meta.properties' directory.id) from the hyphenated form kafka-python reads. None for no
    Uuid and for Kafka's zero Uuid, which a quorum at kraft.version 0 reports for every
    voter's directory."""
    if not value:
        return None
    raw = bytes.fromhex(str(value).replace("-", ""))
    if not any(raw):
        return None
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
