"""Shared verifier test: `--check --diff` on the converged scenario changes nothing.

Molecule's own `check` step fails only on errors, so the scenarios count the
changes themselves: each scenario imports the test below into one of its test
files, and it runs once per scenario (it takes no `host`). A scenario whose side
effect changes the configuration keeps that change in vars/side_effect.yml,
which the check run takes as extra vars: the state the scenario ends in.

A secured scenario (its converge wrote secrets.json, the passwords the
inventory configures) runs the check with -vvv as well, and no password and no
private key may appear anywhere in that output."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import yaml


def changes_reported(output: str) -> tuple[dict[str, int], dict[str, list[str]]]:
    """From ansible-playbook's default output: the changed count per host (PLAY RECAP)
    and the tasks that reported a change, with their hosts."""
    recap = {
        host: int(count)
        for host, count in re.findall(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)", output, re.M)
    }
    changed_tasks: dict[str, list[str]] = {}
    task = None
    for line in output.splitlines():
        header = re.match(r"^TASK \[(.*)\]", line)
        if header:
            task = header.group(1)
        elif line.startswith("changed: ["):
            changed_tasks.setdefault(task, []).append(line.split("]")[0].removeprefix("changed: ["))
    return recap, changed_tasks


def test_check_mode_on_the_converged_hosts_changes_nothing():
    scenario = Path(os.environ["MOLECULE_SCENARIO_DIRECTORY"])
    platforms = {
        p["name"] for p in yaml.safe_load((scenario / "molecule.yml").read_text())["platforms"]
    }
    inventory = Path(os.environ["MOLECULE_INVENTORY_FILE"]).parent
    argv = ["ansible-playbook", "-i", str(inventory), str(scenario / "converge.yml")]
    argv += ["--check", "--diff"]
    secrets_file = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "secrets.json"
    secrets = json.loads(secrets_file.read_text()) if secrets_file.exists() else []
    if secrets:
        argv += ["-vvv"]
    side_effect_vars = scenario / "vars" / "side_effect.yml"
    if side_effect_vars.exists():
        argv += ["-e", f"@{side_effect_vars}"]
    started = time.monotonic()
    completed = subprocess.run(
        argv,
        env={**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0"},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    seconds = time.monotonic() - started
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    recap, changed_tasks = changes_reported(completed.stdout)
    print(f"\n--check --diff on the converged {scenario.name}: {seconds:.0f} s, recap {recap}")
    assert platforms <= set(recap), f"hosts missing from the recap: {platforms - set(recap)}"
    assert changed_tasks == {}, f"tasks that would change: {changed_tasks}"
    assert set(recap.values()) == {0}
    output = completed.stdout + completed.stderr
    leaked = [f"secret #{number}" for number, secret in enumerate(secrets) if secret in output]
    leaked += ["a private key"] if "PRIVATE KEY-----" in output else []
    assert not leaked, f"-vvv --diff output shows {leaked}"
    if secrets:
        print(f"-vvv --diff output: {len(output)} characters, none of {len(secrets)} secrets in it")
