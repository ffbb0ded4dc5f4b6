"""The lab's pipeline probe reads the Kafka settings out of the pipelines the
Logstash roles render (the probe itself runs against the lab's brokers)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lab"))
import pipeline_probe

# As roles/common/templates/logstash_pipeline.conf.j2 renders them.
PRODUCER = """# Ansible managed
input {
  http {
    port => 8080
    codec => "json"
  }
}
output {
  kafka {
    bootstrap_servers => "10.0.0.1:9092,10.0.0.2:9092"
    topic_id => "twitter"
    codec => "json"
    acks => "all"
  }
}
"""
CONSUMER = """# Ansible managed
input {
  kafka {
    bootstrap_servers => "10.0.0.1:9092,10.0.0.2:9092"
    topics => ["twitter", "audit"]
    group_id => "twitter_log_to_es"
    consumer_threads => 1
  }
}
output {
  stdout {
    codec => "rubydebug"
  }
}
"""


def test_producer_output_settings():
    assert pipeline_probe.kafka_plugin_settings(PRODUCER, "output") == {
        "bootstrap_servers": "10.0.0.1:9092,10.0.0.2:9092",
        "topic_id": "twitter",
        "codec": "json",
        "acks": "all",
    }


def test_consumer_input_settings_keep_arrays():
    settings = pipeline_probe.kafka_plugin_settings(CONSUMER, "input")
    assert settings["topics"] == ["twitter", "audit"]
    assert settings["group_id"] == "twitter_log_to_es"
    assert "consumer_threads" not in settings  # numbers are not needed by the probe


@pytest.mark.parametrize(
    ("text", "section", "message"),
    [
        (PRODUCER, "filter", "the pipeline has no filter section"),
        (CONSUMER, "output", "the output section has no kafka plugin"),
    ],
)
def test_a_pipeline_without_kafka_is_named(text, section, message):
    with pytest.raises(ValueError, match=message):
        pipeline_probe.kafka_plugin_settings(text, section)
