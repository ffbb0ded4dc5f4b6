# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""Filter zookeeper_digest: ZooKeeper's digest of a user's password."""

from __future__ import annotations

from ansible_collections.datapipe.kafka_pipeline.plugins.plugin_utils.zookeeper_membership import (
    zookeeper_digest,
)

DOCUMENTATION = r"""
name: zookeeper_digest
short_description: ZooKeeper's digest of a user name and password
version_added: 0.8.0
description:
  - Returns C(<user>:<base64 of the SHA-1 of user:password>), what ZooKeeper's digest
    authentication provider stores and compares, for example in
    C(zookeeper.DigestAuthenticationProvider.superDigest), the super user a server accepts.
  - The zookeeper role configures its super user with it, so that the password itself is
    never written on the members.
options:
  _input:
    description: C(<user>:<password>).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: The super user's digest for zoo.cfg
  ansible.builtin.set_fact:
    super_digest: >-
      {{ ('super:' ~ zookeeper_super_password) | datapipe.kafka_pipeline.zookeeper_digest }}
"""

RETURN = r"""
_value:
  description: C(<user>:<digest>).
  type: str
"""


class FilterModule:
    def filters(self):
        return {"zookeeper_digest": zookeeper_digest}
