"""Benchmark: how long a health-gated restart takes per broker, phase by phase.

Brings the lab up (`make lab`, the three-node pipeline on local containers) in
ZooKeeper mode and in KRaft mode, runs playbooks/rolling_restart.yml on it as an
operator would, and prints for every broker why it restarted and the seconds of
each phase the kafka_broker role records:

  gate               the stop gate (min ISR, reassignments, caught-up brokers, quorum)
  stop and start     systemd's restart (the broker's controlled shutdown, then the new JVM)
  registered         from then until the broker is registered and unfenced again
  in sync            ... until no partition is under-replicated
  quorum caught up   ... (KRaft) until every voter has caught up
  total              the whole restart of that broker, gates and leader hand-back included

Target: 12 s or less per broker (mean), in each mode. Prints the figures and
exits non-zero when the target is missed. Not part of `make test`: it measures,
it does not assert behaviour. Leaves the lab down.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET_SECONDS = float(os.environ.get("BENCHMARK_RESTART_TARGET", "12"))
MODES = os.environ.get("BENCHMARK_RESTART_MODES", "zookeeper kraft").split()
PHASES = ["gate", "stop and start", "registered", "in sync", "quorum caught up", "total"]


def run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=ROOT, check=True, text=True, **kwargs)


def rolling_restart_phases(mode: str) -> dict:
    """The phases the role recorded for each broker in one rolling restart of the lab."""
    version = os.environ.get("KAFKA_VERSION", "4.4.0")
    extra = ["-e", "kafka_broker_metadata_mode=kraft", "-e", f"kafka_broker_version={version}"]
    completed = run(
        ["ansible-playbook", "-i", "inventories/lab", "playbooks/rolling_restart.yml"]
        + (extra if mode == "kraft" else []),
        env={**os.environ, "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.json"},
        capture_output=True,
    )
    report = json.loads(completed.stdout)
    for play in report["plays"]:
        for task in play["tasks"]:
            # The JSON callback names a role's task "<role> : <name>".
            if "Report why each node restarted" in task["task"]["name"]:
                for host_result in task["hosts"].values():
                    phases = host_result.get("msg")
                    if isinstance(phases, list):
                        # One entry per restart step: a node, or a rack's nodes.
                        return {" + ".join(map(str, entry["nodes"])): entry for entry in phases}
    raise SystemExit("the rolling restart reported no restart phases")


def main() -> int:
    missed = []
    for mode in MODES:
        print(f"\n== {mode} mode: make lab MODE={mode}, then rolling_restart.yml", flush=True)
        run(["make", "lab-down"], stdout=subprocess.DEVNULL)
        run(["make", "lab", f"MODE={mode}"], stdout=subprocess.DEVNULL)
        try:
            phases = rolling_restart_phases(mode)
        finally:
            run(["make", "lab-down"], stdout=subprocess.DEVNULL)
        print(f"{'node':>4}  " + "  ".join(f"{name:>16}" for name in PHASES) + "  why")
        for node, entry in sorted(phases.items()):
            cells = "  ".join(
                f"{'-' if entry.get(name) is None else entry[name]:>16}" for name in PHASES
            )
            print(f"{node:>4}  {cells}  {entry.get('why', '')}")
        mean = statistics.mean(float(entry["total"]) for entry in phases.values())
        verdict = "met" if mean <= TARGET_SECONDS else "MISSED"
        target = f"target <= {TARGET_SECONDS:.0f} s: {verdict}"
        print(f"mean restart per broker: {mean:.1f} s ({target})")
        if mean > TARGET_SECONDS:
            missed.append(mode)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
