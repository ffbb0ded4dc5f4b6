"""Shared pytest fixtures: real Kafka brokers from the lab's distributions.

The fixtures are session-wide: each server starts once, on the first test that
asks for it, and stops when the session ends. Versions come from the lab
(tests/lab/common.sh), overridable through the same environment variables.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import aws_lab
import kafka_lab

# The test servers and the command-line tools the modules run are short-lived JVMs
# on two cores shared by two test workers: the JIT's quick tier and the serial
# collector (one GC thread) cost far less CPU there than the server defaults. The
# molecule scenarios give their nodes the same JIT setting. Set these variables to
# test with other options.
_LIGHT_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
os.environ.setdefault("KAFKA_JVM_PERFORMANCE_OPTS", f"-server {_LIGHT_JVM}")
os.environ.setdefault("SERVER_JVMFLAGS", _LIGHT_JVM)  # ZooKeeper's server
os.environ.setdefault("CLIENT_JVMFLAGS", _LIGHT_JVM)  # ZooKeeper's command-line client

KAFKA_VERSION = os.environ.get("KAFKA_VERSION", "4.4.0")
KAFKA_ZK_VERSION = os.environ.get("KAFKA_ZK_VERSION", "3.9.2")
KAFKA_PREVIOUS_VERSION = os.environ.get("KAFKA_PREVIOUS_VERSION", "4.3.1")
ZOOKEEPER_VERSION = os.environ.get("ZOOKEEPER_VERSION", "3.9.5")


@pytest.fixture(scope="session")
def kraft_broker(tmp_path_factory) -> kafka_lab.KafkaServer:
    """A single KRaft broker (combined broker and controller) of the current Kafka line."""
    broker = kafka_lab.start_kraft_broker(KAFKA_VERSION, tmp_path_factory.mktemp("kraft"))
    yield broker
    broker.stop()


@pytest.fixture(scope="session")
def kraft_cluster(tmp_path_factory) -> list[kafka_lab.KafkaServer]:
    """Three KRaft brokers (one also the controller): room for replicas to move."""
    nodes = kafka_lab.start_kraft_cluster(KAFKA_VERSION, tmp_path_factory.mktemp("cluster"))
    yield nodes
    for node in reversed(nodes):
        node.stop()


@pytest.fixture(scope="session")
def zookeeper_and_broker(tmp_path_factory):
    """A standalone ZooKeeper and one ZooKeeper-mode broker of the Kafka 3.9 line."""
    zookeeper, broker = kafka_lab.start_zookeeper_and_broker(
        KAFKA_ZK_VERSION, ZOOKEEPER_VERSION, tmp_path_factory.mktemp("zk")
    )
    yield zookeeper, broker
    broker.stop()
    zookeeper.stop()


@pytest.fixture(scope="session")
def zookeeper_broker(zookeeper_and_broker) -> kafka_lab.KafkaServer:
    return zookeeper_and_broker[1]


@pytest.fixture(params=["kraft", "zookeeper"])
def any_broker(request) -> kafka_lab.KafkaServer:
    """Each test that takes this runs once against each metadata mode."""
    fixture = "kraft_broker" if request.param == "kraft" else "zookeeper_broker"
    return request.getfixturevalue(fixture)


@pytest.fixture(scope="module")
def moto_server(tmp_path_factory) -> aws_lab.MotoServer:
    """A fresh moto server (AWS stand-in on loopback) per test module."""
    server = aws_lab.MotoServer(tmp_path_factory.mktemp("moto") / "moto.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def secured_kraft_broker(tmp_path_factory) -> kafka_lab.SecuredBroker:
    """A KRaft broker closed to strangers: SASL_SSL/SCRAM-SHA-512 for clients, TLS between
    broker and controller, StandardAuthorizer, no access without an ACL (see
    kafka_lab.start_secured_kraft_broker)."""
    broker = kafka_lab.start_secured_kraft_broker(
        KAFKA_VERSION, tmp_path_factory.mktemp("kraft-secured")
    )
    yield broker
    broker.stop()


@pytest.fixture(scope="session")
def secured_zookeeper_broker(tmp_path_factory) -> kafka_lab.SecuredBroker:
    """The same on a Kafka 3.9 broker in ZooKeeper mode, with AclAuthorizer."""
    broker = kafka_lab.start_secured_zookeeper_broker(
        KAFKA_ZK_VERSION, ZOOKEEPER_VERSION, tmp_path_factory.mktemp("zk-secured")
    )
    yield broker
    broker.stop()


def pytest_terminal_summary(terminalreporter):
    """Print the figures tests record (``record_property("figures", ...)``) at the end of the
    run, also when the tests ran in xdist workers, whose own output is not shown."""
    lines = [
        f"{report.nodeid}: {value}"
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        if report.when == "call"
        for name, value in report.user_properties
        if name == "figures"
    ]
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.write_line(line)
