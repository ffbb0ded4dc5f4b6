"""Real Kafka and ZooKeeper servers on loopback, for the tests that need a broker.

The servers run from the distributions the lab assembles from Maven Central
(tests/lab/distributions.sh): a single KRaft broker of the current Kafka line,
and a ZooKeeper plus a ZooKeeper-mode broker of the Kafka 3.9 line. Each server
gets free loopback ports and a data directory of its own, is waited for with a
bounded timeout, and is stopped (TERM, then KILL) when the test session ends.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

STARTUP_TIMEOUT_S = 90
STOP_TIMEOUT_S = 30
SERVER_HEAP = "-Xms256m -Xmx512m"
# The SASL listener of the test brokers accepts this one PLAIN user.
SASL_USER = "lab-admin"
SASL_PASSWORD = "lab-admin-secret"


def mirror_dir() -> Path:
    """The lab's archives, laid out like Apache's download site."""
    path = os.environ.get("DATAPIPE_MIRROR_DIR")
    if not path:
        raise RuntimeError(
            "DATAPIPE_MIRROR_DIR is not set: run the tests through `make` or tests/lab/run, "
            "which assemble the distributions and point at them"
        )
    return Path(path)


def kafka_archive(version: str) -> Path:
    return mirror_dir() / "kafka" / version / f"kafka_2.13-{version}.tgz"


def zookeeper_archive(version: str) -> Path:
    return (
        mirror_dir()
        / "zookeeper"
        / f"zookeeper-{version}"
        / f"apache-zookeeper-{version}-bin.tar.gz"
    )


def _load_apache_checksum():
    """The collection's own checksum reader (plugins/filter/apache_checksum.py)."""
    path = Path(__file__).resolve().parents[1] / "plugins" / "filter" / "apache_checksum.py"
    spec = importlib.util.spec_from_file_location("datapipe_apache_checksum", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.apache_checksum


apache_checksum = _load_apache_checksum()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unpack(archive: Path, destination: Path) -> Path:
    """Unpack a distribution once into destination and return its top directory."""
    with tarfile.open(archive) as tar:
        top = tar.getnames()[0].split("/", 1)[0]
        target = destination / top
        if not target.exists():
            tar.extractall(destination, filter="tar")
    return target


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def four_letter_word(port: int, word: str) -> str:
    """Send one of ZooKeeper's four-letter commands and return the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(word.encode())
        chunks = []
        while chunk := sock.recv(4096):
            chunks.append(chunk)
    return b"".join(chunks).decode()


@dataclass
class Server:
    """A server process started from a distribution's launcher."""

    name: str
    home: Path
    work_dir: Path
    process: subprocess.Popen | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.work_dir / f"{self.name}.out"

    def launch(self, argv: list[str], env: dict[str, str]) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **env},
                start_new_session=True,  # its own process group, so stop() reaches the JVM
            )

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no output)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def wait_until(self, ready, what: str, timeout_s: float = STARTUP_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode} before {what}:\n"
                    f"{self.log_tail()}"
                )
            try:
                if ready():
                    return
            except Exception as error:
                last_error = error
            time.sleep(0.5)
        raise TimeoutError(
            f"{self.name} was not {what} within {timeout_s} s (last error: {last_error}):\n"
            f"{self.log_tail()}"
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT_S)


class ZooKeeperServer(Server):
    """A standalone ZooKeeper from the assembled apache-zookeeper-<v>-bin."""

    def __init__(self, home: Path, work_dir: Path) -> None:
        super().__init__("zookeeper", home, work_dir)
        self.client_port = free_port()

    def start(self) -> None:
        config = self.work_dir / "zoo.cfg"
        config.write_text(
            "tickTime=2000\n"
            f"dataDir={self.work_dir / 'data'}\n"
            f"clientPort={self.client_port}\n"
            "clientPortAddress=127.0.0.1\n"
            "admin.enableServer=false\n"
            "4lw.commands.whitelist=ruok,srvr,mntr\n"
        )
        self.launch(
            [str(self.home / "bin" / "zkServer.sh"), "start-foreground", str(config)],
            {"ZOO_LOG_DIR": str(self.work_dir / "logs"), "ZK_SERVER_HEAP": "256"},
        )
        self.wait_until(
            lambda: four_letter_word(self.client_port, "ruok") == "imok", "answering ruok"
        )

    @property
    def connect(self) -> str:
        return f"127.0.0.1:{self.client_port}"


class KafkaServer(Server):
    """A single Kafka broker: KRaft (combined broker and controller) or ZooKeeper mode."""

    def __init__(
        self,
        home: Path,
        work_dir: Path,
        zookeeper: ZooKeeperServer | None = None,
        joins: KafkaServer | None = None,
        node_id: int = 1,
    ):
        """``joins``: a KRaft node whose controller this broker-only node registers with."""
        super().__init__("kafka", home, work_dir)
        self.zookeeper = zookeeper
        self.joins = joins
        self.node_id = node_id
        self.cluster_id: str | None = joins.cluster_id if joins else None
        self.expected_brokers = 1
        self.port = free_port()
        self.controller_port = free_port()
        self.sasl_port = free_port()
        self.properties = work_dir / "server.properties"

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def sasl_bootstrap_servers(self) -> str:
        """A SASL_PLAINTEXT listener (mechanism PLAIN) that knows one user, SASL_USER."""
        return f"127.0.0.1:{self.sasl_port}"

    def _common_properties(self) -> str:
        return (
            f"log.dirs={self.work_dir / 'data'}\n"
            "num.partitions=1\n"
            "offsets.topic.replication.factor=1\n"
            "transaction.state.log.replication.factor=1\n"
            "transaction.state.log.min.isr=1\n"
            "auto.create.topics.enable=false\n"
            "group.initial.rebalance.delay.ms=0\n"
            "sasl.enabled.mechanisms=PLAIN\n"
            "listener.name.sasl_plaintext.plain.sasl.jaas.config="
            "org.apache.kafka.common.security.plain.PlainLoginModule required"
            f' user_{SASL_USER}="{SASL_PASSWORD}";\n'
        )

    def write_config(self) -> None:
        if self.joins is not None:
            mode = (
                "process.roles=broker\n"
                f"node.id={self.node_id}\n"
                f"controller.quorum.bootstrap.servers=127.0.0.1:{self.joins.controller_port}\n"
                f"listeners=PLAINTEXT://127.0.0.1:{self.port},"
                f"SASL_PLAINTEXT://127.0.0.1:{self.sasl_port}\n"
                "controller.listener.names=CONTROLLER\n"
                "inter.broker.listener.name=PLAINTEXT\n"
                "listener.security.protocol.map="
                "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT\n"
            )
        elif self.zookeeper is None:
            mode = (
                "process.roles=broker,controller\n"
                "node.id=1\n"
                f"controller.quorum.bootstrap.servers=127.0.0.1:{self.controller_port}\n"
                f"listeners=PLAINTEXT://127.0.0.1:{self.port},"
                f"CONTROLLER://127.0.0.1:{self.controller_port},"
                f"SASL_PLAINTEXT://127.0.0.1:{self.sasl_port}\n"
                f"advertised.listeners=PLAINTEXT://127.0.0.1:{self.port},"
                f"SASL_PLAINTEXT://127.0.0.1:{self.sasl_port}\n"
                "controller.listener.names=CONTROLLER\n"
                "inter.broker.listener.name=PLAINTEXT\n"
                "listener.security.protocol.map="
                "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT\n"
                "share.coordinator.state.topic.replication.factor=1\n"
                "share.coordinator.state.topic.min.isr=1\n"
            )
        else:
            mode = (
                "broker.id=0\n"
                f"listeners=PLAINTEXT://127.0.0.1:{self.port},"
                f"SASL_PLAINTEXT://127.0.0.1:{self.sasl_port}\n"
                "inter.broker.listener.name=PLAINTEXT\n"
                f"zookeeper.connect={self.zookeeper.connect}\n"
                "zookeeper.connection.timeout.ms=18000\n"
            )
        self.properties.write_text(mode + self._common_properties())

    def format_storage(self) -> None:
        storage = self.home / "bin" / "kafka-storage.sh"
        if self.cluster_id is None:
            self.cluster_id = subprocess.run(
                [str(storage), "random-uuid"], capture_output=True, text=True, check=True
            ).stdout.strip()
        # The first node is the cluster's only controller; broker-only nodes just join it.
        quorum = [] if self.joins is not None else ["--standalone"]
        subprocess.run(
            [str(storage), "format", *quorum, "-t", self.cluster_id, "-c", str(self.properties)],
            capture_output=True,
            text=True,
            check=True,
        )

    def start(self) -> None:
        self.write_config()
        if self.zookeeper is None:
            self.format_storage()
        self.launch(
            [str(self.home / "bin" / "kafka-server-start.sh"), str(self.properties)],
            {"KAFKA_HEAP_OPTS": SERVER_HEAP, "LOG_DIR": str(self.work_dir / "logs")},
        )
        self.wait_until(self._serves_metadata, "serving metadata")

    @property
    def broker_id(self) -> int:
        """The id the cluster knows this broker by (the ZooKeeper-mode broker is broker.id=0)."""
        return 0 if self.zookeeper is not None else self.node_id

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def relaunch(self) -> None:
        """Start again after stop(), on the same configuration and data, without waiting.

        For tests that restart a node and watch the cluster take it back; the
        session fixtures' own stop() ends the relaunched process as well.
        """
        if self.running:
            return
        self.launch(
            [str(self.home / "bin" / "kafka-server-start.sh"), str(self.properties)],
            {"KAFKA_HEAP_OPTS": SERVER_HEAP, "LOG_DIR": str(self.work_dir / "logs")},
        )

    def wait_registered(self, bootstrap_servers: str, timeout_s: float = STARTUP_TIMEOUT_S) -> None:
        """Wait until the cluster lists this broker as registered and unfenced."""
        from kafka import KafkaAdminClient

        def registered() -> bool:
            admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=5000)
            try:
                return any(
                    broker["broker_id"] == self.broker_id and not broker.get("is_fenced")
                    for broker in admin.describe_cluster()["brokers"]
                )
            finally:
                admin.close()

        self.wait_until(registered, "registered and unfenced", timeout_s)

    def _serves_metadata(self) -> bool:
        if not port_open(self.port):
            return False
        from kafka import KafkaAdminClient

        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap_servers, request_timeout_ms=5000)
        try:
            return len(admin.describe_cluster()["brokers"]) >= self.expected_brokers
        finally:
            admin.close()


def start_kraft_broker(version: str, work_root: Path) -> KafkaServer:
    home = unpack(kafka_archive(version), work_root / "dist")
    broker = KafkaServer(home, work_root / f"kraft-{version}")
    broker.start()
    return broker


def start_kraft_cluster(version: str, work_root: Path, brokers: int = 3) -> list[KafkaServer]:
    """One combined controller+broker and ``brokers - 1`` broker-only nodes joining it."""
    home = unpack(kafka_archive(version), work_root / "dist")
    first = KafkaServer(home, work_root / "node-1")
    first.start()
    nodes = [first]
    try:
        for node_id in range(2, brokers + 1):
            node = KafkaServer(home, work_root / f"node-{node_id}", joins=first, node_id=node_id)
            node.expected_brokers = node_id
            node.start()
            nodes.append(node)
    except BaseException:
        for node in reversed(nodes):
            node.stop()
        raise
    return nodes


def start_zookeeper_and_broker(
    kafka_version: str, zookeeper_version: str, work_root: Path
) -> tuple[ZooKeeperServer, KafkaServer]:
    zk_home = unpack(zookeeper_archive(zookeeper_version), work_root / "dist")
    zookeeper = ZooKeeperServer(zk_home, work_root / f"zookeeper-{zookeeper_version}")
    zookeeper.start()
    try:
        kafka_home = unpack(kafka_archive(kafka_version), work_root / "dist")
        broker = KafkaServer(kafka_home, work_root / f"zk-kafka-{kafka_version}", zookeeper)
        broker.start()
    except BaseException:
        zookeeper.stop()
        raise
    return zookeeper, broker
