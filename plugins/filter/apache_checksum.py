# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""Filter apache_checksum: read the digest out of an Apache .sha512 file."""

from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError

DOCUMENTATION = r"""
name: apache_checksum
short_description: Read the digest from a checksum file in the formats Apache publishes
version_added: 0.1.0
description:
  - "Apache projects publish checksums in two formats. ZooKeeper uses C(sha512sum)
    output, C(<hex>  <file name>). Kafka uses C(gpg --print-md SHA512) output,
    C(<file name>: XXXXXXXX XXXXXXXX ...) in upper case over several lines."
  - This filter returns the lower-case hex digest from either, and fails when the text
    holds no digest of the expected length, so a truncated or HTML error page is never
    taken for a checksum.
positional: algorithm
options:
  _input:
    description: The text of the checksum file.
    type: str
    required: true
  algorithm:
    description: Which digest the file holds; decides the expected length.
    type: str
    default: sha512
    choices: [sha256, sha512]
"""

EXAMPLES = r"""
- name: Read Kafka's published checksum
  ansible.builtin.set_fact:
    kafka_sha512: >-
      {{ lookup('ansible.builtin.url', url ~ '.sha512', split_lines=false)
         | datapipe.kafka_pipeline.apache_checksum }}
"""

RETURN = r"""
_value:
  description: The hex digest, lower case.
  type: str
"""

_HEX_LENGTH = {"sha256": 64, "sha512": 128}


def apache_checksum(text, algorithm="sha512"):
    """Return the lower-case hex digest held by an Apache checksum file's text."""
    if algorithm not in _HEX_LENGTH:
        raise AnsibleFilterError(f"apache_checksum: unknown algorithm {algorithm!r}")
    if not isinstance(text, str):
        raise AnsibleFilterError(f"apache_checksum: expected text, got {type(text).__name__}")
    first_line = text.strip().split("\n", 1)[0]
    if ":" in first_line:  # gpg --print-md: "<name>: HEX HEX ..."
        digest_text = text.split(":", 1)[1]
    else:  # sha512sum: "<hex>  <name>"
        digest_text = first_line.split()[0] if first_line.split() else ""
    digest = re.sub(r"\s+", "", digest_text).lower()
    if not re.fullmatch(f"[0-9a-f]{{{_HEX_LENGTH[algorithm]}}}", digest):
        shown = text.strip()[:80]
        raise AnsibleFilterError(
            f"apache_checksum: no {algorithm} digest in {shown!r}; expected "
            f"'<hex>  <file>' or '<file>: XXXXXXXX XXXXXXXX ...'"
        )
    return digest


class FilterModule:
    """Checksum helpers for Apache release archives."""

    def filters(self):
        return {"apache_checksum": apache_checksum}
