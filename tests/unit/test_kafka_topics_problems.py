"""kafka_topics_problems: what topics.yml refuses before it changes anything, for every kind
of wrong value in an inventory's kafka_topics list."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def kafka_topics_problems(tmp_path_factory):
    # The filter imports the collection's module_utils by their collection path, as
    # Ansible loads it: make this checkout importable as datapipe.kafka_pipeline.
    root = tmp_path_factory.mktemp("collections")
    link = root / "ansible_collections" / "datapipe" / "kafka_pipeline"
    link.parent.mkdir(parents=True)
    link.symlink_to(REPO_ROOT)
    sys.path.insert(0, str(root))
    try:
        module = importlib.import_module(
            "ansible_collections.datapipe.kafka_pipeline.plugins.filter.kafka_topics_problems"
        )
        yield module.kafka_topics_problems
    finally:
        sys.path.remove(str(root))


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
    ],
)
def test_every_kind_of_wrong_value_is_named(kafka_topics_problems, topics, message):
    problems = kafka_topics_problems(topics)
    assert any(message in problem for problem in problems), problems


def test_every_problem_is_reported_at_once(kafka_topics_problems):
    problems = kafka_topics_problems(
        [{"name": "a", "partitions": 0, "retention_bytes": "x"}, {"name": "b c"}, 42]
    )
    assert len(problems) == 3, problems
