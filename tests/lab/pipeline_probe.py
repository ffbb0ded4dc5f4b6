"""Prove the lab's pipeline end to end through Kafka, from the controller.

The lab's Logstash hosts run a stand-in package (tests/logstash_standin/, NOT
Logstash: it checks pipelines but processes no events), so this probe plays
both Logstash ends with the settings the roles rendered into them:

* as the producer: it sends a JSON event to the producer pipeline's `topic_id`
  through its `bootstrap_servers`, with acks=all as the role configures;
* as the consumer group: it joins the consumer pipeline's `group_id` through its
  `bootstrap_servers`, reads its `topics` until the event arrives, and commits;
  then the group's committed offset is read back from the brokers.

It also reads the topics' configuration back from the brokers. On a secured
cluster each end logs in as its own principal (the logins the lab wrote to
principals.json, checked against the user names in the pipelines) and the
topic check as the admin (kafka-client.json), both in --client-dir. Used by the
pipeline scenario's verifier and, as a command, by `make lab`:

    python tests/lab/pipeline_probe.py --producer dp-producer --consumer dp-consumer \
        --client-dir DIR --expect-config twitter retention.bytes=100000000
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType

PRODUCER_PIPELINE = "/etc/logstash/pipelines/kafka-producer/pipeline.conf"
CONSUMER_PIPELINE = "/etc/logstash/pipelines/kafka-consumer/pipeline.conf"
ARRIVAL_TIMEOUT_S = 60


def kafka_plugin_settings(pipeline_text: str, section: str) -> dict[str, str | list[str]]:
    """The string and string-array options of the `kafka` plugin in one section
    (input or output) of a rendered pipeline, e.g. {"topic_id": "twitter"}."""
    section_match = re.search(rf"^{section} \{{(.*?)^\}}", pipeline_text, re.S | re.M)
    if not section_match:
        raise ValueError(f"the pipeline has no {section} section")
    plugin = re.search(r"^\s*kafka \{(.*?)^\s*\}", section_match.group(1), re.S | re.M)
    if not plugin:
        raise ValueError(f"the {section} section has no kafka plugin")
    settings: dict[str, str | list[str]] = {}
    for name, value in re.findall(r"^\s*(\w+) => (\".*\"|'.*'|\[.*\])\s*$", plugin.group(1), re.M):
        # Logstash's single-quoted strings hold double quotes as they are (JAAS settings).
        settings[name] = (
            value[1:-1].replace("\\'", "'") if value.startswith("'") else json.loads(value)
        )
    return settings


def client_logins(client_dir: Path | None, producer_settings: dict, consumer_settings: dict):
    """kafka-python settings for (producer, consumer, admin): {} each on a PLAINTEXT
    cluster; on a secured one each end's own principal, as the pipelines name it."""
    admin_file = client_dir / "kafka-client.json" if client_dir else None
    admin = json.loads(admin_file.read_text()) if admin_file and admin_file.exists() else {}
    if not admin:
        return {}, {}, {}
    logins = json.loads((client_dir / "principals.json").read_text())
    base = {key: admin[key] for key in ("security_protocol", "sasl_mechanism", "ssl_cafile")}
    ends = []
    for role, settings in (("producer", producer_settings), ("consumer", consumer_settings)):
        login = logins[role]
        if settings.get("security_protocol") != "SASL_SSL":
            raise AssertionError(f"the {role} pipeline does not use SASL_SSL: {settings}")
        if not re.search(
            rf"username=\W*{re.escape(login['username'])}\W", settings.get("sasl_jaas_config", "")
        ):
            raise AssertionError(f"the {role} pipeline does not log in as {login['username']}")
        ends.append(
            dict(base, sasl_plain_username=login["username"], sasl_plain_password=login["password"])
        )
    return ends[0], ends[1], admin


def send_event(producer_settings: dict, login: dict | None = None) -> tuple[str, int, int]:
    """Send one JSON event as the producer pipeline would; (marker, partition, offset)."""
    marker = f"lab-probe-{uuid.uuid4()}"
    producer = KafkaProducer(
        bootstrap_servers=producer_settings["bootstrap_servers"].split(","),
        acks="all",
        **(login or {}),
    )
    try:
        sent = producer.send(
            producer_settings["topic_id"],
            json.dumps({"message": marker, "source": "pipeline_probe"}).encode(),
        ).get(timeout=30)
    finally:
        producer.close()
    return marker, sent.partition, sent.offset


def receive_in_group(consumer_settings: dict, marker: str, login: dict | None = None) -> dict:
    """Join the consumer pipeline's group, read until `marker` arrives, commit."""
    consumer = KafkaConsumer(
        *consumer_settings["topics"],
        bootstrap_servers=consumer_settings["bootstrap_servers"].split(","),
        group_id=consumer_settings["group_id"],
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **(login or {}),
    )
    started = time.monotonic()
    try:
        while time.monotonic() - started < ARRIVAL_TIMEOUT_S:
            for batch in consumer.poll(timeout_ms=1000).values():
                for record in batch:
                    if json.loads(record.value).get("message") == marker:
                        consumer.commit()
                        return {
                            "topic": record.topic,
                            "partition": record.partition,
                            "offset": record.offset,
                            "seconds": round(time.monotonic() - started, 2),
                        }
        raise AssertionError(
            f"the event {marker} did not reach group {consumer_settings['group_id']}"
            f" within {ARRIVAL_TIMEOUT_S} s"
        )
    finally:
        consumer.close()


def committed_offset(
    bootstrap_servers: str, group_id: str, topic: str, partition: int, login: dict | None = None
) -> int:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers.split(","), **(login or {}))
    try:
        offsets = admin.list_group_offsets(group_id)[group_id]
    finally:
        admin.close()
    return offsets[TopicPartition(topic, partition)].offset


def topic_overrides(
    bootstrap_servers: str, topic: str, login: dict | None = None
) -> dict[str, str]:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers.split(","), **(login or {}))
    try:
        described = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topic)], config_filter="modified"
        )
    finally:
        admin.close()
    return {key: entry["value"] for key, entry in described["topic"][topic].items()}


def prove(producer_pipeline: str, consumer_pipeline: str, client_dir: Path | None = None) -> dict:
    """Event through the pipeline's Kafka ends; returns what was seen (raises otherwise)."""
    producer_settings = kafka_plugin_settings(producer_pipeline, "output")
    consumer_settings = kafka_plugin_settings(consumer_pipeline, "input")
    producer_login, consumer_login, admin_login = client_logins(
        client_dir, producer_settings, consumer_settings
    )
    if producer_settings["topic_id"] not in consumer_settings["topics"]:
        raise AssertionError(
            f"the producer writes to {producer_settings['topic_id']}, the consumer reads"
            f" {consumer_settings['topics']}"
        )
    marker, partition, offset = send_event(producer_settings, producer_login)
    received = receive_in_group(consumer_settings, marker, consumer_login)
    if (received["partition"], received["offset"]) != (partition, offset):
        raise AssertionError(f"sent to {partition}@{offset}, received {received}")
    committed = committed_offset(
        consumer_settings["bootstrap_servers"],
        consumer_settings["group_id"],
        producer_settings["topic_id"],
        partition,
        admin_login,
    )
    if committed <= offset:
        raise AssertionError(f"group committed offset {committed}, not past {offset}")
    return {
        "topic": producer_settings["topic_id"],
        "group_id": consumer_settings["group_id"],
        "producer_bootstrap_servers": producer_settings["bootstrap_servers"],
        "consumer_bootstrap_servers": consumer_settings["bootstrap_servers"],
        "partition": partition,
        "offset": offset,
        "committed_offset": committed,
        "seconds_to_arrive": received["seconds"],
        "logged_in_as": [
            login.get("sasl_plain_username") for login in (producer_login, consumer_login)
        ],
    }


def container_file(container: str, path: str) -> str:
    return subprocess.run(
        ["docker", "exec", container, "cat", path], check=True, capture_output=True, text=True
    ).stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--producer", required=True, help="container of the Logstash producer")
    parser.add_argument("--consumer", required=True, help="container of the Logstash consumer")
    parser.add_argument(
        "--expect-config",
        nargs=2,
        action="append",
        default=[],
        metavar=("TOPIC", "KEY=VALUE"),
        help="a topic override the brokers must hold",
    )
    parser.add_argument(
        "--client-dir",
        type=Path,
        help="where the lab wrote kafka-client.json and principals.json (a secured cluster)",
    )
    args = parser.parse_args()
    producer_pipeline = container_file(args.producer, PRODUCER_PIPELINE)
    consumer_pipeline = container_file(args.consumer, CONSUMER_PIPELINE)
    seen = prove(producer_pipeline, consumer_pipeline, args.client_dir)
    print(
        f"pipeline: an event sent to topic {seen['topic']} through"
        f" {seen['producer_bootstrap_servers']} (the producer's settings) reached consumer group"
        f" {seen['group_id']} (the consumer's settings) in {seen['seconds_to_arrive']} s;"
        f" partition {seen['partition']}, offset {seen['offset']},"
        f" committed offset {seen['committed_offset']}"
    )
    failures = 0
    for topic, setting in args.expect_config:
        key, _equals, value = setting.partition("=")
        admin_file = args.client_dir / "kafka-client.json" if args.client_dir else None
        admin = json.loads(admin_file.read_text()) if admin_file and admin_file.exists() else {}
        actual = topic_overrides(seen["producer_bootstrap_servers"], topic, admin).get(key)
        verdict = "ok" if actual == value else f"MISMATCH (brokers hold {actual!r})"
        failures += actual != value
        print(f"topic {topic}: {key}={value} {verdict}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
