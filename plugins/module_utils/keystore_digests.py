# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)
"""The pure part of the logstash_keystore module: plain data in, plain data out.

A keystore cannot be read back, so to know whether an entry holds the value asked
for, the module records a digest of each value it stored. The digest is an
HMAC-SHA256 keyed with a random key that only root can read: without the key
nobody can test a guess against a digest (an unsalted hash of a short password
can be looked up or brute-forced from the file alone), and two hosts, or two
entries, holding the same value have different digests.
"""

from __future__ import annotations

import hashlib
import hmac
import json

STATE_FORMAT = 1
DIGEST_PREFIX = "hmac-sha256:"
KEY_BYTES = 32


def entry_digest(key: bytes, name: str, value: str) -> str:
    """The digest recorded for the entry ``name`` holding ``value``.

    The name is part of the message, so moving a value to another name is a change.
    """
    message = name.encode("utf-8") + b"\0" + value.encode("utf-8")
    return DIGEST_PREFIX + hmac.new(key, message, hashlib.sha256).hexdigest()


def parse_state(text: str | None, keystore: str) -> tuple[dict[str, str], str | None]:
    """(entries, keystore fingerprint) recorded for ``keystore`` in the state file text.

    A missing, unreadable or foreign file records nothing: every entry is then
    written again, which is safe (it costs one restart), never wrong.
    """
    if not text:
        return {}, None
    try:
        state = json.loads(text)
    except ValueError:
        return {}, None
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        return {}, None
    recorded = (state.get("keystores") or {}).get(keystore)
    if not isinstance(recorded, dict):
        return {}, None
    entries = recorded.get("entries")
    if not isinstance(entries, dict):
        return {}, None
    entries = {
        str(name): digest
        for name, digest in entries.items()
        if isinstance(digest, str) and digest.startswith(DIGEST_PREFIX)
    }
    fingerprint = recorded.get("fingerprint")
    return entries, fingerprint if isinstance(fingerprint, str) else None


def render_state(
    text: str | None, keystore: str, entries: dict[str, str], fingerprint: str | None
) -> str:
    """The state file text with ``keystore``'s record replaced (other keystores kept)."""
    try:
        state = json.loads(text) if text else {}
    except ValueError:
        state = {}
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        state = {}
    keystores = state.get("keystores") if isinstance(state.get("keystores"), dict) else {}
    keystores = dict(keystores)
    if entries:
        keystores[keystore] = {"fingerprint": fingerprint, "entries": dict(sorted(entries.items()))}
    else:
        keystores.pop(keystore, None)
    return (
        json.dumps({"format": STATE_FORMAT, "keystores": keystores}, indent=2, sort_keys=True)
        + "\n"
    )


def needs_listing(
    desired: dict[str, str | None],
    recorded: dict[str, str],
    recorded_fingerprint: str | None,
    current_fingerprint: str | None,
) -> bool:
    """Whether the keystore's entry names must be read before planning.

    Not when every wanted digest is recorded, nothing recorded is unwanted, and the
    keystore is the very file written last time (someone who recreated or edited it
    changed its fingerprint).
    """
    if current_fingerprint is None or current_fingerprint != recorded_fingerprint:
        return True
    if set(recorded) - set(desired):
        return True
    return any(digest is None or recorded.get(name) != digest for name, digest in desired.items())


def plan(
    desired: dict[str, str | None],
    recorded: dict[str, str],
    present: set[str] | None,
) -> dict[str, list[str]]:
    """What to do to the keystore.

    desired:  NAME -> digest of the value wanted (None when it cannot be computed yet,
              in check mode before the key exists: then the entry counts as changed)
    recorded: NAME -> digest recorded when the module last stored it
    present:  the names the keystore holds (None: not read, taken as the recorded ones)

    Returns ``add`` (not in the keystore), ``replace`` (in it with another or an unknown
    value: removed, then added) and ``remove`` (stored by this module before and no
    longer wanted). Entries the module never recorded and nobody asks for are left
    alone: they belong to whoever added them.
    """
    present = set(recorded) if present is None else set(present)
    add, replace = [], []
    for name in sorted(desired):
        digest = desired[name]
        if name not in present:
            add.append(name)
        elif digest is None or recorded.get(name) != digest:
            replace.append(name)
    remove = sorted(name for name in recorded if name not in desired and name in present)
    return {"add": add, "replace": replace, "remove": remove}
