"""A bounded load producer for the rolling-restart tests.

Sends numbered messages with acks=all (idempotent, so retries never duplicate)
to one topic at a steady rate, records every acknowledgement (message number,
partition, offset) and, in a second thread, how often any partition of the
topic had no leader. It stops by itself after --max-messages or --max-seconds,
or as soon as the file named by --stop-file exists, and writes a JSON report.

The topic is created first when missing (--partitions, --replication-factor,
and min.insync.replicas one less than the replication factor).

Usage: python load_producer.py --bootstrap H:P[,H:P] --topic T --report FILE
       [--stop-file FILE] [--rate 50] [--max-messages 60000] [--max-seconds 600]
       [--partitions 6] [--replication-factor 3]
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from pathlib import Path

from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

# kafka-python connection settings of a secured cluster (--client-config).
CLIENT_SETTINGS: dict = {}


def message_value(number: int) -> bytes:
    """The payload of message `number`; the verifier rebuilds it to compare."""
    return f"load-test message {number:08d}".encode()


def create_topic(bootstrap: str, topic: str, partitions: int, replication_factor: int) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, **CLIENT_SETTINGS)
    try:
        admin.create_topics(
            [
                NewTopic(
                    topic,
                    num_partitions=partitions,
                    replication_factor=replication_factor,
                    topic_configs={"min.insync.replicas": str(max(1, replication_factor - 1))},
                )
            ]
        )
    except TopicAlreadyExistsError:
        pass
    finally:
        admin.close()


def watch_leaders(bootstrap: str, topic: str, stop: threading.Event, report: dict) -> None:
    """Count, once a second, the partitions of `topic` that have no leader."""
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=5000, **CLIENT_SETTINGS
    )
    try:
        while not stop.wait(1.0):
            try:
                partitions = admin.describe_topics([topic])[0]["partitions"]
            except KafkaError:  # a broker going away mid-request is expected
                report["leader_checks_failed"] += 1
                continue
            report["leader_checks"] += 1
            offline = [p["partition_index"] for p in partitions if p["leader_id"] < 0]
            if offline:
                report["offline_observations"].append({"at": time.time(), "partitions": offline})
    finally:
        admin.close()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--stop-file", type=Path)
    # The defaults are what the scenarios use: 50 messages a second (one every 20 ms
    # through each restart), gathered for 200 ms per leader. The producer and three
    # SASL_SSL brokers spend about 8 CPU seconds a minute on that, against 21 for
    # 100 a second in 50 ms batches (tests/benchmark/load_cost_benchmark.py), on
    # the two cores two scenarios share.
    parser.add_argument("--rate", type=int, default=50, help="messages per second")
    parser.add_argument("--max-messages", type=int, default=60000)
    parser.add_argument("--max-seconds", type=float, default=600)
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--replication-factor", type=int, default=3)
    parser.add_argument(
        "--linger-ms",
        type=int,
        default=200,
        help="how long the producer gathers messages for a leader before sending them",
    )
    parser.add_argument(
        "--client-config",
        type=Path,
        help="JSON of kafka-python connection settings (security_protocol, sasl_*, ssl_*);"
        " a missing file means a PLAINTEXT cluster",
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.client_config and args.client_config.exists():
        CLIENT_SETTINGS.update(json.loads(args.client_config.read_text()))
    create_topic(args.bootstrap, args.topic, args.partitions, args.replication_factor)

    report = {
        "topic": args.topic,
        "sent": 0,
        "acknowledged": [],
        "errors": [],
        "leader_checks": 0,
        "leader_checks_failed": 0,
        "offline_observations": [],
    }
    lock = threading.Lock()
    stop_watching = threading.Event()
    # A daemon: a watcher stuck in a request never keeps the process (and the
    # scenario waiting for its report) alive.
    watcher = threading.Thread(
        target=watch_leaders,
        args=(args.bootstrap, args.topic, stop_watching, report),
        daemon=True,
    )
    watcher.start()

    producer = KafkaProducer(
        bootstrap_servers=args.bootstrap,
        acks="all",
        enable_idempotence=True,
        # A request to each leader per linger at most, carrying every message sent
        # meanwhile: each message is still acknowledged one by one, but the brokers
        # and their followers' fetches handle far fewer requests.
        linger_ms=args.linger_ms,
        delivery_timeout_ms=120000,
        **CLIENT_SETTINGS,
    )
    started = time.monotonic()

    def acknowledged(number):
        def callback(metadata):
            with lock:
                report["acknowledged"].append([number, metadata.partition, metadata.offset])

        return callback

    def failed(number):
        def errback(error):
            with lock:
                report["errors"].append([number, repr(error)])

        return errback

    try:
        for number in range(args.max_messages):
            elapsed = time.monotonic() - started
            if elapsed > args.max_seconds or (args.stop_file and args.stop_file.exists()):
                break
            future = producer.send(
                args.topic, key=str(number).encode(), value=message_value(number)
            )
            future.add_callback(acknowledged(number))
            future.add_errback(failed(number))
            report["sent"] += 1
            # Keep to the rate: sleep until this message's slot.
            ahead = (number + 1) / args.rate - (time.monotonic() - started)
            if ahead > 0:
                time.sleep(ahead)
        # Messages still unacknowledged when the flush gives up are not lost
        # acknowledged messages: the report says how many, and the verifier
        # judges them (it asks for more than 99% acknowledged).
        try:
            producer.flush(timeout=150)
        except KafkaError as error:
            report["flush_error"] = repr(error)
    finally:
        stop_watching.set()
        try:
            producer.close(timeout=30)
        except KafkaError as error:
            report["close_error"] = repr(error)
        watcher.join(timeout=30)
        # Written whatever happened above, so the scenario always has figures.
        report["seconds"] = round(time.monotonic() - started, 1)
        args.report.write_text(json.dumps(report))

    print(
        f"sent {report['sent']}, acknowledged {len(report['acknowledged'])}, "
        f"errors {len(report['errors'])}, offline observations "
        f"{len(report['offline_observations'])} in {report['seconds']} s"
        + (f"; flush: {report['flush_error']}" if "flush_error" in report else "")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
