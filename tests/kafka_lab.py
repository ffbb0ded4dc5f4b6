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


def wait_until_led(admin, topic: str, partitions: int, timeout_s: float = 60) -> None:
    """Wait until a new topic reads with a leader for each of its partitions.

    create_topics' wait_for_metadata asks one broker; the next describe may reach another
    that has not applied the new topic yet."""
    deadline = time.monotonic() + timeout_s
    while True:
        described = {t["name"]: t for t in admin.describe_topics([topic])}
        found = described.get(topic, {}).get("partitions", [])
        if len(found) == partitions and all(p["leader_id"] >= 0 for p in found):
            return
        assert time.monotonic() < deadline, f"{topic}: not every partition has a leader"
        time.sleep(0.2)


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
        *,
        joins: KafkaServer | None = None,
        node_id: int = 1,
        rack: str | None = None,
        release_version: str | None = None,
    ):
        """``joins``: a KRaft node whose controller this broker-only node registers with;
        ``rack``: its broker.rack, as the inventory sets it from the zone on EC2;
        ``release_version``: KRaft storage formatted at an older metadata.version (such
        as ``4.3``), as a cluster that ran that release and was upgraded keeps it."""
        super().__init__("kafka", home, work_dir)
        self.zookeeper = zookeeper
        self.joins = joins
        self.node_id = node_id
        self.rack = rack
        self.release_version = release_version
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
            (f"broker.rack={self.rack}\n" if self.rack else "")
            + f"log.dirs={self.work_dir / 'data'}\n"
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
        release = ["--release-version", self.release_version] if self.release_version else []
        subprocess.run(
            [
                str(storage),
                "format",
                *quorum,
                *release,
                "-t",
                self.cluster_id,
                "-c",
                str(self.properties),
            ],
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


def start_kraft_broker(
    version: str, work_root: Path, release_version: str | None = None
) -> KafkaServer:
    home = unpack(kafka_archive(version), work_root / "dist")
    broker = KafkaServer(home, work_root / f"kraft-{version}", release_version=release_version)
    broker.start()
    return broker


def start_kraft_cluster(
    version: str, work_root: Path, brokers: int = 3, racks: list[str] | None = None
) -> list[KafkaServer]:
    """One combined controller+broker and ``brokers - 1`` broker-only nodes joining it;
    ``racks``, when given, one per broker."""
    home = unpack(kafka_archive(version), work_root / "dist")
    racks = racks or [None] * brokers
    first = KafkaServer(home, work_root / "node-1", rack=racks[0])
    first.start()
    nodes = [first]
    try:
        for node_id in range(2, brokers + 1):
            nodes.append(add_kraft_broker(nodes, node_id, racks[node_id - 1]))
    except BaseException:
        for node in reversed(nodes):
            node.stop()
        raise
    return nodes


def add_kraft_broker(nodes: list[KafkaServer], node_id: int, rack: str | None) -> KafkaServer:
    """Start a broker-only node that joins the controller of ``nodes[0]``: a scale-out.

    It is waited for until the cluster lists every node so far plus it; the caller stops it.
    """
    first = nodes[0]
    node = KafkaServer(
        first.home,
        first.work_dir.parent / f"node-{node_id}",
        joins=first,
        node_id=node_id,
        rack=rack,
    )
    node.expected_brokers = len([n for n in nodes if n.running]) + 1
    node.start()
    return node


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


# --- A secured broker: SASL_SSL with SCRAM-SHA-512 for clients, TLS between nodes, ACLs on.

# The first credential, created before the broker starts (KRaft: at storage format time;
# ZooKeeper mode: in ZooKeeper). It is the one super user besides the broker itself.
SCRAM_ADMIN_USER = "lab-scram-admin"
SCRAM_ADMIN_PASSWORD = "lab-scram-admin-9Qv4xT"
# The broker's own principal: its certificate's subject, presented on the TLS-only
# inter-broker and controller listeners, which require client certificates.
BROKER_CERT_SUBJECT = "CN=kafka-broker"
BROKER_PRINCIPAL = f"User:{BROKER_CERT_SUBJECT}"
SECURED_MECHANISM = "SCRAM-SHA-512"


@dataclass(frozen=True)
class LabPki:
    """A throwaway CA and one broker certificate (SAN localhost and 127.0.0.1), as PEM."""

    ca_file: Path
    # The broker's PKCS#8 key and its certificate chain. The key is not encrypted: Kafka
    # reads unencrypted PEM keys (3.3 and newer), while Java 17 cannot read the PBES2
    # encryption current tools write (SecretKeyFactory has no "PBES2"), and PBES1's ciphers
    # are weak. The file's mode (0600) is what protects it.
    keystore_file: Path
    # The CA's key, kept so that a test can renew the broker's certificate.
    ca_key_file: Path


def _validity() -> dict:
    import datetime

    now = datetime.datetime.now(datetime.UTC)
    return dict(
        not_valid_before=now - datetime.timedelta(minutes=5),
        not_valid_after=now + datetime.timedelta(days=1),
    )


def _broker_certificate(ca_cert, ca_key, public_key, extra_dns_names=()):
    """A broker certificate (SAN localhost and 127.0.0.1, and extra_dns_names) signed by the
    CA, valid for a day."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtendedKeyUsageOID

    valid = _validity()
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name.from_rfc4514_string(BROKER_CERT_SUBJECT))
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid["not_valid_before"])
        .not_valid_after(valid["not_valid_after"])
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
                + [x509.DNSName(name) for name in extra_dns_names]
            ),
            critical=False,
        )
        .add_extension(
            # The broker uses the one certificate as server and, towards the controller and
            # the other brokers, as client.
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


def _write_keystore(pki: LabPki, key, cert, ca_cert) -> None:
    """Key, certificate and CA into the PEM keystore, replacing the file in one step."""
    from cryptography.hazmat.primitives import serialization

    staged = pki.keystore_file.with_suffix(".new")
    staged.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + cert.public_bytes(serialization.Encoding.PEM)
        + ca_cert.public_bytes(serialization.Encoding.PEM)
    )
    staged.chmod(0o600)
    staged.replace(pki.keystore_file)


def renew_broker_certificate(pki: LabPki, extra_dns_names=()) -> str:
    """Sign a new certificate for the broker's key and put it in the keystore file, as a
    renewal on a host does (with more names when given); returns it as PEM."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    ca_cert = x509.load_pem_x509_certificate(pki.ca_file.read_bytes())
    ca_key = serialization.load_pem_private_key(pki.ca_key_file.read_bytes(), password=None)
    key = serialization.load_pem_private_key(pki.keystore_file.read_bytes(), password=None)
    cert = _broker_certificate(ca_cert, ca_key, key.public_key(), extra_dns_names)
    _write_keystore(pki, key, cert, ca_cert)
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def make_test_pki(directory: Path) -> LabPki:
    """Generate a CA and a broker certificate signed by it, valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    valid = _validity()

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "datapipe test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid["not_valid_before"])
        .not_valid_after(valid["not_valid_after"])
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )

    key = ec.generate_private_key(ec.SECP256R1())
    cert = _broker_certificate(ca_cert, ca_key, key.public_key())

    ca_file = directory / "ca.pem"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    ca_file.chmod(0o600)
    ca_key_file = directory / "ca-key.pem"
    ca_key_file.write_bytes(
        ca_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    ca_key_file.chmod(0o600)
    pki = LabPki(ca_file, directory / "broker-keystore.pem", ca_key_file)
    _write_keystore(pki, key, cert, ca_cert)
    return pki


def secured_client_settings(
    bootstrap_servers: str,
    ca_file: Path,
    username: str = SCRAM_ADMIN_USER,
    password: str = SCRAM_ADMIN_PASSWORD,
) -> dict:
    """kafka-python settings for a SASL_SSL (SCRAM-SHA-512) client with hostname checks."""
    return dict(
        bootstrap_servers=bootstrap_servers,
        security_protocol="SASL_SSL",
        sasl_mechanism=SECURED_MECHANISM,
        sasl_plain_username=username,
        sasl_plain_password=password,
        ssl_cafile=str(ca_file),
        ssl_check_hostname=True,
    )


class SecuredKafkaServer(KafkaServer):
    """One broker with every listener on TLS, clients on SASL_SSL/SCRAM-SHA-512, ACLs on.

    KRaft (combined broker and controller, StandardAuthorizer) or, given a ZooKeeper,
    ZooKeeper mode (AclAuthorizer). The inter-broker and controller listeners take TLS
    with client certificates, so the broker is BROKER_PRINCIPAL there; super users are
    that principal and the SCRAM admin. A principal with no ACL may do nothing.
    """

    def __init__(
        self, home: Path, work_dir: Path, pki: LabPki, zookeeper: ZooKeeperServer | None = None
    ):
        super().__init__(home, work_dir, zookeeper)
        self.name = "kafka-secured"
        self.log_path = self.work_dir / f"{self.name}.out"
        self.pki = pki
        self.broker_port = free_port()

    @property
    def bootstrap_servers(self) -> str:
        """The SASL_SSL listener (SCRAM-SHA-512)."""
        return f"127.0.0.1:{self.port}"

    def client_settings(
        self, username: str = SCRAM_ADMIN_USER, password: str = SCRAM_ADMIN_PASSWORD
    ) -> dict:
        return secured_client_settings(self.bootstrap_servers, self.pki.ca_file, username, password)

    def write_config(self) -> None:
        tls = (
            "ssl.keystore.type=PEM\n"
            f"ssl.keystore.location={self.pki.keystore_file}\n"
            "ssl.truststore.type=PEM\n"
            f"ssl.truststore.location={self.pki.ca_file}\n"
            "ssl.endpoint.identification.algorithm=https\n"
            "listener.name.broker.ssl.client.auth=required\n"
            "sasl.enabled.mechanisms=SCRAM-SHA-512\n"
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config="
            "org.apache.kafka.common.security.scram.ScramLoginModule required;\n"
            f"super.users=User:{SCRAM_ADMIN_USER};{BROKER_PRINCIPAL}\n"
            "allow.everyone.if.no.acl.found=false\n"
            "listener.security.protocol.map=SASL_SSL:SASL_SSL,BROKER:SSL,CONTROLLER:SSL\n"
            "inter.broker.listener.name=BROKER\n"
        )
        if self.zookeeper is None:
            mode = (
                "process.roles=broker,controller\n"
                "node.id=1\n"
                f"controller.quorum.bootstrap.servers=127.0.0.1:{self.controller_port}\n"
                f"listeners=SASL_SSL://127.0.0.1:{self.port},"
                f"BROKER://127.0.0.1:{self.broker_port},"
                f"CONTROLLER://127.0.0.1:{self.controller_port}\n"
                f"advertised.listeners=SASL_SSL://127.0.0.1:{self.port},"
                f"BROKER://127.0.0.1:{self.broker_port}\n"
                "controller.listener.names=CONTROLLER\n"
                "listener.name.controller.ssl.client.auth=required\n"
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer\n"
                "share.coordinator.state.topic.replication.factor=1\n"
                "share.coordinator.state.topic.min.isr=1\n"
            )
        else:
            mode = (
                "broker.id=0\n"
                f"listeners=SASL_SSL://127.0.0.1:{self.port},"
                f"BROKER://127.0.0.1:{self.broker_port}\n"
                f"zookeeper.connect={self.zookeeper.connect}\n"
                "zookeeper.connection.timeout.ms=18000\n"
                "authorizer.class.name=kafka.security.authorizer.AclAuthorizer\n"
            )
        common = (
            f"log.dirs={self.work_dir / 'data'}\n"
            "num.partitions=1\n"
            "offsets.topic.replication.factor=1\n"
            "transaction.state.log.replication.factor=1\n"
            "transaction.state.log.min.isr=1\n"
            "auto.create.topics.enable=false\n"
            "group.initial.rebalance.delay.ms=0\n"
        )
        self.properties.write_text(mode + tls + common)
        self.properties.chmod(0o600)

    def format_storage(self) -> None:
        """Format KRaft storage with the admin's SCRAM credential already in the metadata."""
        storage = self.home / "bin" / "kafka-storage.sh"
        self.cluster_id = subprocess.run(
            [str(storage), "random-uuid"], capture_output=True, text=True, check=True
        ).stdout.strip()
        scram = f"SCRAM-SHA-512=[name={SCRAM_ADMIN_USER},password={SCRAM_ADMIN_PASSWORD}]"
        subprocess.run(
            [
                str(storage),
                "format",
                "--standalone",
                "-t",
                self.cluster_id,
                "-c",
                str(self.properties),
                "--add-scram",
                scram,
            ],
            capture_output=True,
            text=True,
            check=True,
        )

    def create_zookeeper_admin(self) -> None:
        """ZooKeeper mode: the admin's SCRAM credential, written to ZooKeeper before the
        broker starts (the broker cannot be asked before anyone can log in)."""
        config = self.work_dir / "admin-scram.properties"
        config.write_text(f"SCRAM-SHA-512=password={SCRAM_ADMIN_PASSWORD}\n")
        config.chmod(0o600)
        completed = subprocess.run(
            [
                str(self.home / "bin" / "kafka-configs.sh"),
                "--zookeeper",
                self.zookeeper.connect,
                "--alter",
                "--add-config-file",
                str(config),
                "--entity-type",
                "users",
                "--entity-name",
                SCRAM_ADMIN_USER,
            ],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "KAFKA_HEAP_OPTS": "-Xmx128m"},
        )
        config.unlink()
        if completed.returncode != 0:
            raise RuntimeError(
                f"could not create the SCRAM admin in ZooKeeper:\n{completed.stdout}"
                f"\n{completed.stderr}"
            )

    def start(self) -> None:
        self.write_config()
        if self.zookeeper is None:
            self.format_storage()
        else:
            self.create_zookeeper_admin()
        self.launch(
            [str(self.home / "bin" / "kafka-server-start.sh"), str(self.properties)],
            {"KAFKA_HEAP_OPTS": SERVER_HEAP, "LOG_DIR": str(self.work_dir / "logs")},
        )
        self.wait_until(self._serves_metadata, "serving metadata over SASL_SSL")

    def _serves_metadata(self) -> bool:
        if not port_open(self.port):
            return False
        from kafka import KafkaAdminClient

        admin = KafkaAdminClient(request_timeout_ms=5000, **self.client_settings())
        try:
            return len(admin.describe_cluster()["brokers"]) >= self.expected_brokers
        finally:
            admin.close()


@dataclass
class SecuredBroker:
    """What a test needs to reach a secured broker."""

    server: SecuredKafkaServer
    bootstrap_servers: str  # host:port of the SASL_SSL listener
    ca_file: Path  # the CA (PEM) that signed the broker's certificate
    admin_user: str
    admin_password: str
    mechanism: str = SECURED_MECHANISM
    broker_principal: str = BROKER_PRINCIPAL
    zookeeper: ZooKeeperServer | None = None

    @property
    def admin_principal(self) -> str:
        return f"User:{self.admin_user}"

    def client_settings(self, username: str | None = None, password: str | None = None) -> dict:
        """kafka-python settings; the admin's unless another user is given."""
        return secured_client_settings(
            self.bootstrap_servers,
            self.ca_file,
            username or self.admin_user,
            self.admin_password if password is None else password,
        )

    def module_connection(self) -> dict:
        """The collection's connection options for the admin principal."""
        return dict(
            bootstrap_servers=[self.bootstrap_servers],
            security_protocol="SASL_SSL",
            sasl_mechanism=self.mechanism,
            sasl_username=self.admin_user,
            sasl_password=self.admin_password,
            ssl_cafile=str(self.ca_file),
            ssl_check_hostname=True,
        )

    def stop(self) -> None:
        self.server.stop()
        if self.zookeeper is not None:
            self.zookeeper.stop()


def start_secured_kraft_broker(version: str, work_root: Path) -> SecuredBroker:
    """A KRaft broker (combined broker and controller) with SASL_SSL/SCRAM-SHA-512 for
    clients, TLS with client certificates between broker and controller, StandardAuthorizer,
    and the admin's SCRAM credential created at storage format time."""
    home = unpack(kafka_archive(version), work_root / "dist")
    pki = make_test_pki(work_root / "pki")
    server = SecuredKafkaServer(home, work_root / f"kraft-secured-{version}", pki)
    server.start()
    return SecuredBroker(
        server, server.bootstrap_servers, pki.ca_file, SCRAM_ADMIN_USER, SCRAM_ADMIN_PASSWORD
    )


def start_secured_zookeeper_broker(
    kafka_version: str, zookeeper_version: str, work_root: Path
) -> SecuredBroker:
    """A ZooKeeper and a ZooKeeper-mode broker with SASL_SSL/SCRAM-SHA-512 for clients, TLS
    with client certificates between brokers, and AclAuthorizer. ZooKeeper itself is plain
    and open here: this fixture is for the Kafka side only."""
    zk_home = unpack(zookeeper_archive(zookeeper_version), work_root / "dist")
    zookeeper = ZooKeeperServer(zk_home, work_root / f"zookeeper-secured-{zookeeper_version}")
    zookeeper.start()
    try:
        home = unpack(kafka_archive(kafka_version), work_root / "dist")
        pki = make_test_pki(work_root / "pki")
        server = SecuredKafkaServer(
            home, work_root / f"zk-kafka-secured-{kafka_version}", pki, zookeeper
        )
        server.start()
    except BaseException:
        zookeeper.stop()
        raise
    return SecuredBroker(
        server,
        server.bootstrap_servers,
        pki.ca_file,
        SCRAM_ADMIN_USER,
        SCRAM_ADMIN_PASSWORD,
        zookeeper=zookeeper,
    )
