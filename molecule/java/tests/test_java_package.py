"""The package host: Java comes from Debian's openjdk-17 package."""

import json

testinfra_hosts = ["java_package"]


def test_the_os_package_provides_java(host):
    assert host.package("openjdk-17-jre-headless").is_installed
    fact = json.loads(host.file("/etc/ansible/facts.d/java.fact").content_string)
    assert fact["java_home"].startswith("/usr/lib/jvm/java-17-openjdk-")
