"""The pipeline site.yml built on the lab inventory: every stage running on its
hosts, the declared topic on the brokers, and an event carried from the producer's
Kafka settings to the consumer's group (tests/lab/pipeline_probe.py; the Logstash
hosts run the lab's stand-in package, NOT Logstash, which processes no events)."""

import sys
from pathlib import Path

import logstash_checks
from check_mode import (  # noqa: F401  # pylint: disable=unused-import
    test_check_mode_on_the_converged_hosts_changes_nothing,
)
from cluster_checks import (  # noqa: F401  # pylint: disable=unused-import
    broker_addresses,
    test_every_broker_is_registered,
)
from kafka import KafkaAdminClient

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests" / "lab"))
import pipeline_probe  # pylint: disable=wrong-import-position

# What each inventory group runs once site.yml is through.
SERVICES = {"zookeeper": ["zookeeper"], "kafka_broker": ["kafka"]}
PIPELINES = {"logstash_producer": "kafka-producer", "logstash_consumer": "kafka-consumer"}


def test_each_host_runs_its_stages(host):
    groups = host.ansible.get_variables()["group_names"]
    expected = [s for group in groups for s in SERVICES.get(group, [])]
    expected_pipelines = [PIPELINES[group] for group in groups if group in PIPELINES]
    assert expected or expected_pipelines, f"{groups} run nothing"
    for service in expected:
        assert host.service(service).is_running, service
        assert host.service(service).is_enabled, service
    if expected_pipelines:
        assert logstash_checks.not_running(host, expected_pipelines) == []
        assert logstash_checks.config_test(host).rc == 0


def test_the_twitter_topic_is_as_declared():
    admin = KafkaAdminClient(bootstrap_servers=broker_addresses())
    try:
        [described] = admin.describe_topics(["twitter"])
    finally:
        admin.close()
    partitions = described["partitions"]
    assert len(partitions) == 3
    assert all(len(p["replica_nodes"]) == 3 for p in partitions)
    assert all(len(p["isr_nodes"]) == 3 for p in partitions)
    overrides = pipeline_probe.topic_overrides(",".join(broker_addresses()), "twitter")
    assert overrides == {"retention.bytes": "100000000"}


def test_logstash_ends_point_at_every_broker():
    producer = pipeline_probe.kafka_plugin_settings(
        pipeline_probe.container_file("pl-producer", pipeline_probe.PRODUCER_PIPELINE), "output"
    )
    consumer = pipeline_probe.kafka_plugin_settings(
        pipeline_probe.container_file("pl-consumer", pipeline_probe.CONSUMER_PIPELINE), "input"
    )
    brokers = sorted(broker_addresses())
    assert sorted(producer["bootstrap_servers"].split(",")) == brokers
    assert sorted(consumer["bootstrap_servers"].split(",")) == brokers
    assert (producer["topic_id"], consumer["topics"], consumer["group_id"]) == (
        "twitter",
        ["twitter"],
        "twitter_log_to_es",
    )


def test_an_event_travels_from_the_producer_settings_to_the_consumer_group():
    seen = pipeline_probe.prove(
        pipeline_probe.container_file("pl-producer", pipeline_probe.PRODUCER_PIPELINE),
        pipeline_probe.container_file("pl-consumer", pipeline_probe.CONSUMER_PIPELINE),
    )
    print(f"\npipeline probe: {seen}")
    assert seen["committed_offset"] == seen["offset"] + 1
