# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""Filter gpgv_verdict: whether gpgv found a good signature by a pinned key."""

from __future__ import annotations

from ansible_collections.datapipe.kafka_pipeline.plugins.plugin_utils.pgp import gpgv_verdict

DOCUMENTATION = r"""
name: gpgv_verdict
short_description: Whether gpgv found a good signature by a pinned key
version_added: 0.1.0
description:
  - Reads the machine-readable status lines C(gpgv --status-fd 1) prints and decides whether
    they show a good signature by a pinned key (its primary key or a subkey) made with a
    strong digest (not MD5, SHA-1 or RIPEMD-160), and nothing else.
  - Anything else (a bad signature, a key that is not pinned, an expired or revoked key, no
    signature, no answer) is described in words an operator can act on.
positional: fingerprints
options:
  _input:
    description: The standard output of C(gpgv --status-fd 1 ...).
    type: str
    required: true
  fingerprints:
    description: The pinned fingerprints.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Fail unless a pinned key signed the archive
  ansible.builtin.assert:
    that: (gpgv_run.stdout | datapipe.kafka_pipeline.gpgv_verdict(pinned)).valid
"""

RETURN = r"""
_value:
  description: The verdict.
  type: dict
  contains:
    valid:
      description: A good signature by a pinned key, and nothing wrong besides.
      type: bool
    signers:
      description: Primary-key fingerprints of the pinned keys that made a good signature.
      type: list
      elements: str
    found:
      description: What gpgv showed, in words.
      type: str
"""


class FilterModule:
    def filters(self):
        return {"gpgv_verdict": gpgv_verdict}
