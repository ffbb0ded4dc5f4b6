"""The internal role datapipe.kafka_pipeline.common is only called with tasks_from.
Ansible checks each call against the entry point of roles/common/meta/argument_specs.yml
that tasks_from names, and checks nothing when there is no entry point of that name
(``tasks_from: install_archive.yml`` looks up an entry point ``install_archive.yml``).

These tests hold the three together: every tasks file has its entry point, typed and
described; every call site (in roles/, playbooks/ and the molecule scenarios) names an
entry point and passes only what it declares and all it requires; and the options are
the variables the tasks read, with the defaults the tasks apply."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

REPO_ROOT = Path(__file__).resolve().parents[2]
COMMON = REPO_ROOT / "roles" / "common"
TASKS = COMMON / "tasks"
TEMPLATES = COMMON / "templates"
# The role's own variables (derived from what its tasks register), not inputs.
ROLE_VARS = COMMON / "vars" / "main.yml"
CALLER_DIRS = ["roles", "playbooks", "molecule"]
ROLE_NAMES = {"datapipe.kafka_pipeline.common", "common"}
INCLUDE_ROLE = {
    "include_role",
    "import_role",
    "ansible.builtin.include_role",
    "ansible.builtin.import_role",
}
SET_FACT = {"set_fact", "ansible.builtin.set_fact"}
TYPES = {"str", "int", "bool", "list", "dict", "path", "raw"}
PYTHON_TYPES = {"str": str, "path": str, "int": int, "bool": bool, "list": list, "dict": dict}
SECRET = re.compile(r"password|passphrase|secret|_keystore$")

# Required options a caller does not pass in vars: because something else provides them.
PROVIDED_OTHERWISE = {
    # Facts that logstash_install sets; the callers include logstash_install first
    # (test_logstash_configure_runs_after_logstash_install).
    "logstash_configure": {"_common_logstash_home", "_common_logstash_installed"},
}

# Variables an entry point's files read that its callers never pass, on a path it
# does not take.
NOT_INPUTS = {
    # logstash_install includes install_archive for the tarball without signature
    # checking (_common_archive_verify_signature keeps its default, false), so the
    # inputs of archive_signature are never read through it.
    "logstash_install": {
        "_common_archive_verify_signature",
        "_common_archive_signing_fingerprints",
        "_common_archive_signing_keys",
    },
}

COMMON_NAME = re.compile(r"\b_common_\w+")
INCLUDED_TASKS = re.compile(r"(?:include|import)_tasks:\s*([\w.-]+\.ya?ml)")
TEMPLATE_NAME = re.compile(r"[\w.-]+\.j2\b")
JINJA_SET = re.compile(r"{%-?\s*set\s+(\w+)")
JINJA_COMMENT = re.compile(r"{#.*?#}", re.DOTALL)
YAML_COMMENT_LINE = re.compile(r"^\s*#.*$", re.MULTILINE)
APPLIED_DEFAULT = re.compile(r"\b(_common_\w+)\s*\|\s*default\(([^()]*)\)")


class _Loader(yaml.SafeLoader):
    """Safe loading that reads tagged values (!vault, !unsafe) as plain data."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def load(path: Path):
    return yaml.load(path.read_text(), Loader=_Loader)


SPECS = load(COMMON / "meta" / "argument_specs.yml")["argument_specs"]
TASK_FILES = sorted(p.stem for p in TASKS.glob("*.yml"))


@dataclass(frozen=True)
class Call:
    path: Path
    task: str
    tasks_from: str
    variables: tuple[str, ...]
    values: dict

    def __str__(self) -> str:
        return f"{self.path.relative_to(REPO_ROOT)}: {self.task!r}"


def find_calls(node, path: Path):
    """Every include_role/import_role of the common role, however deep (blocks,
    rescue, always, plays' tasks), with the task's own vars."""
    if isinstance(node, dict):
        for key in INCLUDE_ROLE & node.keys():
            args = node[key]
            if isinstance(args, dict) and args.get("name") in ROLE_NAMES:
                variables = node.get("vars") or {}
                yield Call(
                    path,
                    str(node.get("name", "")),
                    str(args.get("tasks_from", "main")),
                    tuple(variables),
                    dict(variables),
                )
        for value in node.values():
            yield from find_calls(value, path)
    elif isinstance(node, list):
        for item in node:
            yield from find_calls(item, path)


def all_calls() -> list[Call]:
    calls = []
    for top in CALLER_DIRS:
        for path in sorted((REPO_ROOT / top).rglob("*.yml")):
            calls.extend(find_calls(load(path), path))
    return calls


CALLS = all_calls()


def entry_point_files(entry_point: str) -> list[Path]:
    """The tasks file, the tasks files it includes and the templates they render."""
    todo, seen = [TASKS / f"{entry_point}.yml"], []
    while todo:
        path = todo.pop()
        if path in seen or not path.exists():
            continue
        seen.append(path)
        text = code(path)
        todo += [TASKS / name for name in INCLUDED_TASKS.findall(text)]
        todo += [TEMPLATES / name for name in TEMPLATE_NAME.findall(text)]
    return seen


def code(path: Path) -> str:
    """A file's text without its comments (which may name variables they do not read)."""
    return YAML_COMMENT_LINE.sub("", JINJA_COMMENT.sub("", path.read_text()))


def names_set(node) -> set[str]:
    """Variables the tasks make themselves: registered, set_fact, vars, loop_var."""
    found = set()
    if isinstance(node, dict):
        if isinstance(node.get("register"), str):
            found.add(node["register"])
        for key in SET_FACT & node.keys():
            found |= set(node[key] or {})
        if isinstance(node.get("vars"), dict):
            found |= set(node["vars"])
        if isinstance(node.get("loop_control"), dict) and "loop_var" in node["loop_control"]:
            found.add(node["loop_control"]["loop_var"])
        for value in node.values():
            found |= names_set(value)
    elif isinstance(node, list):
        for item in node:
            found |= names_set(item)
    return found


def caller_inputs() -> set[str]:
    """_common_ variables the role reads and never sets itself: what callers pass."""
    read, made = set(), set()
    for path in TASKS.glob("*.yml"):
        read |= set(COMMON_NAME.findall(code(path)))
        made |= names_set(load(path))
    for path in TEMPLATES.glob("*.j2"):
        read |= set(COMMON_NAME.findall(code(path)))
        made |= set(JINJA_SET.findall(path.read_text()))
    if ROLE_VARS.exists():
        role_vars = yaml.safe_load(ROLE_VARS.read_text()) or {}
        read |= set(COMMON_NAME.findall(ROLE_VARS.read_text()))
        made |= set(role_vars)
    return read - made


def options(entry_point: str) -> dict:
    return SPECS.get(entry_point, {}).get("options") or {}


def check_options(entry_point: str, spec: dict, where: str) -> list[str]:
    problems = []
    for name, option in spec.items():
        here = f"{entry_point}: {where}{name}"
        kind = option.get("type")
        if kind not in TYPES:
            problems.append(f"{here} has type {kind!r}, not one of {sorted(TYPES)}")
        if kind == "list" and not option.get("elements"):
            problems.append(f"{here} is a list without elements")
        if not option.get("description"):
            problems.append(f"{here} has no description")
        if option.get("required") and "default" in option:
            problems.append(f"{here} is required and has a default")
        if "default" in option and kind in PYTHON_TYPES:
            if not isinstance(option["default"], PYTHON_TYPES[kind]):
                problems.append(f"{here}'s default {option['default']!r} is not a {kind}")
        if "choices" in option and "default" in option:
            if option["default"] not in option["choices"]:
                problems.append(f"{here}'s default is not among its choices")
        if SECRET.search(name) and not option.get("no_log"):
            problems.append(f"{here} holds secrets but is not no_log")
        problems += check_options(entry_point, option.get("options") or {}, f"{where}{name}.")
    return problems


def test_every_tasks_file_has_an_entry_point_and_every_entry_point_a_tasks_file():
    # main.yml only refuses to run the role without tasks_from: it takes no input.
    assert sorted(SPECS) == [name for name in TASK_FILES if name != "main"]


@pytest.mark.parametrize("entry_point", sorted(SPECS))
def test_entry_point_is_documented(entry_point):
    spec = SPECS[entry_point]
    assert spec.get("short_description"), entry_point
    assert spec.get("version_added"), entry_point
    assert spec.get("author"), entry_point
    assert isinstance(spec.get("description"), list), f"{entry_point}: description is a list"
    assert all(isinstance(line, str) and line for line in spec["description"]), entry_point
    assert options(entry_point), f"{entry_point} declares no options"


@pytest.mark.parametrize("entry_point", sorted(SPECS))
def test_entry_point_options_are_typed_and_described(entry_point):
    assert check_options(entry_point, options(entry_point), "") == []


def test_the_role_is_called_from_roles_and_playbooks():
    callers = {call.path.relative_to(REPO_ROOT).parts[0] for call in CALLS}
    assert {"roles", "playbooks"} <= callers
    # Every entry point a caller names (the rest are steps that others include).
    assert {call.tasks_from for call in CALLS} >= {
        "archive_preflight",
        "install_archive",
        "logstash_configure",
        "logstash_install",
        "member_facts",
        "service_user",
        "systemd_unit",
        "tls_ca",
        "tls_certificate",
        "tls_client_certificate",
    }


@pytest.mark.parametrize("call", CALLS, ids=str)
def test_call_names_an_entry_point(call):
    assert call.tasks_from in SPECS, (
        f"{call} calls tasks_from: {call.tasks_from}, which is no entry point of "
        f"roles/common/meta/argument_specs.yml, so Ansible checks nothing; name the "
        f"entry point (the tasks file without .yml): {sorted(SPECS)}"
    )


@pytest.mark.parametrize("call", CALLS, ids=str)
def test_call_passes_only_declared_variables(call):
    declared = options(call.tasks_from)
    undeclared = sorted(set(call.variables) - set(declared))
    assert undeclared == [], f"{call} passes {undeclared}, which {call.tasks_from} does not declare"


@pytest.mark.parametrize("call", CALLS, ids=str)
def test_call_passes_every_required_variable(call):
    required = {name for name, option in options(call.tasks_from).items() if option.get("required")}
    missing = required - set(call.variables) - PROVIDED_OTHERWISE.get(call.tasks_from, set())
    assert sorted(missing) == [], f"{call} does not pass {sorted(missing)}"


@pytest.mark.parametrize("call", CALLS, ids=str)
def test_call_literal_values_validate(call):
    """What a call passes as plain data (not a template, resolved only at run time)
    has the declared type, as Ansible's own validator sees it."""
    spec = {
        name: {key: value for key, value in option.items() if key != "required"}
        for name, option in options(call.tasks_from).items()
    }
    literal = {
        name: value
        for name, value in call.values.items()
        if name in spec and not (isinstance(value, str) and "{{" in value)
    }
    result = ArgumentSpecValidator(spec).validate(literal)
    assert result.error_messages == [], str(call)


def test_logstash_configure_runs_after_logstash_install():
    for call in CALLS:
        if call.tasks_from == "logstash_configure":
            before = [c.tasks_from for c in find_calls(load(call.path), call.path)]
            first_configure = before.index("logstash_configure")
            assert "logstash_install" in before[:first_configure], str(call)


@pytest.mark.parametrize("entry_point", sorted(SPECS))
def test_every_option_is_read_by_the_entry_point(entry_point):
    read = set()
    for path in entry_point_files(entry_point):
        read |= set(COMMON_NAME.findall(code(path)))
    unread = sorted(set(options(entry_point)) - read)
    assert unread == [], f"{entry_point} declares {unread}, which its tasks never read"


@pytest.mark.parametrize("entry_point", sorted(SPECS))
def test_every_input_the_entry_point_reads_is_declared(entry_point):
    read = set()
    for path in entry_point_files(entry_point):
        read |= set(COMMON_NAME.findall(code(path)))
    inputs = read & caller_inputs()
    undeclared = sorted(inputs - set(options(entry_point)) - NOT_INPUTS.get(entry_point, set()))
    assert undeclared == [], f"{entry_point} reads {undeclared} without declaring them"


@pytest.mark.parametrize("entry_point", sorted(SPECS))
def test_option_defaults_are_the_defaults_the_tasks_apply(entry_point):
    applied: dict[str, list] = {}
    for path in entry_point_files(entry_point):
        for name, literal in APPLIED_DEFAULT.findall(code(path)):
            applied.setdefault(name, []).append(yaml.safe_load(literal))
    for name, option in options(entry_point).items():
        if "default" in option:
            assert applied.get(name), f"{entry_point}: {name} has a default the tasks do not apply"
            assert all(value == option["default"] for value in applied[name]), (
                f"{entry_point}: {name} defaults to {option['default']!r} in the spec, "
                f"{applied[name]} in the tasks"
            )
        else:
            assert name not in applied, (
                f"{entry_point}: the tasks default {name} to {applied.get(name)}; "
                "declare that default"
            )
