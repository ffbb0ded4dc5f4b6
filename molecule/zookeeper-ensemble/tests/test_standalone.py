"""A single ZooKeeper node: installed from a verified archive, running under
systemd as its own user, answering on its ports, standalone."""

import pytest
from hardening_checks import (  # noqa: F401  # pylint: disable=unused-import
    test_services_are_hardened,
)

# The scenario's ensemble has a test file of its own, which also runs the
# check-mode test for the whole scenario.
testinfra_hosts = ["zookeeper_standalone"]


def test_release_is_installed_behind_the_stable_link(host):
    link = host.file("/opt/zookeeper")
    assert link.is_symlink
    assert link.linked_to.startswith("/opt/apache-zookeeper-")
    marker = host.file(f"{link.linked_to}/.datapipe-installed-from")
    assert marker.content_string.split()[1].startswith("sha512:")
    assert host.file(f"{link.linked_to}/lib").user == "root"


def test_service_runs_enabled_as_the_zookeeper_user(host):
    service = host.service("zookeeper")
    assert service.is_running
    assert service.is_enabled
    processes = host.process.filter(comm="java")
    assert [p.user for p in processes] == ["zookeeper"]


def test_unit_is_hardened(host):
    unit = host.file("/etc/systemd/system/zookeeper.service").content_string
    for setting in (
        "User=zookeeper",
        "NoNewPrivileges=true",
        "ProtectSystem=strict",
        "ProtectHome=true",
        "PrivateTmp=true",
        "LimitNOFILE=100000",
        "ReadWritePaths=/var/lib/zookeeper /var/lib/zookeeper/txlog /var/log/zookeeper",
    ):
        assert setting in unit
    assert "org.apache.zookeeper.server.quorum.QuorumPeerMain /etc/zookeeper/zoo.cfg" in unit


@pytest.mark.parametrize("port", [2181])
def test_client_port_listens(host, port):
    assert (
        host.socket(f"tcp://0.0.0.0:{port}").is_listening
        or host.socket(f"tcp://:::{port}").is_listening
    )


def test_admin_server_listens_on_loopback_only(host):
    assert host.socket("tcp://127.0.0.1:8080").is_listening
    assert not host.socket("tcp://0.0.0.0:8080").is_listening


def test_node_is_healthy_and_standalone(four_letter_word):
    assert four_letter_word("ruok") == "imok"
    assert "Mode: standalone" in four_letter_word("srvr")


def test_files_belong_to_the_service_and_config_is_not_world_readable(host):
    assert host.file("/var/lib/zookeeper/myid").content_string.strip() == "1"
    for path in ("/var/lib/zookeeper", "/var/lib/zookeeper/txlog", "/var/log/zookeeper"):
        assert host.file(path).user == "zookeeper"
    config = host.file("/etc/zookeeper/zoo.cfg")
    assert config.user == "root"
    assert config.group == "zookeeper"
    assert config.mode == 0o640
    assert "server." not in config.content_string  # standalone: no ensemble lines


def test_logs_go_to_the_log_directory(host):
    assert host.file("/var/log/zookeeper/zookeeper.log").size > 0
