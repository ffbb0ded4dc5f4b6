"""Run one module task through ansible-playbook, as a user would, and return its result.

The playbook runs on localhost with the JSON callback, so a test sees exactly
what Ansible reports (changed, diff, msg), including for check and diff mode.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

COLLECTION = "datapipe.kafka_pipeline"


@dataclass
class TaskResult:
    result: dict
    failed: bool
    seconds: float

    @property
    def changed(self) -> bool:
        return bool(self.result.get("changed"))

    @property
    def msg(self) -> str:
        return str(self.result.get("msg", ""))


def run_task(
    module: str,
    args: dict,
    *,
    check: bool = False,
    diff: bool = True,
    timeout_s: int = 300,
    interpreter: str | None = None,
) -> TaskResult:
    play = [
        {
            "hosts": "localhost",
            "gather_facts": False,
            "tasks": [{"name": f"Run {module}", f"{COLLECTION}.{module}": args}],
        }
    ]
    with tempfile.TemporaryDirectory() as work:
        playbook = Path(work) / "task.yml"
        playbook.write_text(yaml.safe_dump(play))
        argv = ["ansible-playbook", "-i", "localhost,", "-c", "local", str(playbook)]
        # The modules run where kafka-python is: this test's own interpreter,
        # unless a test asks for another one.
        argv += ["-e", f"ansible_python_interpreter={interpreter or sys.executable}"]
        argv += ["--check"] if check else []
        argv += ["--diff"] if diff else []
        env = {
            **os.environ,
            "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
            "ANSIBLE_LOCALHOST_WARNING": "false",
        }
        started = time.monotonic()
        completed = subprocess.run(
            argv, capture_output=True, text=True, env=env, timeout=timeout_s, check=False
        )
        seconds = time.monotonic() - started
    try:
        report = json.loads(completed.stdout)
        host_result = report["plays"][0]["tasks"][0]["hosts"]["localhost"]
    except (ValueError, KeyError, IndexError) as error:
        raise AssertionError(
            f"no task result from ansible-playbook ({error}):\n"
            f"{completed.stdout}\n{completed.stderr}"
        ) from error
    return TaskResult(host_result, bool(host_result.get("failed")), seconds)


def run_playbook(
    playbook: Path, inventory: dict, inventory_file: Path, *extra: str, timeout_s: int = 300
) -> dict:
    """Write ``inventory`` to ``inventory_file``, run ``playbook`` on it with the JSON
    callback and return the callback's report."""
    inventory_file.write_text(yaml.safe_dump(inventory))
    completed = subprocess.run(
        ["ansible-playbook", "-i", str(inventory_file), str(playbook), *extra],
        env={
            **os.environ,
            "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
            "ANSIBLE_LOCALHOST_WARNING": "false",
        },
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    try:
        return json.loads(completed.stdout)
    except ValueError as error:
        raise AssertionError(
            f"no JSON report (rc {completed.returncode}):"
            f" {completed.stdout[-2000:]} {completed.stderr[-2000:]}"
        ) from error
