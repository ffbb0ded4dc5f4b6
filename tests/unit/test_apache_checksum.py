"""The apache_checksum filter reads both formats Apache publishes and refuses
anything else."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

PLUGIN = Path(__file__).resolve().parents[2] / "plugins" / "filter" / "apache_checksum.py"
spec = importlib.util.spec_from_file_location("apache_checksum", PLUGIN)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
apache_checksum = module.apache_checksum

DIGEST = hashlib.sha512(b"kafka").hexdigest()
GROUPS = [DIGEST[i : i + 8].upper() for i in range(0, 128, 8)]


@pytest.mark.parametrize(
    "text",
    [
        f"{DIGEST}  apache-zookeeper-3.9.5-bin.tar.gz\n",
        f"{DIGEST} *apache-zookeeper-3.9.5-bin.tar.gz",
        f"{DIGEST}",
        "kafka_2.13-3.9.2.tgz: " + " ".join(GROUPS[:6]) + "\n" + " " * 22 + " ".join(GROUPS[6:]),
        "kafka_2.13-3.9.2.tgz: " + " ".join(GROUPS) + "\n",
        f"kafka_2.13-4.4.0.tgz: {DIGEST.upper()}",
    ],
    ids=["sha512sum", "sha512sum-binary", "bare", "gpg-wrapped", "gpg-one-line", "gpg-no-groups"],
)
def test_reads_the_digest_from_each_published_format(text):
    assert apache_checksum(text) == DIGEST


def test_reads_sha256_when_asked():
    digest = hashlib.sha256(b"x").hexdigest()
    assert apache_checksum(f"{digest}  x.tgz", "sha256") == digest


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty file"),
        ("deadbeef  kafka.tgz", "digest too short"),
        (f"{DIGEST[:-1]}  kafka.tgz", "one character missing"),
        ("z" * 128 + "  kafka.tgz", "not hex"),
        ("<html><body>404 Not Found</body></html>", "an error page"),
        ("kafka.tgz: 1234 5678", "gpg format, too short"),
    ],
)
def test_refuses_text_without_a_digest(text, why):
    with pytest.raises(AnsibleFilterError, match="no sha512 digest"):
        apache_checksum(text)


def test_refuses_an_unknown_algorithm():
    with pytest.raises(AnsibleFilterError, match="unknown algorithm 'md5'"):
        apache_checksum(DIGEST, "md5")


def test_refuses_non_text():
    with pytest.raises(AnsibleFilterError, match="expected text"):
        apache_checksum(None)
