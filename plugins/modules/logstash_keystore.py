#!/usr/bin/python
# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

DOCUMENTATION = r"""
module: logstash_keystore
short_description: Keep secrets in the Logstash keystore, idempotently, without a readable trace
version_added: 0.1.0
description:
  - Creates the Logstash keystore when secrets are asked for, adds each entry with
    C(logstash-keystore add), its value on standard input (never in process arguments), replaces
    an entry whose value changed, and removes the entries it stored before that are no longer
    asked for. Entries it never stored and nobody asks for are left alone.
  - A keystore cannot be read back. To know whether an entry already holds the value asked for,
    the module records an HMAC-SHA256 of each value it stored, keyed with a random key made once
    on the host. Key and digests are files of root, mode C(0600), in a directory of root
    (O(state_dir)) that the Logstash user cannot write; without the key nobody can test a guess
    against a digest. Both are computed and compared on the host and never returned.
  - The keystore's own fingerprint is recorded as well; when the keystore was recreated or
    changed by someone else, the module reads its entry names and adds what is missing.
  - A digest file from earlier releases of the collection (an unsalted SHA-256 per value, in the
    Logstash user's data directory) is taken only for the names it lists; those entries are
    written again once and the old file is deleted.
author:
  - datapipe maintainers (!UNKNOWN)
options:
  secrets:
    description:
      - The entries wanted, C(NAME) to value. Names are letters, digits, C(_) and C(.), not
        starting with a digit. Values are never logged or returned.
      - An empty dictionary removes every entry the module stored before.
    type: dict
    required: true
  logstash_home:
    description: Where Logstash is installed; C(bin/logstash-keystore) is run from there.
    type: path
    default: /usr/share/logstash
  path_settings:
    description: Logstash's settings directory; the keystore is C(logstash.keystore) in it.
    type: path
    default: /etc/logstash
  state_dir:
    description:
      - Directory of the HMAC key and the digests. Made (mode C(0700)) when missing. It and every
        directory above it must belong to root and be writable by nobody else; the module
        refuses otherwise, since whoever can replace the digests can make it skip an update.
    type: path
    default: /var/lib/datapipe/logstash-keystore
  legacy_digest_file:
    description: The digest file of earlier releases, migrated and deleted when found.
    type: path
    default: /var/lib/logstash/.ansible-keystore-digests.json
extends_documentation_fragment:
  - ansible.builtin.files
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying
      target.
    support: full
    details: In check mode nothing is written, not even the key; entry names may be read.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in
      check_mode), when in diff mode.
    support: full
    details: Entry names only, never values.
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
notes:
  - Run as root. The file options (O(owner), O(group), O(mode)) apply to the keystore file.
  - A keystore protected by C(LOGSTASH_KEYSTORE_PASS) is not supported.
seealso:
  - name: Logstash secrets keystore
    description: How pipelines and settings refer to keystore entries as C(${NAME}).
    link: https://www.elastic.co/guide/en/logstash/current/keystore.html
"""

EXAMPLES = r"""
- name: Keep the Kafka password in the Logstash keystore
  datapipe.kafka_pipeline.logstash_keystore:
    secrets:
      KAFKA_SASL_PASSWORD: "{{ vault_kafka_logstash_password }}"
    owner: root
    group: logstash
    mode: "0640"
  register: keystore

- name: Restart Logstash when an entry changed
  ansible.builtin.systemd_service:
    name: logstash
    state: restarted
  when: keystore is changed
"""

RETURN = r"""
keystore:
  description: The keystore file.
  returned: always
  type: str
  sample: /etc/logstash/logstash.keystore
added:
  description: Names of the entries added (new to the keystore).
  returned: always
  type: list
  elements: str
  sample: [KAFKA_SASL_PASSWORD]
replaced:
  description: Names of the entries whose value was replaced.
  returned: always
  type: list
  elements: str
  sample: []
removed:
  description: Names of the entries removed (stored by this module before, no longer asked for).
  returned: always
  type: list
  elements: str
  sample: [OLD_TOKEN]
"""

import hashlib
import json
import os
import re
import stat
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.datapipe.kafka_pipeline.plugins.module_utils.keystore_digests import (
    KEY_BYTES,
    entry_digest,
    needs_listing,
    parse_state,
    plan,
    render_state,
)

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def read_text(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def fingerprint(path):
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except FileNotFoundError:
        return None


def unsafe_directories(path):
    """The directories from ``path`` up to / that someone other than root could change."""
    problems = []
    current = os.path.abspath(path)
    while True:
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            info = None
        if info is not None:
            if stat.S_ISLNK(info.st_mode):
                problems.append(f"{current} is a symbolic link")
            elif info.st_uid != 0:
                problems.append(f"{current} belongs to uid {info.st_uid}, not root")
            elif info.st_mode & 0o022 and not info.st_mode & stat.S_ISVTX:
                problems.append(f"{current} is writable by its group or others")
        parent = os.path.dirname(current)
        if parent == current:
            return problems
        current = parent


def write_private(path, data):
    """Write ``data`` to ``path`` atomically, root only (0600)."""
    directory = os.path.dirname(path)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def hmac_key(module, state_dir, create):
    """The host's HMAC key; made once (unless ``create`` is false: check mode)."""
    path = os.path.join(state_dir, "hmac.key")
    try:
        with open(path, "rb") as handle:
            key = handle.read()
    except FileNotFoundError:
        key = b""
    if len(key) >= KEY_BYTES:
        return key
    if not create:
        return None
    if key:
        module.fail_json(
            msg=f"{path} holds {len(key)} bytes, not a key of {KEY_BYTES}. Delete it (every "
            "keystore entry is then written once more) and run again."
        )
    write_private(path, os.urandom(KEY_BYTES))
    with open(path, "rb") as handle:
        return handle.read()


class Keystore:
    def __init__(self, module, home, settings):
        self.module = module
        self.tool = os.path.join(home, "bin", "logstash-keystore")
        self.settings = settings
        self.path = os.path.join(settings, "logstash.keystore")

    def run(self, *args, data=None, what):
        rc, out, err = self.module.run_command(
            [self.tool, "--path.settings", self.settings, *args], data=data
        )
        if rc != 0:
            self.module.fail_json(
                msg=f"logstash-keystore could not {what} ({self.path}; exit {rc}): "
                f"{(err or out).strip()[-800:]}"
            )
        return out

    def names(self):
        if not os.path.exists(self.path):
            return set()
        out = self.run("list", what="list the keystore's entries")
        return {line.strip() for line in out.splitlines() if NAME.match(line.strip())}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            secrets=dict(type="dict", required=True, no_log=True),
            logstash_home=dict(type="path", default="/usr/share/logstash"),
            path_settings=dict(type="path", default="/etc/logstash"),
            state_dir=dict(type="path", default="/var/lib/datapipe/logstash-keystore"),
            legacy_digest_file=dict(
                type="path", default="/var/lib/logstash/.ansible-keystore-digests.json"
            ),
        ),
        add_file_common_args=True,
        supports_check_mode=True,
    )
    params = module.params
    secrets = {
        str(name): "" if value is None else str(value) for name, value in params["secrets"].items()
    }
    bad_names = sorted(name for name in secrets if not NAME.match(name))
    if bad_names:
        module.fail_json(
            msg=f"Keystore entry names must be letters, digits, '_' or '.', not starting with a "
            f"digit; got {bad_names}. Rename them (pipelines refer to them as ${{NAME}})."
        )
    if os.geteuid() != 0:
        module.fail_json(msg="logstash_keystore must run as root (become: true).")

    keystore = Keystore(module, params["logstash_home"], params["path_settings"])
    state_dir = params["state_dir"]
    problems = unsafe_directories(state_dir)
    if problems:
        module.fail_json(
            msg=f"The keystore digests need a directory only root can change; {state_dir}: "
            f"{'; '.join(problems)}. Choose another state_dir or fix the ownership and modes."
        )
    state_file = os.path.join(state_dir, "digests.json")
    state_text = read_text(state_file)
    recorded, recorded_fingerprint = parse_state(state_text, keystore.path)

    # Names listed by the digest file of earlier releases: stored by this collection,
    # values unknown (its unsalted hashes are not trusted: the logstash user could
    # replace that file). They are written again, or removed, once.
    legacy_file = params["legacy_digest_file"]
    legacy_text = read_text(legacy_file)
    if legacy_text is not None:
        try:
            legacy_names = list(json.loads(legacy_text))
        except (ValueError, TypeError):
            legacy_names = []
        for name in legacy_names:
            if isinstance(name, str) and NAME.match(name):
                recorded.setdefault(name, "hmac-sha256:legacy")
        recorded_fingerprint = None

    key = hmac_key(module, state_dir, create=False)
    desired = {
        name: entry_digest(key, name, value) if key else None for name, value in secrets.items()
    }
    current_fingerprint = fingerprint(keystore.path)
    present = None
    if needs_listing(desired, recorded, recorded_fingerprint, current_fingerprint):
        present = keystore.names()
    todo = plan(desired, recorded, present)
    before = set(recorded if present is None else present)
    after = (before - set(todo["remove"])) | set(desired)
    result = dict(
        changed=any(todo.values()) or legacy_text is not None,
        keystore=keystore.path,
        added=todo["add"],
        replaced=todo["replace"],
        removed=todo["remove"],
        diff=dict(before={"entries": sorted(before)}, after={"entries": sorted(after)}),
    )

    if not module.check_mode:
        apply(module, keystore, secrets, todo)
        if secrets and key is None:
            key = hmac_key(module, state_dir, create=True)
            desired = {name: entry_digest(key, name, value) for name, value in secrets.items()}
        new_fingerprint = fingerprint(keystore.path)
        if (
            desired != recorded
            or new_fingerprint != recorded_fingerprint
            or legacy_text is not None
        ):
            if desired or state_text:
                write_private(
                    state_file,
                    render_state(state_text, keystore.path, desired, new_fingerprint).encode(),
                )
        if legacy_text is not None:
            os.unlink(legacy_file)

    if os.path.exists(keystore.path):
        file_args = module.load_file_common_arguments(params, path=keystore.path)
        result["changed"] = module.set_fs_attributes_if_different(file_args, result["changed"])
    module.exit_json(**result)


def apply(module, keystore, secrets, todo):
    """Create the keystore when needed, then remove and add entries (values on stdin)."""
    state_dir = module.params["state_dir"]
    if secrets:
        if not os.path.isdir(state_dir):
            os.makedirs(state_dir, mode=0o700)
        os.chmod(state_dir, 0o700)
    if secrets and not os.path.exists(keystore.path):
        # Logstash 8+ asks before creating a keystore without a password.
        keystore.run("create", data="y", what="create the keystore")
    for name in todo["replace"] + todo["remove"]:
        keystore.run("remove", name, what=f"remove the entry {name}")
    for name in todo["add"] + todo["replace"]:
        keystore.run("add", name, data=secrets[name], what=f"add the entry {name}")


if __name__ == "__main__":
    main()
