"""Benchmark: what the tests' acks=all load producer costs the machine, per setting.

The scenarios run two at a time on two cores, and every restart, upgrade and
scaling test runs under tests/lab/load_producer.py. Whatever that load costs in
CPU (the producer itself, the brokers' request handling over TLS, the followers'
fetches) is taken from the playbooks under test. This runs the producer against
the lab (`make lab`, three brokers, SASL_SSL) for a fixed time with each pair of
settings below, one after another, and prints the CPU seconds spent per minute
of load by the producer and by the brokers' containers (their cgroups), next to
the brokers idle, and the messages acknowledged. CPU time, not wall time: the
figures hold while other work shares the machine.

Settings: BENCHMARK_LOAD_SETTINGS="rate/linger_ms ..." (default "100/50 50/200",
the tests' settings before and after they were made cheaper), each run for
BENCHMARK_LOAD_SECONDS (default 60). Not part of `make test`: it measures, it
asserts nothing about the roles. Needs the lab up; leaves it as it found it.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECONDS = float(os.environ.get("BENCHMARK_LOAD_SECONDS", "60"))
SETTINGS = os.environ.get("BENCHMARK_LOAD_SETTINGS", "100/50 50/200").split()
BROKERS = ["dp-node1", "dp-node2", "dp-node3"]
ADDRESS_FORMAT = "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}"


def container_cpu_seconds(name: str) -> float:
    """CPU seconds used so far by a container's cgroup (cgroup v1 or v2)."""
    container_id = subprocess.run(
        ["docker", "inspect", "-f", "{{.Id}}", name], check=True, text=True, capture_output=True
    ).stdout.strip()
    version_1 = Path(f"/sys/fs/cgroup/cpuacct/docker/{container_id}/cpuacct.usage")
    if version_1.exists():
        return int(version_1.read_text()) / 1e9
    stat = Path(f"/sys/fs/cgroup/system.slice/docker-{container_id}.scope/cpu.stat").read_text()
    return int(dict(line.split() for line in stat.splitlines())["usage_usec"]) / 1e6


def cpu_seconds_per_minute(action) -> tuple[float, float, object]:
    """(brokers', producer's) CPU seconds per minute of wall time while action runs."""
    brokers_before = sum(container_cpu_seconds(name) for name in BROKERS)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = action()
    minutes = (time.monotonic() - started) / 60
    brokers = sum(container_cpu_seconds(name) for name in BROKERS) - brokers_before
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    producer = (children.ru_utime - children_before.ru_utime) + (
        children.ru_stime - children_before.ru_stime
    )
    return brokers / minutes, producer / minutes, result


def broker_addresses() -> list[str]:
    addresses = []
    for name in BROKERS:
        completed = subprocess.run(
            ["docker", "inspect", "-f", ADDRESS_FORMAT, name],
            check=True,
            text=True,
            capture_output=True,
        )
        addresses.append(f"{completed.stdout.strip()}:9092")
    return addresses


def run_load(bootstrap: list[str], client_config: Path, rate: int, linger_ms: int) -> dict:
    with tempfile.TemporaryDirectory() as work:
        report = Path(work) / "report.json"
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "tests" / "lab" / "load_producer.py"),
                *("--bootstrap", ",".join(bootstrap)),
                *("--topic", f"load-cost-{rate}-{linger_ms}-{int(time.time())}"),
                *("--report", str(report)),
                *("--rate", str(rate), "--linger-ms", str(linger_ms)),
                *("--max-seconds", str(SECONDS), "--max-messages", str(int(rate * SECONDS) + 1)),
                *("--client-config", str(client_config)),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return json.loads(report.read_text())


def main() -> int:
    client_config = Path(os.environ["DATAPIPE_LAB_CACHE"]) / "lab-client" / "kafka-client.json"
    if not client_config.exists():
        raise SystemExit(f"{client_config} is missing: bring the lab up first (make lab)")
    bootstrap = broker_addresses()
    idle = cpu_seconds_per_minute(lambda: time.sleep(min(SECONDS, 30)))[0]
    print(f"brokers idle: {idle:.1f} CPU seconds per minute")
    for setting in SETTINGS:
        rate, linger_ms = (int(value) for value in setting.split("/"))
        brokers, producer, report = cpu_seconds_per_minute(
            lambda rate=rate, linger_ms=linger_ms: run_load(
                bootstrap, client_config, rate, linger_ms
            )
        )
        print(
            f"rate {rate}/s, linger {linger_ms} ms: {brokers + producer - idle:.1f} CPU seconds"
            f" per minute over idle (brokers {brokers - idle:.1f}, producer {producer:.1f});"
            f" sent {report['sent']}, acknowledged {len(report['acknowledged'])},"
            f" errors {len(report['errors'])}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
