# Copyright: datapipe maintainers
# Apache License 2.0 (see LICENSE)
"""OpenPGP helpers for verified downloads (key fingerprints, a keyring of pinned
keys only, the verdict on what gpgv reported); each is a filter of its own file
in plugins/filter/."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

from ansible.errors import AnsibleFilterError

_ARMOR = re.compile(
    r"-----BEGIN PGP PUBLIC KEY BLOCK-----\r?\n(.*?)-----END PGP PUBLIC KEY BLOCK-----",
    re.S,
)
_PUBLIC_KEY = 6  # packet tags (RFC 9580 5)
_PUBLIC_SUBKEY = 14
# Digest algorithms (RFC 9580 9.5) too weak to vouch for a download.
_WEAK_DIGESTS = {"1": "MD5", "2": "SHA-1", "3": "RIPEMD-160"}


def normalise_fingerprint(value):
    """Upper-case hex without spaces; raises on anything that is not a full fingerprint."""
    text = re.sub(r"\s+", "", str(value)).upper()
    text = text[2:] if text.startswith("0X") else text
    if not re.fullmatch(r"[0-9A-F]{40}|[0-9A-F]{64}", text):
        raise AnsibleFilterError(
            f"{value!r} is not an OpenPGP fingerprint: give all 40 hex digits (64 for V6 keys), "
            "as `gpg --show-keys KEYFILE` prints them; short key ids can be forged"
        )
    return text


def _crc24(data):
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _bit in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def _dearmor(text):
    """Binary packets of every public key block in the text."""
    if not isinstance(text, str):
        raise AnsibleFilterError(f"expected armored key text, got {type(text).__name__}")
    blocks = []
    for body in _ARMOR.findall(text):
        lines = [line.strip() for line in body.splitlines()]
        # Armor headers ("Version: ...", "Comment: ...") end at the first blank line.
        if "" in lines and any(":" in line for line in lines[: lines.index("")]):
            lines = lines[lines.index("") + 1 :]
        checksum = next((line for line in lines if line.startswith("=") and len(line) == 5), None)
        data_lines = [line for line in lines if line and line is not checksum]
        try:
            data = base64.b64decode("".join(data_lines), validate=True)
        except (binascii.Error, ValueError) as error:
            raise AnsibleFilterError(
                f"a PGP PUBLIC KEY BLOCK is not valid base64: {error}"
            ) from error
        if checksum is not None:
            expected = int.from_bytes(base64.b64decode(checksum[1:]), "big")
            if _crc24(data) != expected:
                raise AnsibleFilterError(
                    "a PGP PUBLIC KEY BLOCK fails its armor checksum (damaged)"
                )
        blocks.append(data)
    return blocks


def _packets(data):
    """(tag, body, raw packet) for each packet of a binary OpenPGP stream."""
    position = 0
    while position < len(data):
        start = position
        ctb = data[position]
        position += 1
        if not ctb & 0x80:
            raise AnsibleFilterError(f"invalid OpenPGP packet header 0x{ctb:02x} at byte {start}")
        if ctb & 0x40:  # new format
            tag = ctb & 0x3F
            first = data[position]
            if first < 192:
                length, position = first, position + 1
            elif first < 224:
                length = ((first - 192) << 8) + data[position + 1] + 192
                position += 2
            elif first == 255:
                length = int.from_bytes(data[position + 1 : position + 5], "big")
                position += 5
            else:
                raise AnsibleFilterError("partial-length packets do not belong in a public key")
        else:  # old format
            tag = (ctb >> 2) & 0x0F
            size = {0: 1, 1: 2, 2: 4}.get(ctb & 0x03)
            if size is None:
                length = len(data) - position
            else:
                length = int.from_bytes(data[position : position + size], "big")
                position += size
        body = data[position : position + length]
        if len(body) != length:
            raise AnsibleFilterError("an OpenPGP packet is cut short")
        position += length
        yield tag, body, data[start:position]


def _fingerprint(body):
    version = body[0] if body else 0
    if version == 4:  # the V4 fingerprint is defined as SHA-1 (RFC 9580 5.5.4)
        return hashlib.sha1(b"\x99" + len(body).to_bytes(2, "big") + body).hexdigest().upper()
    if version == 5:
        return hashlib.sha256(b"\x9a" + len(body).to_bytes(4, "big") + body).hexdigest().upper()
    if version == 6:
        return hashlib.sha256(b"\x9b" + len(body).to_bytes(4, "big") + body).hexdigest().upper()
    return None  # V3 and older: MD5 fingerprints, never pinned (old KEYS files may hold them)


def _keys(texts):
    """[{'fingerprint', 'subkeys', 'raw'}] for every transferable public key in the texts."""
    if not isinstance(texts, (list, tuple)):
        texts = [texts]
    keys = []
    for text in texts:
        for block in _dearmor(text):
            for tag, body, raw in _packets(block):
                if tag == _PUBLIC_KEY:
                    keys.append({"fingerprint": _fingerprint(body), "subkeys": [], "raw": raw})
                elif keys:
                    if tag == _PUBLIC_SUBKEY and _fingerprint(body):
                        keys[-1]["subkeys"].append(_fingerprint(body))
                    keys[-1]["raw"] += raw
    return keys


def pgp_fingerprints(texts):
    """Fingerprints of the primary keys in the armored text(s), in order, without repeats."""
    seen = []
    for key in _keys(texts):
        if key["fingerprint"] and key["fingerprint"] not in seen:
            seen.append(key["fingerprint"])
    return seen


def pgp_keyring(texts, fingerprints):
    """Base64 of a binary keyring with only the keys one of the fingerprints names."""
    pinned = {normalise_fingerprint(f) for f in fingerprints}
    kept = [
        key["raw"]
        for key in _keys(texts)
        if key["fingerprint"] in pinned or pinned.intersection(key["subkeys"])
    ]
    return base64.b64encode(b"".join(kept)).decode("ascii")


def gpgv_verdict(status, fingerprints):
    """Read gpgv's --status-fd output: a good signature by a pinned key, or what instead."""
    pinned = {normalise_fingerprint(f) for f in fingerprints}
    lines = [line.split()[1:] for line in str(status).splitlines() if line.startswith("[GNUPG:] ")]
    signers, found = [], []
    # ERRSIG names the issuer's fingerprint where the signature carries it.
    issuers = {w[1]: w[7] for w in lines if w[:1] == ["ERRSIG"] and len(w) >= 8}
    for words in lines:
        keyword, args = (words[0], words[1:]) if words else ("", [])
        if keyword == "VALIDSIG" and len(args) >= 8:
            signer = args[9].upper() if len(args) >= 10 else args[0].upper()
            digest = _WEAK_DIGESTS.get(args[7])
            if digest:
                found.append(f"a signature by {signer} with the weak digest {digest}")
            elif signer in pinned or args[0].upper() in pinned:
                signers.append(signer)
            else:
                found.append(f"a good signature by the unpinned key {signer}")
        elif keyword == "BADSIG":
            found.append(f"a BAD signature (the file does not match it) by key {' '.join(args)}")
        elif keyword in ("EXPKEYSIG", "REVKEYSIG", "EXPSIG"):
            what = {
                "EXPKEYSIG": "an expired key",
                "REVKEYSIG": "a revoked key",
                "EXPSIG": "an expired signature",
            }
            found.append(f"a signature by {what[keyword]} ({' '.join(args)})")
        elif keyword == "NO_PUBKEY" and args:
            issuer = f" (fingerprint {issuers[args[0]]})" if args[0] in issuers else ""
            found.append(
                f"a signature by key id {args[0]}{issuer}, which is not among the pinned keys"
            )
        elif keyword == "ERRSIG" and args and not any(w[:1] == ["NO_PUBKEY"] for w in lines):
            code = args[5] if len(args) > 5 else "?"
            found.append(f"a signature gpgv could not check (key id {args[0]}, code {code})")
        elif keyword == "NODATA":
            found.append("no signature at all (the .asc holds no OpenPGP signature)")
    signers = sorted(set(signers))
    valid = bool(signers) and not found
    if not valid and not found:
        found.append("no good signature" if lines else "no answer from gpgv")
    return {
        "valid": valid,
        "signers": signers,
        "found": "; ".join(found) if found else "a good signature by " + ", ".join(signers),
    }
