"""Verify the logstash_producer role on the stand-in package (NOT Logstash; see
tests/logstash_standin/): service, files, rendered Kafka output, keystore, modes."""

import hashlib
import json
import os
from pathlib import Path

import logstash_checks as checks
import yaml

# Imported so pytest runs it as this scenario's check-mode test (once, no host;
# it covers the consumer as well).
from check_mode import (  # noqa: F401  # pylint: disable=unused-import
    test_check_mode_on_the_converged_hosts_changes_nothing,
)
from hardening_checks import (  # noqa: F401  # pylint: disable=unused-import
    test_services_are_hardened,
)

# The scenario's consumer has a test file of its own.
testinfra_hosts = ["logstash_producer"]

SECRETS = {
    "KAFKA_SASL_PASSWORD": "lab-kafka-secret-4711",
    "HTTP_INPUT_PASSWORD": "lab-http-secret-0815",
}
# Values the side effect stored for a while, then replaced or removed.
OLD_SECRETS = ["lab-kafka-secret-rotated-4712", "lab-extra-token-1234"]
PIPELINE = "/etc/logstash/pipelines/kafka-producer/pipeline.conf"
LAB_TLS = Path(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "/nonexistent")) / "lab-tls"


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


def test_kafka_output_uses_sasl_ssl_with_the_pem_ca(host):
    conf = host.file(PIPELINE).content_string
    output = conf[conf.index("output {") :]
    expected = [
        'bootstrap_servers => "kafka-a.lab.internal:9092,10.20.0.12:9092"',
        'topic_id => "twitter"',
        'acks => "all"',
        'codec => "json"',
        'security_protocol => "SASL_SSL"',
        'sasl_mechanism => "SCRAM-SHA-512"',
        "org.apache.kafka.common.security.scram.ScramLoginModule required"
        ' username="logstash-producer" password="${KAFKA_SASL_PASSWORD}";',
        'ssl_truststore_location => "/etc/logstash/tls/kafka-ca.pem"',
        'ssl_truststore_type => "PEM"',
    ]
    assert not checks.missing_lines(output, expected), output
    # A PEM truststore takes no password; hostname verification is left on.
    assert "ssl_truststore_password" not in conf
    assert "ssl_endpoint_identification_algorithm" not in conf


def test_http_input_requires_tls_and_basic_authentication(host):
    conf = host.file(PIPELINE).content_string
    section = conf[conf.index("input {") : conf.index("filter {")]
    expected = [
        "port => 8080",
        "ssl_enabled => true",
        'ssl_certificate => "/etc/logstash/tls/http-input.crt"',
        'ssl_key => "/etc/logstash/tls/http-input.key"',
        'user => "ingest"',
        'password => "${HTTP_INPUT_PASSWORD}"',
    ]
    assert not checks.missing_lines(section, expected), section


def test_tls_files_are_the_controllers_and_readable_by_root_and_logstash_only(host):
    tls = host.file("/etc/logstash/tls")
    assert (tls.user, tls.group, tls.mode) == ("root", "logstash", 0o750)
    for name in ("kafka-ca.pem", "http-input.crt", "http-input.key"):
        item = host.file(f"/etc/logstash/tls/{name}")
        assert (item.user, item.group, item.mode) == ("root", "logstash", 0o640), name
    assert (
        host.file("/etc/logstash/tls/kafka-ca.pem").content_string
        == (LAB_TLS / "ca.pem").read_text()
    )
    assert host.file("/etc/logstash/tls/http-input.key").content_string.startswith(
        "-----BEGIN PRIVATE KEY-----"  # PKCS#8, as the http input reads it
    )
    assert sorted(host.file("/etc/logstash/tls").listdir()) == [
        "http-input.crt",
        "http-input.key",
        "kafka-ca.pem",
    ]


def test_live_configuration_passes_logstash_config_test(host):
    result = checks.config_test(host)
    assert result.rc == 0, result.stderr
    assert "Configuration OK" in result.stdout


def test_secrets_are_in_the_keystore_and_in_no_file(host):
    assert checks.keystore_names(host) == set(SECRETS)
    directories = [
        "/etc/logstash",
        "/var/lib/logstash",
        "/var/lib/datapipe",
        "/etc/systemd",
        "/etc/default",
        "/usr/share/logstash/",
        "/var/log",
    ]
    assert checks.files_holding(host, list(SECRETS.values()) + OLD_SECRETS, directories) == []
    assert checks.processes_holding(host, list(SECRETS.values())) == []


def test_nothing_under_etc_logstash_is_readable_by_others(host):
    # The package's own files there (log4j2.properties, ...) may be 0644: the
    # directory keeps everyone but root and the logstash group out.
    root = host.file("/etc/logstash")
    assert (root.user, root.group, root.mode) == ("root", "logstash", 0o750)
    for path in ("/etc/logstash/pipelines.yml", "/etc/logstash/tls/http-input.key"):
        denied = host.run(f"runuser -u nobody -- cat {path}")
        assert denied.rc != 0, path


def test_keystore_digests_are_keyed_root_only_and_out_of_the_logstash_users_reach(host):
    state = "/var/lib/datapipe/logstash-keystore"
    for path, mode in (
        (state, 0o700),
        (f"{state}/digests.json", 0o600),
        (f"{state}/hmac.key", 0o600),
    ):
        item = host.file(path)
        assert (item.user, item.group, item.mode) == ("root", "root", mode), path
    # No directory above it belongs to logstash or can be changed by anyone but root.
    parent = state
    while parent != "/":
        parent = os.path.dirname(parent)
        item = host.file(parent)
        assert item.user == "root" and not item.mode & 0o022, parent
    denied = host.run(f"runuser -u logstash -- cat {state}/digests.json")
    assert denied.rc != 0
    # The old, unsalted digest file in the logstash user's data directory is gone.
    assert not host.file("/var/lib/logstash/.ansible-keystore-digests.json").exists

    text = host.file(f"{state}/digests.json").content_string
    entries = json.loads(text)["keystores"]["/etc/logstash/logstash.keystore"]["entries"]
    assert set(entries) == set(SECRETS)
    for name, secret in SECRETS.items():
        unsalted = hashlib.sha256(secret.encode()).hexdigest()
        assert entries[name].startswith("hmac-sha256:")
        assert entries[name] != unsalted and unsalted not in text, name
        assert secret not in text


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


def test_heap_is_set(host):
    options = host.file("/etc/logstash/jvm.options").content_string
    assert not checks.missing_lines(options, ["-Xms256m", "-Xmx256m"])


def test_logstash_answers_on_its_monitoring_api_with_its_pipelines(host):
    """The address the role waits on after a restart (api.http.host, port 9600)."""
    answer = host.check_output(
        'python3 -c "import urllib.request; print(urllib.request.urlopen('
        "'http://127.0.0.1:9600/_node/pipelines').read().decode())\""
    )
    body = json.loads(answer)
    assert body["version"].startswith("9."), body
    assert set(body["pipelines"]) == {"kafka-producer", "heartbeat"}


def test_the_producers_moved_from_logstash_8_to_9_one_at_a_time():
    """The side effect's last play: logstash_producer_major_version 8 -> 9 on both producers
    installed the newest 9.x from the 9.x repository, and the second producer stopped only
    after the first answered on its monitoring API again (the journal's monotonic clock,
    which the containers share)."""
    work = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])
    releases = json.loads((work / "logstash-upgrade.json").read_text())
    first, second = sorted(releases.values(), key=lambda release: release["after"]["stopped_at"])
    back = first["after"]["api_answered_at"] - first["after"]["stopped_at"]
    gap = second["after"]["stopped_at"] - first["after"]["api_answered_at"]
    print(
        f"\nLogstash {first['before']['package']} -> {first['after']['package']}: the first"
        f" producer answered {back:.1f} s after it stopped; the second stopped {gap:.1f} s later"
    )
    assert len(releases) == 2
    for release in releases.values():
        assert release["before"]["package"].startswith("1:8."), release
        assert release["after"]["package"].startswith("1:9."), release
    assert second["after"]["stopped_at"] > first["after"]["api_answered_at"]
