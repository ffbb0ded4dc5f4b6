"""The OpenPGP filters: fingerprints read from armored keys, a keyring that holds
only pinned keys, and gpgv's status output judged against the pinned fingerprints."""

from __future__ import annotations

import base64
import importlib.util
import re
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

PLUGIN = Path(__file__).resolve().parents[2] / "plugins" / "plugin_utils" / "pgp.py"
spec = importlib.util.spec_from_file_location("pgp", PLUGIN)
pgp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pgp)

# Two throwaway ed25519 test keys (public parts only). TEST_KEY has an encryption
# subkey; OTHER_KEY plays a key that is not pinned.
TEST_KEY = """\
-----BEGIN PGP PUBLIC KEY BLOCK-----

mDMEawpnoxYJKwYBBAHaRw8BAQdAtSMmJObGF9aU0Kaj8063mVxjZWRNuwJO8dAs
g3DmaO+0JnBncCBmaWx0ZXIgdGVzdCA8dGVzdEBleGFtcGxlLmludmFsaWQ+iJAE
ExYIADgWIQSJ/LBG6+zOBnHdJnnzZMbiE/zVMAUCawpnowIbAwULCQgHAgYVCgkI
CwIEFgIDAQIeAQIXgAAKCRDzZMbiE/zVMEUFAQC12D694ApncKEhLGGXAsYLjgnM
mG0pv8nCkBEgYnvqZgEA5pbaFAVspqq5Bkb4EwMK+L+mo1jcm6qUZJawWZmitge4
OARrCmejEgorBgEEAZdVAQUBAQdAJPcorQ3v9QA+bvcP2YYHsmKW9Z/4k41lUuyf
jrLq/hgDAQgHiHgEGBYIACAWIQSJ/LBG6+zOBnHdJnnzZMbiE/zVMAUCawpnowIb
DAAKCRDzZMbiE/zVMMpAAP9cliqR3fbnjfaDbf3LgUjNcGFJyg/RPdMIwBz4N0eJ
TAD+Ph2Wno0WCHs50gfINlG1nQjGrEIdFGfb77rWuBjh6g0=
=qyc+
-----END PGP PUBLIC KEY BLOCK-----
"""
TEST_FPR = "89FCB046EBECCE0671DD2679F364C6E213FCD530"
TEST_SUBKEY_FPR = "03C278FEE63B447E59F9C78A67DC6442DD76D1FB"
OTHER_KEY = """\
-----BEGIN PGP PUBLIC KEY BLOCK-----

mDMEawpnoxYJKwYBBAHaRw8BAQdAYZkcnd2btqmJAla24pnSXNVrHOWWnGEVXNfu
gnBxG9i0HW90aGVyIDxvdGhlckBleGFtcGxlLmludmFsaWQ+iJAEExYIADgWIQQJ
lT5c2jExhjCdbxguhYUhuuQaYgUCawpnowIbAwULCQgHAgYVCgkICwIEFgIDAQIe
AQIXgAAKCRAuhYUhuuQaYrVcAP9dWEtI1fyXF9g0p5810saZI2agh7ovK3P7gjRv
L3za8AEAyHj1Mn9FJJZ00zFKypNx2YA6klUJ7bGtDd0ZcrjfdA4=
=G6Bq
-----END PGP PUBLIC KEY BLOCK-----
"""
OTHER_FPR = "09953E5CDA313186309D6F182E858521BAE41A62"
# An Apache-style KEYS file: listings and several key blocks in one text.
KEYS_FILE = f"The PGP keys of various developers.\n\npub   ed25519\n{OTHER_KEY}\n{TEST_KEY}"

GOOD = """\
[GNUPG:] NEWSIG test@example.invalid
[GNUPG:] KEY_CONSIDERED 89FCB046EBECCE0671DD2679F364C6E213FCD530 0
[GNUPG:] SIG_ID KZuG6EfmpSfn5xTxwT9g+3xmFhQ 2026-11-28 1795844008
[GNUPG:] GOODSIG F364C6E213FCD530 pgp filter test <test@example.invalid>
[GNUPG:] VALIDSIG 89FCB046EBECCE0671DD2679F364C6E213FCD530 2026-11-28 1795844008 0 4 0 22 8 00 \
89FCB046EBECCE0671DD2679F364C6E213FCD530
""".replace("\\\n", "")
UNPINNED = """\
[GNUPG:] NEWSIG other@example.invalid
[GNUPG:] ERRSIG 2E858521BAE41A62 22 8 00 1795844008 9 09953E5CDA313186309D6F182E858521BAE41A62
[GNUPG:] NO_PUBKEY 2E858521BAE41A62
"""
BAD = """\
[GNUPG:] NEWSIG test@example.invalid
[GNUPG:] KEY_CONSIDERED 89FCB046EBECCE0671DD2679F364C6E213FCD530 0
[GNUPG:] BADSIG F364C6E213FCD530 pgp filter test <test@example.invalid>
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TEST_KEY, [TEST_FPR]),
        (OTHER_KEY, [OTHER_FPR]),
        (KEYS_FILE, [OTHER_FPR, TEST_FPR]),
        ([TEST_KEY, OTHER_KEY, TEST_KEY], [TEST_FPR, OTHER_FPR]),
        ("no key here", []),
        (TEST_KEY.replace("\n\n", "\nComment: a header\n\n", 1), [TEST_FPR]),
    ],
)
def test_fingerprints(text, expected):
    assert pgp.pgp_fingerprints(text) == expected


def armor(data):
    return (
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n"
        + base64.b64encode(data).decode()
        + "\n-----END PGP PUBLIC KEY BLOCK-----\n"
    )


def test_old_v3_keys_are_skipped_not_fatal():
    """Old KEYS files may hold V3 keys (MD5 fingerprints): never pinned, never in the way."""
    v3_body = bytes([3]) + bytes(20)
    v3_key = bytes([0x99, 0, len(v3_body)]) + v3_body
    test_key = base64.b64decode(pgp.pgp_keyring(TEST_KEY, [TEST_FPR]))
    text = armor(v3_key + test_key)
    assert pgp.pgp_fingerprints(text) == [TEST_FPR]
    assert base64.b64decode(pgp.pgp_keyring(text, [TEST_FPR])) == test_key


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (TEST_KEY.replace("=qyc+", "=AAAA"), "armor checksum"),
        (TEST_KEY.replace("mDMEawpno", "mDMEawpn!"), "not valid base64"),
        (42, "expected armored key text"),
    ],
)
def test_fingerprints_refuse_damaged_keys(text, message):
    with pytest.raises(AnsibleFilterError, match=message):
        pgp.pgp_fingerprints(text)


@pytest.mark.parametrize(
    ("pins", "kept"),
    [
        ([TEST_FPR], [TEST_FPR]),
        (["89fc b046 ebec ce06 71dd  2679 f364 c6e2 13fc d530"], [TEST_FPR]),
        ([TEST_SUBKEY_FPR], [TEST_FPR]),
        ([OTHER_FPR, TEST_FPR], [OTHER_FPR, TEST_FPR]),
        (["0" * 40], []),
        ([], []),
    ],
)
def test_keyring_keeps_pinned_keys_only(pins, kept):
    keyring = base64.b64decode(pgp.pgp_keyring(KEYS_FILE, pins))
    assert pgp.pgp_fingerprints(armor(keyring) if keyring else "") == kept


@pytest.mark.parametrize("pin", ["F364C6E213FCD530", "0x" + "F" * 39, "not hex" * 6, ""])
def test_short_or_malformed_pins_are_refused(pin):
    with pytest.raises(AnsibleFilterError, match="short key ids can be forged"):
        pgp.pgp_keyring(TEST_KEY, [pin])


@pytest.mark.parametrize(
    ("status", "pins", "valid", "found"),
    [
        (GOOD, [TEST_FPR], True, f"a good signature by {TEST_FPR}"),
        (GOOD, [TEST_SUBKEY_FPR.lower()], False, f"the unpinned key {TEST_FPR}"),
        (GOOD, [OTHER_FPR], False, f"the unpinned key {TEST_FPR}"),
        (
            UNPINNED,
            [TEST_FPR],
            False,
            f"key id 2E858521BAE41A62 \\(fingerprint {OTHER_FPR}\\), which is not among",
        ),
        (BAD, [TEST_FPR], False, "a BAD signature"),
        (GOOD + BAD, [TEST_FPR], False, "a BAD signature"),
        (GOOD.replace(" 22 8 00 ", " 22 2 00 "), [TEST_FPR], False, "weak digest SHA-1"),
        ("[GNUPG:] NODATA 1\n", [TEST_FPR], False, "no signature at all"),
        ("[GNUPG:] NEWSIG\n", [TEST_FPR], False, "no good signature"),
        ("", [TEST_FPR], False, "no answer from gpgv"),
        ("[GNUPG:] EXPKEYSIG F364C6E213FCD530 x\n", [TEST_FPR], False, "an expired key"),
    ],
)
def test_gpgv_verdict(status, pins, valid, found):
    verdict = pgp.gpgv_verdict(status, pins)
    assert verdict["valid"] is valid
    if valid:
        assert verdict["signers"] == [TEST_FPR]
    assert re.search(found, verdict["found"]), verdict["found"]
