"""The collection builds, installs from its tarball into an empty collections
path, and its content is usable by FQCN from there (as in an ops repository
that imports it)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(
        argv, capture_output=True, text=True, env=env, cwd=cwd, timeout=300, check=False
    )
    assert result.returncode == 0, f"{' '.join(argv)}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed_collection(tmp_path_factory):
    """Build the tarball and install it into a fresh, otherwise empty path."""
    work = tmp_path_factory.mktemp("collection")
    collections_path = work / "collections"
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(collections_path)}
    galaxy = yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text())
    run(
        ["ansible-galaxy", "collection", "build", str(REPO_ROOT), "--output-path", str(work)],
        env,
        work,
    )
    tarball = work / f"{galaxy['namespace']}-{galaxy['name']}-{galaxy['version']}.tar.gz"
    assert tarball.exists()
    run(
        ["ansible-galaxy", "collection", "install", str(tarball), "-p", str(collections_path)],
        env,
        work,
    )
    return work, env, galaxy


def test_tarball_installs_where_ansible_finds_it(installed_collection):
    work, env, galaxy = installed_collection
    installed = work / "collections" / "ansible_collections" / "datapipe" / "kafka_pipeline"
    assert (installed / "MANIFEST.json").exists()
    listing = run(["ansible-galaxy", "collection", "list", "datapipe.kafka_pipeline"], env, work)
    assert galaxy["version"] in listing.stdout
    assert str(work / "collections") in listing.stdout


def test_tarball_leaves_out_test_lab_caches_and_ci(installed_collection):
    work = installed_collection[0]
    installed = work / "collections" / "ansible_collections" / "datapipe" / "kafka_pipeline"
    assert not (installed / ".ci").exists()
    assert not (installed / ".git").exists()
    assert (installed / "roles" / "java" / "meta" / "argument_specs.yml").exists()


def test_roles_are_documented_by_fqcn(installed_collection):
    work, env = installed_collection[:2]
    listing = run(["ansible-doc", "-t", "role", "-l", "datapipe.kafka_pipeline"], env, work)
    assert "datapipe.kafka_pipeline.java" in listing.stdout
    doc = run(["ansible-doc", "-t", "role", "datapipe.kafka_pipeline.java"], env, work)
    assert "java_major_version" in doc.stdout


def test_plugin_listing_works_for_the_collection(installed_collection):
    work, env = installed_collection[:2]
    listing = run(["ansible-doc", "-l", "datapipe.kafka_pipeline"], env, work)
    assert "ERROR" not in listing.stderr


def test_a_playbook_outside_the_repo_resolves_the_role_by_fqcn(installed_collection):
    work, env = installed_collection[:2]
    playbook = work / "ops-repo" / "java.yml"
    playbook.parent.mkdir()
    playbook.write_text(
        "- name: Java for the brokers\n"
        "  hosts: all\n"
        "  roles:\n"
        "    - role: datapipe.kafka_pipeline.java\n"
        "      vars:\n"
        "        java_major_version: 17\n"
    )
    result = run(
        ["ansible-playbook", "-i", "localhost,", "--syntax-check", str(playbook)],
        env,
        playbook.parent,
    )
    assert "playbook: " in result.stdout
