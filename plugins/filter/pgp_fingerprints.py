# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""Filter pgp_fingerprints: the fingerprints of the OpenPGP keys in armored text."""

from __future__ import annotations

from ansible_collections.datapipe.kafka_pipeline.plugins.plugin_utils.pgp import pgp_fingerprints

DOCUMENTATION = r"""
name: pgp_fingerprints
short_description: Fingerprints of the OpenPGP keys in armored key text
version_added: 0.1.0
description:
  - Returns the fingerprints (upper-case hex, no spaces) of the primary keys in one or more
    ASCII-armored OpenPGP public key texts. A text may hold several key blocks and other
    text around them, as an Apache C(KEYS) file does.
  - V4 keys have 40 hex digits, V5 and V6 keys 64. Older keys, damaged armor (a wrong
    checksum) and text that is not base64 fail, so a key file that cannot be read is never
    taken for one that holds no unexpected key.
  - Used to accept a repository signing key only when its fingerprint is the pinned one.
options:
  _input:
    description: Armored public key text, or a list of such texts.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Accept the downloaded key only when it is the pinned one
  ansible.builtin.assert:
    that:
      - key_text | datapipe.kafka_pipeline.pgp_fingerprints | length > 0
      - key_text | datapipe.kafka_pipeline.pgp_fingerprints | difference(pinned) | length == 0
"""

RETURN = r"""
_value:
  description: Fingerprints of the primary keys, in the order found, without repeats.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"pgp_fingerprints": pgp_fingerprints}
