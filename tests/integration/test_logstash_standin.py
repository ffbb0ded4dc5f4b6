"""The lab's stand-in Logstash package and its signed APT repository.

No registry the test machines reach serves Logstash, so the lab builds a package
named `logstash` that gives the roles Logstash's layout, user, service and CLI.
These tests build the repository from nothing, check what APT will verify
(signature, index checksums), unpack the package and drive its command line:
`-t` on the seed's pipelines, a missing keystore variable, and the keystore.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
STANDIN = HERE.parent / "logstash_standin"
SEED = HERE.parent / "unit" / "logstash_configs"
VERSION = "9.2.1"


@pytest.fixture(scope="module")
def repository(tmp_path_factory):
    work = tmp_path_factory.mktemp("standin")
    mirror = work / "mirror"
    subprocess.run(
        [
            sys.executable,
            str(STANDIN / "build_repository.py"),
            str(mirror),
            str(work / "cache"),
            VERSION,
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return work, mirror / "elastic" / "packages" / "9.x" / "apt"


@pytest.fixture(scope="module")
def unpacked(repository):
    work, repo = repository
    [deb] = (repo / "pool").rglob("*.deb")
    root = work / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return root


def test_release_is_signed_by_the_published_key(repository):
    work, repo = repository
    gnupg = work / "verify-gnupg"
    gnupg.mkdir(mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(gnupg)}
    key = repo.parents[2] / "GPG-KEY-elasticsearch"
    subprocess.run(
        ["gpg", "--batch", "--import", str(key)], env=env, check=True, capture_output=True
    )
    verified = subprocess.run(
        ["gpg", "--batch", "--verify", str(repo / "dists/stable/InRelease")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stderr
    assert "Good signature" in verified.stderr


def test_release_lists_the_checksum_of_every_index(repository):
    repo = repository[1]
    release = (repo / "dists/stable/Release").read_text()
    for arch in ("amd64", "all"):
        for name in ("Packages", "Packages.gz"):
            content = (repo / "dists/stable/main" / f"binary-{arch}" / name).read_bytes()
            line = (
                f" {hashlib.sha256(content).hexdigest()} {len(content)} main/binary-{arch}/{name}"
            )
            assert line in release


def test_package_says_it_is_a_stand_in_and_has_logstash_layout(repository, unpacked):
    [deb] = (repository[1] / "pool").rglob("*.deb")
    fields = subprocess.run(
        ["dpkg-deb", "--field", str(deb)], capture_output=True, text=True, check=True
    )
    assert "Package: logstash" in fields.stdout
    assert "NOT Logstash" in fields.stdout
    for path in (
        "usr/share/logstash/bin/logstash",
        "usr/share/logstash/bin/logstash-keystore",
        "usr/share/logstash/bin/logstash-plugin",
        "etc/logstash/logstash.yml",
        "etc/logstash/pipelines.yml",
        "lib/systemd/system/logstash.service",
    ):
        assert (unpacked / path).exists(), path
    assert "THIS IS NOT LOGSTASH" in (unpacked / "usr/share/logstash/bin/logstash").read_text()


def settings_with(tmp_path: Path, pipeline: str) -> Path:
    settings = tmp_path / "settings"
    conf = tmp_path / "conf.d"
    conf.mkdir()
    settings.mkdir()
    (conf / "pipeline.conf").write_text(pipeline)
    (settings / "logstash.yml").write_text(f"path.logs: {tmp_path}\n")
    (settings / "pipelines.yml").write_text(f"- pipeline.id: seed\n  path.config: {conf}/*.conf\n")
    return settings


def logstash(unpacked: Path, tool: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(unpacked / "usr/share/logstash/bin" / tool), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("seed", ["seed_consumer.conf", "seed_producer_test.conf"])
def test_config_test_accepts_the_seed_pipelines(unpacked, tmp_path, seed):
    settings = settings_with(tmp_path, (SEED / seed).read_text())
    result = logstash(unpacked, "logstash", "--path.settings", str(settings), "-t")
    assert result.returncode == 0, result.stderr
    assert "Configuration OK" in result.stdout


def test_config_test_refuses_the_malformed_seed_pipeline(unpacked, tmp_path):
    settings = settings_with(tmp_path, (SEED / "seed_producer_malformed.conf").read_text())
    result = logstash(unpacked, "logstash", "--path.settings", str(settings), "-t")
    assert result.returncode == 1
    assert "pipeline seed" in result.stderr
    assert "expected a plugin name" in result.stderr


def test_keystore_keeps_names_and_resolves_references(unpacked, tmp_path):
    settings = settings_with(
        tmp_path, 'output { kafka { sasl_jaas_config => "password=${KAFKA_PASSWORD}" } }'
    )
    unresolved = logstash(unpacked, "logstash", "--path.settings", str(settings), "-t")
    assert unresolved.returncode == 1
    assert "${KAFKA_PASSWORD}" in unresolved.stderr

    store = ["--path.settings", str(settings)]
    assert logstash(unpacked, "logstash-keystore", *store, "create").returncode == 0
    added = logstash(
        unpacked, "logstash-keystore", *store, "add", "KAFKA_PASSWORD", stdin="s3cr3t-value"
    )
    assert added.returncode == 0, added.stderr
    assert logstash(unpacked, "logstash-keystore", *store, "list").stdout.split() == [
        "KAFKA_PASSWORD"
    ]
    assert "s3cr3t-value" not in (settings / "logstash.keystore").read_text()
    again = logstash(unpacked, "logstash-keystore", *store, "add", "KAFKA_PASSWORD", stdin="x")
    assert again.returncode == 1

    resolved = logstash(unpacked, "logstash", "--path.settings", str(settings), "-t")
    assert resolved.returncode == 0, resolved.stderr

    assert (
        logstash(unpacked, "logstash-keystore", *store, "remove", "KAFKA_PASSWORD").returncode == 0
    )
    assert logstash(unpacked, "logstash-keystore", *store, "list").stdout.split() == []


def test_version_says_stand_in(unpacked):
    result = logstash(unpacked, "logstash", "--version")
    assert result.returncode == 0
    assert f"logstash {VERSION} (test lab stand-in, not Logstash)" in result.stdout


def test_tarball_is_published_with_its_sha512(repository):
    work = repository[0]
    downloads = work / "mirror" / "elastic" / "downloads" / "logstash"
    tarball = downloads / f"logstash-{VERSION}-linux-x86_64.tar.gz"
    digest, name = (downloads / f"{tarball.name}.sha512").read_text().split()
    assert name == tarball.name
    assert digest == hashlib.sha512(tarball.read_bytes()).hexdigest()
    listing = subprocess.run(
        ["tar", "-tzf", str(tarball)], capture_output=True, text=True, check=True
    )
    names = listing.stdout.split()
    for path in (
        "bin/logstash",
        "bin/logstash-keystore",
        "lib/standin/pipeline_syntax.py",
        "config/pipelines.yml",
    ):
        assert f"logstash-{VERSION}/{path}" in names, path
