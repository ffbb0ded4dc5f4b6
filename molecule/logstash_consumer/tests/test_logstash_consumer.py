"""Verify the logstash_consumer role, installed from a tarball holding the stand-in
(NOT Logstash; see tests/logstash_standin/): service, Kafka input, outputs, keystore."""

import logstash_checks as checks
import yaml

# Imported so pytest runs it as this scenario's check-mode test (once, no host).
from check_mode import (  # noqa: F401  # pylint: disable=unused-import
    test_check_mode_on_the_converged_hosts_changes_nothing,
)
from hardening_checks import (  # noqa: F401  # pylint: disable=unused-import
    test_services_are_hardened,
)

SECRETS = ["lab-es-api-key-9001", "lab-consumer-secret-2718"]
PIPELINE = "/etc/logstash/pipelines/kafka-consumer/pipeline.conf"


def test_installed_from_the_tarball_with_its_own_unit(host):
    home = host.file("/usr/share/logstash")
    assert home.is_symlink
    assert home.linked_to == "/usr/share/logstash-8.19.7"
    assert host.file("/usr/share/logstash-8.19.7/bin/logstash").mode & 0o111
    assert host.file("/etc/systemd/system/logstash.service").contains("--path.settings")
    version = host.run("/usr/share/logstash/bin/logstash --version")
    assert "logstash 8.19.7" in version.stdout
    assert host.user("logstash").shell == "/usr/sbin/nologin"


def test_service_is_running_the_consumer_pipeline(host):
    assert checks.not_running(host, ["kafka-consumer"]) == []


def test_kafka_input_has_the_seed_group_and_topics(host):
    conf = host.file(PIPELINE).content_string
    expected = [
        'bootstrap_servers => "kafka-a.lab.internal:9092,kafka-b.lab.internal:9092"',
        'topics => ["twitter"]',
        'group_id => "twitter_log_to_es"',
        "consumer_threads => 2",
        'auto_offset_reset => "earliest"',
        'decorate_events => "basic"',
    ]
    assert not checks.missing_lines(conf, expected), conf


def test_kafka_input_uses_sasl_ssl_with_the_pem_ca(host):
    conf = host.file(PIPELINE).content_string
    section = conf[conf.index("input {") : conf.index("output {")]
    expected = [
        'security_protocol => "SASL_SSL"',
        'sasl_mechanism => "SCRAM-SHA-512"',
        'username="logstash-consumer" password="${KAFKA_SASL_PASSWORD}";',
        'ssl_truststore_location => "/etc/logstash/tls/kafka-ca.pem"',
        'ssl_truststore_type => "PEM"',
    ]
    assert not checks.missing_lines(section, expected), section
    assert "ssl_truststore_password" not in conf
    assert "ssl_endpoint_identification_algorithm" not in conf
    ca = host.file("/etc/logstash/tls/kafka-ca.pem")
    assert (ca.user, ca.group, ca.mode) == ("root", "logstash", 0o640)
    assert ca.content_string.startswith("-----BEGIN CERTIFICATE-----")


def test_outputs_are_rendered_in_order(host):
    conf = host.file(PIPELINE).content_string
    output = conf[conf.index("output {") :]
    assert output.index("stdout {") < output.index("file {") < output.index("elasticsearch {")
    expected = ['api_key => "${ES_API_KEY}"', 'hosts => ["https://es.lab.internal:9200"]']
    assert not checks.missing_lines(output, expected), output


def test_pipelines_yml_and_config_test(host):
    pipelines = yaml.safe_load(host.file("/etc/logstash/pipelines.yml").content_string)
    assert [p["pipeline.id"] for p in pipelines] == ["kafka-consumer"]
    assert pipelines[0]["queue.type"] == "memory"
    result = checks.config_test(host)
    assert result.rc == 0, result.stderr


def test_secret_is_in_the_keystore_and_in_no_file(host):
    assert checks.keystore_names(host) == {"ES_API_KEY", "KAFKA_SASL_PASSWORD"}
    directories = [
        "/etc/logstash",
        "/var/lib/logstash",
        "/var/lib/datapipe",
        "/etc/systemd",
        "/usr/share/logstash/",
    ]
    assert checks.files_holding(host, SECRETS, directories) == []
    assert checks.processes_holding(host, SECRETS) == []
    digests = host.file("/var/lib/datapipe/logstash-keystore/digests.json")
    assert (digests.user, digests.group, digests.mode) == ("root", "root", 0o600)
    assert not host.file("/var/lib/logstash/.ansible-keystore-digests.json").exists


def test_file_modes(host):
    for path in ("/etc/logstash/logstash.yml", "/etc/logstash/pipelines.yml", PIPELINE):
        item = host.file(path)
        assert (item.user, item.group, item.mode) == ("root", "logstash", 0o640), path
    for path in ("/var/lib/logstash", "/var/log/logstash"):
        assert host.file(path).user == "logstash", path
