"""Benchmark: how long site.yml takes on the five-host lab, first and again.

Brings the lab's containers up fresh (`make lab-down`, then the containers of
`make lab`), and times, as an operator would run them:

  first converge     site.yml on fresh hosts (Java, ZooKeeper, Kafka, topics,
                     principals, both Logstash hosts)
  re-run             site.yml again, nothing to change
  check and diff     site.yml --check --diff, nothing to change

Targets: first converge at most 120 s; the re-run and the check each at most 25%
of the first converge. Also prints how many tasks the re-run and the check looked
at (each costs the controller a worker per host, even when skipped) and the ten
slowest tasks of the re-run (Ansible's profile_tasks), which is where a slow
re-run spends its time. Prints the
figures, exits non-zero when a target is missed. Not part of `make test`: it
measures, it does not assert behaviour. Leaves the lab down.
MODE=kraft (environment) measures the KRaft lab instead of the seed's ZooKeeper one.
BENCHMARK_LOG_DIR=<dir> keeps each run's whole output there (first.log, rerun.log,
check.log), for reading the profile of every task.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIRST_TARGET_S = float(os.environ.get("BENCHMARK_CONVERGE_TARGET", "120"))
RERUN_SHARE = float(os.environ.get("BENCHMARK_RERUN_SHARE", "0.25"))
MODE = os.environ.get("MODE", "zookeeper")
LOG_DIR = os.environ.get("BENCHMARK_LOG_DIR")


def run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=ROOT, check=True, text=True, **kwargs)


def mode_vars() -> list[str]:
    if MODE != "kraft":
        return []
    version = os.environ.get("KAFKA_VERSION", "4.4.0")
    return ["-e", "kafka_broker_metadata_mode=kraft", "-e", f"kafka_broker_version={version}"]


def timed_site(label: str, *extra: str) -> tuple[float, str]:
    """Run site.yml over the lab; its wall time and its output (with profile_tasks)."""
    env = {
        **os.environ,
        "ANSIBLE_CALLBACKS_ENABLED": "ansible.posix.profile_tasks",
        "PROFILE_TASKS_TASK_OUTPUT_LIMIT": "15",
        "ANSIBLE_NOCOLOR": "1",
    }
    argv = ["ansible-playbook", "-i", "inventories/lab", "playbooks/site.yml", *mode_vars()]
    started = time.monotonic()
    completed = subprocess.run(
        argv + list(extra), cwd=ROOT, env=env, text=True, capture_output=True, check=False
    )
    seconds = time.monotonic() - started
    if LOG_DIR:
        Path(LOG_DIR).mkdir(parents=True, exist_ok=True)
        (Path(LOG_DIR) / f"{label}.log").write_text(completed.stdout + completed.stderr)
    if completed.returncode != 0:
        raise SystemExit(f"site.yml {' '.join(extra)} failed:\n{completed.stdout[-5000:]}")
    return seconds, completed.stdout


def changed_count(output: str) -> int:
    return sum(
        int(n) for n in re.findall(r"\bchanged=(\d+)", output.rsplit("PLAY RECAP", maxsplit=1)[-1])
    )


def task_count(output: str) -> int:
    """Tasks the run looked at: one header per task (per host and task under the free strategy)."""
    return len(re.findall(r"(?m)^TASK \[", output))


def slowest_tasks(output: str) -> list[str]:
    """profile_tasks' summary: '<task> --- <seconds>s' lines after the recap."""
    summary = output.rsplit("PLAY RECAP", maxsplit=1)[-1]
    return [line.strip() for line in summary.splitlines() if re.search(r"-{3,} +[0-9.]+s$", line)]


def main() -> int:
    print(f"== site.yml on the five-host lab ({MODE} mode)", flush=True)
    run(["make", "lab-down"], stdout=subprocess.DEVNULL)
    run(
        ["ansible-playbook", "-i", "inventories/lab", "tests/lab/containers.yml"],
        stdout=subprocess.DEVNULL,
    )
    try:
        first = timed_site("first")[0]
        rerun, rerun_output = timed_site("rerun")
        check, check_output = timed_site("check", "--check", "--diff")
    finally:
        run(["make", "lab-down"], stdout=subprocess.DEVNULL)
    unchanged = changed_count(rerun_output) == 0 and changed_count(check_output) == 0
    rows = [
        ("first converge", first, f"<= {FIRST_TARGET_S:.0f} s", first <= FIRST_TARGET_S),
        (
            "re-run, nothing to change",
            rerun,
            f"<= {RERUN_SHARE:.0%} of first",
            rerun <= RERUN_SHARE * first,
        ),
        ("--check --diff", check, f"<= {RERUN_SHARE:.0%} of first", check <= RERUN_SHARE * first),
    ]
    print(f"\n{'run':<28}{'seconds':>9}{'share':>8}  {'target':<18} met")
    for name, seconds, target, met in rows:
        print(
            f"{name:<28}{seconds:9.1f}{seconds / first:8.0%}  {target:<18} {'yes' if met else 'NO'}"
        )
    print(f"\ntasks looked at: re-run {task_count(rerun_output)}, check {task_count(check_output)}")
    print("\nslowest tasks of the re-run:")
    for line in slowest_tasks(rerun_output)[:10]:
        print(f"  {line}")
    if not unchanged:
        print("the re-run or the check reported changes: the lab did not converge")
    return 0 if unchanged and all(row[3] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
