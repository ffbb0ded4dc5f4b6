# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""Filter kafka_uuid: a UUID in Kafka's own spelling (its tools' base64url)."""

from __future__ import annotations

from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.kafka_ids import (
    kafka_uuid,
)

DOCUMENTATION = r"""
name: kafka_uuid
short_description: Spell a UUID as Kafka's tools do
version_added: 0.9.0
description:
  - Kafka writes ids such as a cluster id or a metadata directory id (C(directory.id) in
    C(meta.properties), the C(--initial-controllers) option of C(kafka-storage.sh format))
    as 22 characters of unpadded base64url. This filter turns the usual hyphenated UUID
    (what C(ansible.builtin.to_uuid) returns) into that spelling.
  - Returns null for the zero UUID, which Kafka uses for "none".
options:
  _input:
    description: A UUID, hyphenated or as 32 hexadecimal digits.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: A stable directory id for node 1 of a cluster
  ansible.builtin.debug:
    msg: "{{ (cluster_id ~ '/1') | ansible.builtin.to_uuid | datapipe.kafka_pipeline.kafka_uuid }}"
"""

RETURN = r"""
_value:
  description: The UUID in Kafka's spelling, for example C(XvYTomP3HvafZwtVb2enpQ).
  type: str
"""


class FilterModule:
    def filters(self):
        return {"kafka_uuid": kafka_uuid}
