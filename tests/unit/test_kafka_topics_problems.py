"""kafka_topics_problems: what topics.yml refuses before it changes anything, for every kind
of wrong value in an inventory's kafka_topics list."""

from __future__ import annotations

import pytest
from module_utils_loader import load_filter


@pytest.fixture(scope="module")
def kafka_topics_problems():
    # The filter imports the collection's module_utils by their collection path, as
    # Ansible loads it.
    return load_filter("kafka_topics_problems").kafka_topics_problems


def test_the_seed_topic_list_is_accepted(kafka_topics_problems):
    topics = [
        {
            "name": "twitter",
            "partitions": 3,
            "replication_factor": 3,
            "config": {"min.insync.replicas": 2},
            "retention_bytes": 100000000,
        },
        {"name": "audit", "retention_bytes": "10GiB", "retention_ms": "7d"},
        {"name": "scratch", "state": "absent"},
    ]
    assert kafka_topics_problems(topics) == []


def test_an_empty_list_is_accepted(kafka_topics_problems):
    assert kafka_topics_problems([]) == []


@pytest.mark.parametrize(
    ("topics", "message"),
    [
        ("twitter", "kafka_topics must be a list of topics, got str"),
        ({"name": "twitter"}, "kafka_topics must be a list of topics, got dict"),
        (["twitter"], "kafka_topics entry 1 is 'twitter', not a mapping with a name"),
        ([{"partitions": 3}], "a topic name must be a non-empty string, got None"),
        ([{"name": "bad name"}], "not legal"),
        ([{"name": "__consumer_offsets"}], "internal to Kafka"),
        ([{"name": "a"}, {"name": "a"}], "topic a is listed more than once"),
        ([{"name": "a", "partition": 3}], "topic a: unknown key(s) partition"),
        ([{"name": "a", "state": "gone"}], "topic a: state must be present or absent"),
        ([{"name": "a", "partitions": "three"}], "partitions must be a whole number"),
        ([{"name": "a", "config": ["retention.ms=1"]}], "config must be a mapping"),
        ([{"name": "a", "config": {"retention.ms": None}}], "config retention.ms has no value"),
        (
            [{"name": "a", "retention_bytes": "10 GBs"}],
            "topic a: retention_bytes '10 GBs' has an unknown unit",
        ),
        (
            [{"name": "a", "retention_bytes": "1.5GB"}],
            "is not a whole number with an optional unit",
        ),
        ([{"name": "a", "retention_bytes": -5}], "is negative"),
        ([{"name": "a", "retention_bytes": True}], "must be a number"),
        (
            [{"name": "a", "retention_ms": "7 days"}],
            "topic a: retention_ms '7 days' has an unknown unit",
        ),
        (
            [{"name": "a", "state": "absent", "retention_ms": "7d"}],
            "retention_ms given for a topic with state absent",
        ),
        # the same key twice: kafka_topic and kafka_retention would flip it on every run
        (
            [{"name": "a", "config": {"retention.ms": 1000}, "retention_ms": "7d"}],
            "topic a sets retention.ms twice, in config (1000) and as retention_ms ('7d')",
        ),
        (
            [{"name": "a", "config": {"retention.bytes": "1"}, "retention_bytes": "1"}],
            "topic a sets retention.bytes twice",
        ),
        # null is refused, never taken for "not given"
        ([{"name": "a", "retention_bytes": None}], "topic a: retention_bytes is empty (null)"),
        ([{"name": "a", "retention_ms": None}], "topic a: retention_ms is empty (null)"),
        ([{"name": "a", "partitions": None}], "topic a: partitions is empty (null)"),
        # spellings that can be misread
        ([{"name": "a", "retention_bytes": "100mb"}], "write MB"),
        ([{"name": "a", "retention_bytes": "5b"}], "write B"),
        ([{"name": "a", "retention_ms": "30M"}], "write m or min"),
        ([{"name": "a", "retention_ms": "-0"}], "negative zero"),
        ([{"name": "a", "retention_bytes": "-0MB"}], "negative zero"),
        ([{"name": "a", "partitions": "\u0663"}], "partitions must be a whole number"),
        ([{"name": "a", "config": {"min.insync.replicas": "-0"}}], "negative zero"),
        ([{"name": "a", "config": {"retention.ms": "7d"}}], "units such as 100MB or 7d"),
        # values Kafka cannot hold or would refuse
        ([{"name": "a", "retention_ms": str(2**63)}], "more than Kafka can hold"),
        ([{"name": "a", "partitions": 0}], "topic a: partitions must be 1 or more, got 0"),
        ([{"name": "a", "replication_factor": 40000}], "must be at most 32767"),
        ([{"name": "a", "config": {"segment.ms": {"x": 1}}}], "takes a value or a list"),
        ([{"name": "a", "config": {"x": float("nan")}}], "not a number Kafka reads"),
        # names Kafka would take for one another
        ([{"name": "logs.a"}, {"name": "logs_a"}], "topics logs.a and logs_a collide"),
        ([{"name": "x" * 250}], "is not legal"),
    ],
)
def test_every_kind_of_wrong_value_is_named(kafka_topics_problems, topics, message):
    problems = kafka_topics_problems(topics)
    assert any(message in problem for problem in problems), problems


def test_every_problem_is_reported_at_once(kafka_topics_problems):
    problems = kafka_topics_problems(
        [{"name": "a", "partitions": 0, "retention_bytes": "x"}, {"name": "b c"}, 42]
    )
    # partitions 0 (found here since 0.2.0, before only by kafka_topic), retention_bytes 'x',
    # the name 'b c' and the entry 42.
    assert len(problems) == 4, problems
