"""Verify the java role on both hosts: the JDK runs, reports the major asked
for, and its home is recorded where later roles read it."""

import json

# Imported so pytest runs it as this scenario's check-mode test (once, no host).
from check_mode import (  # noqa: F401  # pylint: disable=unused-import
    test_check_mode_on_the_converged_hosts_changes_nothing,
)

EXPECTED_MAJOR = 17


def java_fact(host):
    fact = host.file("/etc/ansible/facts.d/java.fact")
    assert fact.exists
    assert fact.user == "root"
    assert fact.mode == 0o644
    return json.loads(fact.content_string)


def test_java_home_is_recorded_and_exists(host):
    fact = java_fact(host)
    assert fact["java_major_version"] == EXPECTED_MAJOR
    java_bin = host.file(f"{fact['java_home']}/bin/java")
    assert java_bin.exists
    assert java_bin.mode & 0o111


def test_java_reports_the_major_version_asked_for(host):
    java_home = java_fact(host)["java_home"]
    result = host.run(f"{java_home}/bin/java -version")
    assert result.rc == 0, result.stderr
    # `java -version` prints to stderr, e.g. openjdk version "17.0.15" 2025-04-15
    assert f'version "{EXPECTED_MAJOR}.' in result.stderr
