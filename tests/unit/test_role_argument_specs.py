"""Every role documents every default: defaults/main.yml and
meta/argument_specs.yml name the same variables with the same values, every
variable starts with the role's name, and the role's README mentions it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROLES_DIR = Path(__file__).resolve().parents[2] / "roles"
ROLES = sorted(p.name for p in ROLES_DIR.iterdir() if (p / "defaults" / "main.yml").exists())


def load(path: Path):
    return yaml.safe_load(path.read_text()) or {}


def spec_options(role: str) -> dict:
    specs = load(ROLES_DIR / role / "meta" / "argument_specs.yml")["argument_specs"]
    return specs["main"].get("options", {})


@pytest.mark.parametrize("role", ROLES)
def test_defaults_and_argument_specs_name_the_same_variables(role):
    defaults = load(ROLES_DIR / role / "defaults" / "main.yml")
    options = spec_options(role)
    assert sorted(defaults) == sorted(k for k, v in options.items() if "default" in v), (
        "defaults/main.yml and meta/argument_specs.yml drifted apart"
    )


@pytest.mark.parametrize("role", ROLES)
def test_argument_spec_defaults_equal_the_role_defaults(role):
    defaults = load(ROLES_DIR / role / "defaults" / "main.yml")
    options = spec_options(role)
    for name, value in defaults.items():
        assert options[name]["default"] == value, name


@pytest.mark.parametrize("role", ROLES)
def test_every_option_is_described_and_typed(role):
    for name, option in spec_options(role).items():
        assert option.get("description"), f"{name} has no description"
        assert option.get("type"), f"{name} has no type"


@pytest.mark.parametrize("role", ROLES)
def test_variables_start_with_the_role_name(role):
    for name in spec_options(role):
        assert name.startswith(f"{role}_"), name


@pytest.mark.parametrize("role", ROLES)
def test_the_role_readme_mentions_every_variable(role):
    readme = (ROLES_DIR / role / "README.md").read_text()
    missing = [name for name in spec_options(role) if f"`{name}`" not in readme]
    assert not missing, f"roles/{role}/README.md does not document {missing}"
