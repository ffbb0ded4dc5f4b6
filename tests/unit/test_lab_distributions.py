"""Pure parts of the lab's distribution assembler: the checksum files it writes
read back through the collection's apache_checksum filter."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

LAB = Path(__file__).resolve().parents[1] / "lab"
spec = importlib.util.spec_from_file_location("assemble", LAB / "assemble_distribution.py")
assemble = importlib.util.module_from_spec(spec)
sys.modules["assemble"] = assemble
spec.loader.exec_module(assemble)

import kafka_lab  # noqa: E402  (tests/ is on sys.path through conftest)

PGP = Path(__file__).resolve().parents[2] / "plugins" / "plugin_utils" / "pgp.py"
pgp_spec = importlib.util.spec_from_file_location("pgp_filters", PGP)
pgp = importlib.util.module_from_spec(pgp_spec)
pgp_spec.loader.exec_module(pgp)


@pytest.mark.parametrize("style", ["gpg", "sha512sum"])
def test_checksum_files_read_back_to_the_digest(tmp_path, style):
    archive = tmp_path / "kafka_2.13-4.4.0.tgz"
    archive.write_bytes(b"not really a tarball")
    checksum = assemble.sha512_file(archive, style)
    expected = hashlib.sha512(b"not really a tarball").hexdigest()
    assert kafka_lab.apache_checksum(checksum.read_text()) == expected


def test_gpg_style_is_the_print_md_layout(tmp_path):
    archive = tmp_path / "kafka_2.13-3.9.2.tgz"
    archive.write_bytes(b"x")
    lines = assemble.sha512_file(archive, "gpg").read_text().splitlines()
    assert lines[0].startswith("kafka_2.13-3.9.2.tgz: ")
    assert all(len(line) <= 79 for line in lines)
    assert all(line.startswith(" " * len("kafka_2.13-3.9.2.tgz: ")) for line in lines[1:])
    groups = " ".join(lines).split(": ", 1)[1].split()
    assert len(groups) == 16
    assert all(len(g) == 8 and g == g.upper() for g in groups)


def test_sha512sum_style_is_digest_two_spaces_name(tmp_path):
    archive = tmp_path / "apache-zookeeper-3.9.5-bin.tar.gz"
    archive.write_bytes(b"y")
    text = assemble.sha512_file(archive, "sha512sum").read_text()
    assert text == f"{hashlib.sha512(b'y').hexdigest()}  apache-zookeeper-3.9.5-bin.tar.gz\n"


@pytest.mark.parametrize(
    ("version", "present", "absent"),
    [
        ("4.4.0", "log4j-slf4j-impl", "reload4j"),
        ("3.9.2", "slf4j-reload4j", "log4j-core"),
    ],
)
def test_kafka_pom_ships_the_logging_back_end_of_its_line(version, present, absent):
    pom = assemble.kafka_pom(version)
    assert f"<artifactId>{present}</artifactId>" in pom
    assert f"<artifactId>{absent}</artifactId>" not in pom
    assert f"<artifactId>kafka_2.13</artifactId><version>{version}</version>" in pom


def test_zookeeper_pom_takes_versions_from_zookeepers_parent():
    pom = assemble.zookeeper_pom("3.9.5")
    assert "<artifactId>parent</artifactId><version>3.9.5</version><type>pom</type>" in pom
    assert "<artifactId>jetty-server</artifactId>" in pom


def test_zookeeper_shell_launcher_passes_the_connect_string_as_server():
    launcher = assemble.kafka_launcher(
        "org.apache.zookeeper.ZooKeeperMain",
        server=False,
        arguments=assemble.KAFKA_LAUNCHER_ARGUMENTS["zookeeper-shell.sh"],
    )
    assert 'ZooKeeperMain -server "$1" "${@:2}"' in launcher


def test_server_launchers_ask_for_the_server_settings():
    assert "--server kafka.Kafka" in assemble.kafka_launcher("kafka.Kafka", server=True)
    assert "--server" not in assemble.kafka_launcher("org.x.Tool", server=False)


@pytest.fixture
def signing_home(tmp_path):
    if shutil.which("gpg") is None:
        pytest.skip("gpg is not installed")
    home = tmp_path / "gnupg"
    yield home
    subprocess.run(
        ["gpgconf", "--kill", "all"], env={**os.environ, "GNUPGHOME": str(home)}, check=False
    )


def test_signed_archives_verify_against_the_published_key(tmp_path, signing_home):
    """The lab signs like Apache: a .asc beside the archive, the key in the
    project's KEYS file; the roles' filters read the key and only it is pinned."""
    release = tmp_path / "kafka" / "4.4.0"
    release.mkdir(parents=True)
    archive = release / "kafka_2.13-4.4.0.tgz"
    archive.write_bytes(b"not really a tarball")
    signature = assemble.sign(archive, signing_home)
    fingerprint = assemble.ensure_signing_key(signing_home)
    assert assemble.signed_by(archive, signing_home) == fingerprint
    assert pgp.pgp_fingerprints((tmp_path / "kafka" / "KEYS").read_text()) == [fingerprint]

    first = signature.read_text()
    assemble.sign(archive, signing_home)
    assert signature.read_text() == first, "an archive already signed is not signed again"

    archive.write_bytes(b"another tarball")
    assert assemble.signed_by(archive, signing_home) is None
    assemble.sign(archive, signing_home)
    assert assemble.signed_by(archive, signing_home) == fingerprint
