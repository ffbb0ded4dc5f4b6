"""What Galaxy and a new user read about the collection holds together: galaxy.yml
declares every collection that shipped content uses (and no other), the changelog
has released the version galaxy.yml builds, and every ``version_added`` names a
released version."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
GALAXY = yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text())
CHANGELOG = yaml.safe_load((REPO_ROOT / "changelogs" / "changelog.yaml").read_text())
SHIPPED = ["playbooks", "roles", "plugins", "inventories/aws"]
# A collection's FQCN in use: a module, filter, lookup, test or connection by name.
FQCN = re.compile(r"\b([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\.[a-z_][a-z0-9_]*\b")
NAMESPACES = {"amazon", "ansible", "community", "datapipe", "kubernetes", "cisco", "containers"}


def shipped_files():
    for top in SHIPPED:
        for path in sorted((REPO_ROOT / top).rglob("*")):
            if path.suffix in {".yml", ".yaml", ".py", ".j2"}:
                yield path


def collections_used() -> set[str]:
    used = set()
    for path in shipped_files():
        for namespace, name in FQCN.findall(path.read_text()):
            if namespace in NAMESPACES:
                used.add(f"{namespace}.{name}")
    # ansible.builtin ships with ansible-core; the collection itself needs no declaration;
    # ansible_collections.<ns>.<name> imports are Python paths, not collections.
    return used - {"ansible.builtin", "datapipe.kafka_pipeline", "ansible.module_utils"}


def test_every_collection_the_content_uses_is_a_dependency_and_no_other():
    assert collections_used() == set(GALAXY["dependencies"])


def test_dependency_ranges_start_at_a_release_and_stop_before_the_next_major():
    for fqcn, version_range in GALAXY["dependencies"].items():
        lower, upper = version_range.split(",")
        assert lower.startswith(">=") and upper.startswith("<"), fqcn
        major = int(lower[2:].split(".")[0])
        assert upper == f"<{major + 1}.0.0", fqcn


def test_the_built_version_is_released_in_the_changelog_with_a_summary():
    release = CHANGELOG["releases"][GALAXY["version"]]
    assert release["release_date"]
    assert "Kafka" in release["changes"]["release_summary"]


def released_versions() -> set[str]:
    return set(CHANGELOG["releases"])


def test_every_version_added_names_a_released_version():
    version_added = re.compile(r"version_added:\s*[\"']?([0-9][0-9.]*)")
    found = {}
    for path in shipped_files():
        for version in version_added.findall(path.read_text()):
            found.setdefault(version, []).append(path.relative_to(REPO_ROOT).as_posix())
    assert found, "no version_added anywhere"
    unreleased = {v: files for v, files in found.items() if v not in released_versions()}
    assert unreleased == {}


def test_every_role_entry_point_carries_version_added():
    for specs_file in sorted((REPO_ROOT / "roles").glob("*/meta/argument_specs.yml")):
        entry_points = yaml.safe_load(specs_file.read_text())["argument_specs"]
        for name, entry_point in entry_points.items():
            assert entry_point.get("version_added"), f"{specs_file.parent.parent.name}:{name}"
