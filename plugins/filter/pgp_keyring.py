# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""Filter pgp_keyring: a keyring of the pinned keys only."""

from __future__ import annotations

from ansible_collections.datapipe.kafka_pipeline.plugins.plugin_utils.pgp import pgp_keyring

DOCUMENTATION = r"""
name: pgp_keyring
short_description: A binary OpenPGP keyring holding only the pinned keys
version_added: 0.1.0
description:
  - Reads one or more ASCII-armored public key texts (an Apache C(KEYS) file, key files,
    keys pasted into a variable) and returns a binary keyring, base64-encoded, that holds
    only the keys whose primary key or one of whose subkeys has one of the pinned
    fingerprints. All other keys are left out.
  - C(gpgv) reads binary keyrings only. Given this keyring it can accept no signature made
    by a key that is not pinned, whatever else the key texts hold.
positional: fingerprints
options:
  _input:
    description: Armored public key text, or a list of such texts.
    type: raw
    required: true
  fingerprints:
    description: The pinned fingerprints (40 or 64 hex digits; spaces and case do not matter).
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Write a keyring of the pinned keys for gpgv
  ansible.builtin.shell: base64 -d > /tmp/verify/keyring.gpg
  args:
    stdin: >-
      {{ keys_text
         | datapipe.kafka_pipeline.pgp_keyring(['3F7A1D16FA4217B1DC75E1C9FFE35B7F15DFA1BA']) }}
"""

RETURN = r"""
_value:
  description: The keyring, base64-encoded; empty when no key is pinned.
  type: str
"""


class FilterModule:
    def filters(self):
        return {"pgp_keyring": pgp_keyring}
