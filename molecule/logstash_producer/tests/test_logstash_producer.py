"""Verify the logstash_producer role on the stand-in package (NOT Logstash; see
tests/logstash_standin/): service, files, rendered Kafka output, keystore, modes."""

import logstash_checks as checks
import yaml

# Imported so pytest runs it as this scenario's check-mode test (once, no host).
from check_mode import (  # noqa: F401  # pylint: disable=unused-import
    test_check_mode_on_the_converged_hosts_changes_nothing,
)

SECRETS = ["lab-kafka-secret-4711", "lab-http-secret-0815"]
PIPELINE = "/etc/logstash/pipelines/kafka-producer/pipeline.conf"


def test_installed_from_the_repository_with_a_keyring_file(host):
    assert host.package("logstash").is_installed
    sources = host.file("/etc/apt/sources.list.d/elastic-logstash.sources").content_string
    assert not checks.missing_lines(
        sources,
        [
            "URIs: http://lab-mirror:8080/elastic/packages/9.x/apt",
            "Signed-By: /etc/apt/keyrings/elastic-logstash.asc",
        ],
    )
    assert not host.file("/etc/apt/trusted.gpg").exists  # no apt-key


def test_service_is_running_both_pipelines(host):
    assert checks.not_running(host, ["kafka-producer", "heartbeat"]) == []


def test_pipelines_yml_names_each_pipeline_with_its_own_directory_and_queue(host):
    pipelines = yaml.safe_load(host.file("/etc/logstash/pipelines.yml").content_string)
    by_id = {p["pipeline.id"]: p for p in pipelines}
    assert set(by_id) == {"kafka-producer", "heartbeat"}
    assert by_id["kafka-producer"]["path.config"] == "/etc/logstash/pipelines/kafka-producer/*.conf"
    assert by_id["kafka-producer"]["queue.type"] == "persisted"
    assert by_id["kafka-producer"]["queue.max_bytes"] == "256mb"
    assert by_id["heartbeat"]["path.config"] == "/etc/logstash/pipelines/heartbeat/*.conf"


def test_kafka_output_is_rendered_from_the_inventory(host):
    conf = host.file(PIPELINE).content_string
    expected = [
        'bootstrap_servers => "kafka-a.lab.internal:9092,10.20.0.12:9092"',
        'topic_id => "twitter"',
        'acks => "all"',
        'codec => "json"',
        'security_protocol => "SASL_PLAINTEXT"',
        'password="${KAFKA_SASL_PASSWORD}"',
        'password => "${HTTP_INGEST_PASSWORD}"',
    ]
    assert not checks.missing_lines(conf, expected), conf


def test_live_configuration_passes_logstash_config_test(host):
    result = checks.config_test(host)
    assert result.rc == 0, result.stderr
    assert "Configuration OK" in result.stdout


def test_secrets_are_in_the_keystore_and_in_no_file(host):
    assert checks.keystore_names(host) == {"KAFKA_SASL_PASSWORD", "HTTP_INGEST_PASSWORD"}
    directories = ["/etc/logstash", "/var/lib/logstash", "/etc/systemd", "/etc/default"]
    assert checks.files_holding(host, SECRETS, directories) == []


def test_settings_are_readable_by_root_and_logstash_only(host):
    for path in (
        "/etc/logstash/logstash.yml",
        "/etc/logstash/pipelines.yml",
        "/etc/logstash/jvm.options",
        "/etc/logstash/logstash.keystore",
        PIPELINE,
    ):
        item = host.file(path)
        assert (item.user, item.group, item.mode) == ("root", "logstash", 0o640), path
    for path in ("/etc/logstash/pipelines", "/etc/logstash/.candidate"):
        item = host.file(path)
        assert (item.user, item.group, item.mode) == ("root", "logstash", 0o750), path
    digests = host.file("/var/lib/logstash/.ansible-keystore-digests.json")
    assert (digests.user, digests.mode) == ("root", 0o600)


def test_heap_is_set(host):
    options = host.file("/etc/logstash/jvm.options").content_string
    assert not checks.missing_lines(options, ["-Xms256m", "-Xmx256m"])
