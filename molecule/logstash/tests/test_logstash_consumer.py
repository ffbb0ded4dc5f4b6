"""Verify the logstash_consumer role, installed from a tarball holding the stand-in
(NOT Logstash; see tests/logstash_standin/): service, Kafka input with a client
certificate (SSL), outputs, keystore."""

import os
import re
from pathlib import Path

import logstash_checks as checks
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from hardening_checks import (  # noqa: F401  # pylint: disable=unused-import
    test_services_are_hardened,
)

# The scenario's producers have a test file of their own, which also runs the
# check-mode test for the whole scenario.
testinfra_hosts = ["logstash_consumer"]

SECRETS = ["lab-es-api-key-9001", "lab-consumer-secret-2718"]
PIPELINE = "/etc/logstash/pipelines/kafka-consumer/pipeline.conf"
# The kafka_broker role's ssl.principal.mapping.rules for client certificates (SSL).
BROKER_CLIENT_RULE = r"CN=([A-Za-z0-9._-]+),OU=kafka-client(,.*)?"


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


def test_kafka_input_logs_in_with_a_client_certificate_and_trusts_the_pem_ca(host):
    """SSL: the keystore made on the host, its password named from the Logstash
    keystore; the SCRAM login (SASL_SSL) is rendered and checked by the side effect."""
    conf = host.file(PIPELINE).content_string
    section = conf[conf.index("input {") : conf.index("output {")]
    expected = [
        'security_protocol => "SSL"',
        'ssl_keystore_location => "/etc/logstash/kafka-client/keystore.p12"',
        'ssl_keystore_type => "PKCS12"',
        'ssl_keystore_password => "${KAFKA_SSL_KEYSTORE_PASSWORD}"',
        'ssl_key_password => "${KAFKA_SSL_KEYSTORE_PASSWORD}"',
        'ssl_truststore_location => "/etc/logstash/tls/kafka-ca.pem"',
        'ssl_truststore_type => "PEM"',
    ]
    assert not checks.missing_lines(section, expected), section
    assert "sasl_" not in conf
    assert "ssl_truststore_password" not in conf
    assert "ssl_endpoint_identification_algorithm" not in conf
    ca = host.file("/etc/logstash/tls/kafka-ca.pem")
    assert (ca.user, ca.group, ca.mode) == ("root", "logstash", 0o640)
    assert ca.content_string.startswith("-----BEGIN CERTIFICATE-----")


def test_client_certificate_names_the_principal_and_its_key_stays_on_the_host(host):
    """CN=logstash-consumer,OU=kafka-client, signed by the scenario's CA; the brokers'
    mapping rule turns it into User:logstash-consumer. The PKCS#12 keystore opens with
    the password made on the host and holds that certificate and its key."""
    directory = "/etc/logstash/kafka-client"
    key = host.file(f"{directory}/key.pem")
    assert (key.user, key.group, key.mode) == ("root", "root", 0o600)
    for name in ("keystore.p12", "key-password", "cert.pem"):
        item = host.file(f"{directory}/{name}")
        assert (item.user, item.group, item.mode) == ("root", "logstash", 0o640), name
    cert = x509.load_pem_x509_certificate(host.file(f"{directory}/cert.pem").content)
    subject = cert.subject.rfc4514_string()
    assert re.fullmatch(BROKER_CLIENT_RULE, subject), subject
    assert re.fullmatch(BROKER_CLIENT_RULE, subject).group(1) == "logstash-consumer"
    ca_path = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "lab-tls" / "ca.pem"
    ca = x509.load_pem_x509_certificate(ca_path.read_bytes())
    cert.verify_directly_issued_by(ca)
    password = host.file(f"{directory}/key-password").content
    stored_key, stored_cert, _chain = pkcs12.load_key_and_certificates(
        host.file(f"{directory}/keystore.p12").content, password
    )
    assert stored_cert == cert
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    encoding = serialization.Encoding.PEM
    assert stored_key.public_key().public_bytes(encoding, public) == cert.public_key().public_bytes(
        encoding, public
    )


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
    assert checks.keystore_names(host) == {"ES_API_KEY", "KAFKA_SSL_KEYSTORE_PASSWORD"}
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
