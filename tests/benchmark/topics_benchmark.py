"""Benchmark: 1,000 topics through kafka_topic / kafka_retention vs. a plain kafka-python script.

Starts one KRaft broker from the lab's distribution on loopback, then measures
wall time, each as a separate process as a user would run it:

  1. create 1,000 topics: one kafka_topic task (ansible-playbook) vs. one
     create_topics call (python). Both return once the topics are usable (the
     module waits for their metadata; the script passes wait_for_metadata=True,
     without which a following alter_configs finds no such topics)
  2. the same kafka_topic task again, with nothing to change
  3. set retention.bytes on all 1,000: one kafka_retention task vs. one
     alter_configs call

Targets: 1 at most 1.5x the plain script, 2 at most 1.5 s, 3 at most 2x the
plain script (override with BENCHMARK_CREATE_RATIO, BENCHMARK_RERUN_S). Prints the figures
and exits non-zero when a target is missed. Not part of `make test`: it measures,
it does not assert behaviour.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import kafka_lab

TOPICS = int(os.environ.get("BENCHMARK_TOPICS", "1000"))
# Each figure is the median of this many rounds, each round on fresh brokers.
ROUNDS = int(os.environ.get("BENCHMARK_ROUNDS", "3"))
KAFKA_VERSION = os.environ.get("KAFKA_VERSION", "4.4.0")
RETENTION = "100000000"
CREATE_RATIO = float(os.environ.get("BENCHMARK_CREATE_RATIO", "1.5"))
RERUN_S = float(os.environ.get("BENCHMARK_RERUN_S", "1.5"))

# What a careful operator would write with kafka-python alone: one batched call per step.
PLAIN_SCRIPT = """
import sys
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient

bootstrap, phase, prefix, count, retention = sys.argv[1:6]
names = [f"{prefix}-{i:04d}" for i in range(int(count))]
admin = KafkaAdminClient(bootstrap_servers=bootstrap)
if phase == "create":
    admin.create_topics(
        {name: {"num_partitions": 1, "replication_factor": 1} for name in names},
        wait_for_metadata=True,
    )
else:
    admin.alter_configs(
        [
            ConfigResource(ConfigResourceType.TOPIC, name, {"retention.bytes": retention})
            for name in names
        ],
        incremental=True,
    )
admin.close()
"""


def timed(argv: list[str], env: dict[str, str] | None = None) -> float:
    started = time.monotonic()
    completed = subprocess.run(
        argv, capture_output=True, text=True, env=env, check=False, timeout=600
    )
    seconds = time.monotonic() - started
    if completed.returncode != 0:
        raise SystemExit(
            f"{' '.join(argv[:3])} failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
        )
    return seconds


def playbook(work: Path, name: str, task: dict) -> Path:
    path = work / f"{name}.yml"
    path.write_text(
        yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": [task]}], width=1000)
    )
    return path


def ansible(path: Path) -> float:
    return timed(
        [
            "ansible-playbook",
            "-i",
            "localhost,",
            "-c",
            "local",
            str(path),
            "-e",
            f"ansible_python_interpreter={sys.executable}",
        ]
    )


def plain(work: Path, bootstrap: str, phase: str, prefix: str) -> float:
    script = work / "plain.py"
    script.write_text(PLAIN_SCRIPT)
    return timed([sys.executable, str(script), bootstrap, phase, prefix, str(TOPICS), RETENTION])


def topic_count(bootstrap: str, prefix: str) -> int:
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        return sum(1 for name in admin.list_topics() if name.startswith(prefix + "-"))
    finally:
        admin.close()


def measure_plain(work: Path) -> tuple[float, float]:
    broker = kafka_lab.start_kraft_broker(KAFKA_VERSION, work / "plain-broker")
    try:
        create = plain(work, broker.bootstrap_servers, "create", "plain")
        check_count(broker.bootstrap_servers, "plain")
        alter = plain(work, broker.bootstrap_servers, "alter", "plain")
    finally:
        broker.stop()
    return create, alter


def measure_modules(work: Path) -> tuple[float, float, float]:
    broker = kafka_lab.start_kraft_broker(KAFKA_VERSION, work / "module-broker")
    bootstrap = broker.bootstrap_servers
    create_pb = playbook(
        work,
        "create",
        {
            "datapipe.kafka_pipeline.kafka_topic": {
                "bootstrap_servers": [bootstrap],
                "partitions": 1,
                "replication_factor": 1,
                "topics": [{"name": f"bench-{i:04d}"} for i in range(TOPICS)],
            }
        },
    )
    retention_pb = playbook(
        work,
        "retention",
        {
            "datapipe.kafka_pipeline.kafka_retention": {
                "bootstrap_servers": [bootstrap],
                "pattern": "bench-.*",
                "retention_bytes": int(RETENTION),
            }
        },
    )
    try:
        create = ansible(create_pb)
        check_count(bootstrap, "bench")
        rerun = ansible(create_pb)
        alter = ansible(retention_pb)
    finally:
        broker.stop()
    return create, rerun, alter


def check_count(bootstrap: str, prefix: str) -> None:
    found = topic_count(bootstrap, prefix)
    if found != TOPICS:
        raise SystemExit(f"expected {TOPICS} {prefix} topics, found {found}")


def main() -> int:
    # Each side gets a fresh broker of its own: a broker that already holds
    # 1,000 topics creates the next 1,000 several times slower.
    rounds = []
    for _round in range(ROUNDS):
        with tempfile.TemporaryDirectory(prefix="topics-benchmark-") as tmp:
            work = Path(tmp)
            rounds.append(measure_plain(work) + measure_modules(work))
    plain_create, plain_alter, module_create, module_rerun, module_alter = (
        statistics.median(figures) for figures in zip(*rounds, strict=False)
    )
    for number, figures in enumerate(rounds, 1):
        print(
            "round {}: plain create {:.2f} alter {:.2f}; module create {:.2f} re-run {:.2f}"
            " retention {:.2f}".format(number, *figures)
        )

    rows = [
        (
            "create",
            module_create,
            plain_create,
            module_create <= CREATE_RATIO * plain_create,
            f"<= {CREATE_RATIO:g}x plain",
        ),
        (
            "re-run, nothing to change",
            module_rerun,
            None,
            module_rerun <= RERUN_S,
            f"<= {RERUN_S:g} s",
        ),
        (
            "retention on all",
            module_alter,
            plain_alter,
            module_alter <= 2 * plain_alter,
            "<= 2x plain",
        ),
    ]
    print(
        f"\n{TOPICS} topics on one Kafka {KAFKA_VERSION} KRaft broker"
        f" (wall time in seconds, median of {ROUNDS} rounds)"
    )
    print(f"{'step':<28}{'module':>9}{'plain':>9}{'ratio':>8}  target       met")
    for step, module_s, plain_s, met, target in rows:
        plain_text = f"{plain_s:9.2f}" if plain_s is not None else f"{'-':>9}"
        ratio = f"{module_s / plain_s:8.2f}" if plain_s else f"{'-':>8}"
        print(
            f"{step:<28}{module_s:9.2f}{plain_text}{ratio}  {target:<12} {'yes' if met else 'NO'}"
        )
    return 0 if all(row[3] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
