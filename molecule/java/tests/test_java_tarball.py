"""The tarball host: Java comes only from the verified archive."""

import json

testinfra_hosts = ["java_tarball"]


def test_no_jdk_package_is_installed(host):
    assert not host.package("openjdk-17-jre-headless").is_installed


def test_java_home_is_the_stable_link_to_the_unpacked_archive(host):
    home = host.file("/opt/java/jdk-17")
    assert home.is_symlink
    assert home.linked_to == "/opt/java/lab-jdk-17"
    fact = json.loads(host.file("/etc/ansible/facts.d/java.fact").content_string)
    assert fact["java_home"] == "/opt/java/jdk-17"


def test_the_kept_archive_is_the_verified_one(host):
    archive = host.file("/opt/java/lab-jdk-17.tar.gz")
    expected = host.file("/srv/lab-jdk-17.tar.gz.sha256").content_string.strip()
    assert archive.sha256sum == expected
