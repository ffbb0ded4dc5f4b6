"""Assemble Apache Kafka and Apache ZooKeeper binary distributions from Maven Central.

Apache's download site is out of reach from the lab machines, but Maven Central
serves every jar a release is made of. This script resolves those jars with
Maven, lays them out like the official tarballs (``libs/`` or ``lib/``,
``config/`` or ``conf/``, ``bin/`` launchers written here), packs them under the
official file names, and writes a ``.sha512`` file in the format Apache
publishes for that project. The roles then install these archives through
their ordinary mirror or controller-archive variables, exactly as they would
install Apache's own.

With ``--signing-home``, the archive is also signed as Apache signs its
releases: a detached armored signature (``.asc``) beside it, made with the lab's
release key (generated once in that GnuPG home, which lives in the lab cache and
is never committed), and the key's public part in the project's ``KEYS`` file
(the directory above the release's). The roles verify the signature against
the key's pinned fingerprint, as they would a release manager's.

Usage: python3 assemble_distribution.py [--signing-home DIR] {kafka,zookeeper} VERSION OUTPUT_DIR
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import zipfile
from pathlib import Path

SCALA_VERSION = "2.13"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

# Versions of the logging back ends the official tarballs ship (the Kafka and
# ZooKeeper poms leave the back end to the distribution).
LOG4J2_VERSION = "2.24.3"  # Kafka 4.x: log4j2 behind slf4j 1.7
SLF4J_VERSION = "1.7.36"
RELOAD4J_VERSION = "1.2.25"  # Kafka 3.x: reload4j behind slf4j 1.7

# Launchers: script name -> candidate main classes, newest location first.
# Classes move between Kafka releases (Scala core -> Java tools module); the
# first candidate found in the resolved jars is used, and a launcher whose
# class is in none of them is not written, so a script never points nowhere.
KAFKA_LAUNCHERS = {
    "kafka-server-start.sh": ["kafka.Kafka"],
    "kafka-storage.sh": ["kafka.tools.StorageTool"],
    "kafka-topics.sh": ["org.apache.kafka.tools.TopicCommand", "kafka.admin.TopicCommand"],
    "kafka-configs.sh": ["org.apache.kafka.tools.ConfigCommand", "kafka.admin.ConfigCommand"],
    "kafka-console-producer.sh": [
        "org.apache.kafka.tools.ConsoleProducer",
        "kafka.tools.ConsoleProducer",
    ],
    "kafka-console-consumer.sh": [
        "org.apache.kafka.tools.consumer.ConsoleConsumer",
        "kafka.tools.ConsoleConsumer",
    ],
    "kafka-consumer-groups.sh": [
        "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
        "kafka.admin.ConsumerGroupCommand",
    ],
    "kafka-metadata-quorum.sh": ["org.apache.kafka.tools.MetadataQuorumCommand"],
    "kafka-broker-api-versions.sh": [
        "org.apache.kafka.tools.BrokerApiVersionsCommand",
        "kafka.admin.BrokerApiVersionsCommand",
    ],
    "kafka-reassign-partitions.sh": [
        "org.apache.kafka.tools.reassign.ReassignPartitionsCommand",
        "kafka.admin.ReassignPartitionsCommand",
    ],
    "kafka-log-dirs.sh": ["org.apache.kafka.tools.LogDirsCommand", "kafka.admin.LogDirsCommand"],
    "kafka-cluster.sh": ["org.apache.kafka.tools.ClusterTool", "kafka.admin.ClusterTool"],
    "zookeeper-server-start.sh": ["org.apache.zookeeper.server.quorum.QuorumPeerMain"],
    "zookeeper-shell.sh": [
        "org.apache.zookeeper.ZooKeeperMainWithTlsSupportForKafka",
        "org.apache.zookeeper.ZooKeeperMain",
    ],
}
# Launchers that run a server (long-running, bigger heap, server log config).
KAFKA_SERVER_LAUNCHERS = {"kafka-server-start.sh", "zookeeper-server-start.sh"}
# Launchers whose arguments Apache's script rearranges before the main class
# sees them (the ZooKeeper shell takes the connect string as `-server`).
KAFKA_LAUNCHER_ARGUMENTS = {"zookeeper-shell.sh": '-server "$1" "${@:2}"'}

ZOOKEEPER_LAUNCHERS = {
    "zkServer.sh": "org.apache.zookeeper.server.quorum.QuorumPeerMain",
    "zkCli.sh": "org.apache.zookeeper.ZooKeeperMain",
}


def log(message: str) -> None:
    print(f"[assemble] {message}", file=sys.stderr, flush=True)


def kafka_major(version: str) -> int:
    return int(version.split(".", 1)[0])


def dependency_xml(group: str, artifact: str, version: str | None = None) -> str:
    version_xml = f"<version>{version}</version>" if version else ""
    return (
        f"<dependency><groupId>{group}</groupId><artifactId>{artifact}</artifactId>"
        f"{version_xml}</dependency>"
    )


def kafka_pom(version: str) -> str:
    deps = [
        dependency_xml("org.apache.kafka", f"kafka_{SCALA_VERSION}", version),
        dependency_xml("org.apache.kafka", "kafka-tools", version),
        dependency_xml("org.apache.kafka", "kafka-storage", version),
        dependency_xml("org.apache.kafka", "kafka-server", version),
        dependency_xml("org.apache.kafka", "kafka-metadata", version),
        dependency_xml("org.apache.kafka", "kafka-raft", version),
    ]
    if kafka_major(version) >= 4:
        deps += [
            dependency_xml("org.apache.logging.log4j", "log4j-slf4j-impl", LOG4J2_VERSION),
            dependency_xml("org.apache.logging.log4j", "log4j-core", LOG4J2_VERSION),
        ]
    else:
        deps += [
            dependency_xml("org.slf4j", "slf4j-reload4j", SLF4J_VERSION),
            dependency_xml("ch.qos.reload4j", "reload4j", RELOAD4J_VERSION),
        ]
    return pom_xml(f"kafka-dist-{version}", deps, managed="")


def zookeeper_pom(version: str) -> str:
    # The server's optional parts (admin server, CLI, metrics) are "provided"
    # in ZooKeeper's pom; the official tarball ships them, so list them here
    # and take their versions from ZooKeeper's own parent pom.
    managed = (
        "<dependencyManagement><dependencies><dependency>"
        "<groupId>org.apache.zookeeper</groupId><artifactId>parent</artifactId>"
        f"<version>{version}</version><type>pom</type><scope>import</scope>"
        "</dependency></dependencies></dependencyManagement>"
    )
    deps = [
        dependency_xml("org.apache.zookeeper", "zookeeper", version),
        dependency_xml("ch.qos.logback", "logback-classic"),
        dependency_xml("commons-cli", "commons-cli"),
        dependency_xml("org.eclipse.jetty", "jetty-server"),
        dependency_xml("org.eclipse.jetty", "jetty-servlet"),
        dependency_xml("com.fasterxml.jackson.core", "jackson-databind"),
        dependency_xml("io.dropwizard.metrics", "metrics-core"),
        dependency_xml("org.xerial.snappy", "snappy-java"),
    ]
    return pom_xml(f"zookeeper-dist-{version}", deps, managed=managed)


def pom_xml(artifact: str, deps: list[str], managed: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<project xmlns="http://maven.apache.org/POM/4.0.0">'
        "<modelVersion>4.0.0</modelVersion>"
        f"<groupId>datapipe.lab</groupId><artifactId>{artifact}</artifactId>"
        "<version>1</version><packaging>pom</packaging>"
        f"{managed}<dependencies>{''.join(deps)}</dependencies></project>\n"
    )


def resolve_jars(pom: str, libs_dir: Path, work_dir: Path) -> None:
    (work_dir / "pom.xml").write_text(pom)
    libs_dir.mkdir(parents=True, exist_ok=True)
    command = [
        "mvn",
        "-B",
        "-q",
        "-f",
        str(work_dir / "pom.xml"),
        f"{DEPENDENCY_PLUGIN}:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={libs_dir}",
    ]
    log("resolving jars: " + " ".join(command[5:]))
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"maven could not resolve the jars (exit {result.returncode})")


def classes_in(libs_dir: Path) -> set[str]:
    classes: set[str] = set()
    for jar in libs_dir.glob("*.jar"):
        with zipfile.ZipFile(jar) as archive:
            for name in archive.namelist():
                if name.endswith(".class") and "$" not in name:
                    classes.add(name[: -len(".class")].replace("/", "."))
    return classes


def write_executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o755)


def kafka_run_class(version: str) -> str:
    if kafka_major(version) >= 4:
        server_log = '-Dlog4j2.configurationFile="$base_dir/config/log4j2.yaml"'
        tools_log = '-Dlog4j2.configurationFile="$base_dir/config/tools-log4j2.yaml"'
    else:
        server_log = '-Dlog4j.configuration="file:$base_dir/config/log4j.properties"'
        tools_log = '-Dlog4j.configuration="file:$base_dir/config/tools-log4j.properties"'
    return textwrap.dedent(
        f"""\
        #!/usr/bin/env bash
        # Runs a Kafka main class with every jar in libs/ on the classpath.
        # Written by the lab's assembler; the environment variables are the ones
        # Apache's own launcher reads.
        set -e
        base_dir=$(cd "$(dirname "$0")/.." && pwd)
        if [ "$1" = "--server" ]; then
          shift
          : "${{KAFKA_HEAP_OPTS:=-Xms1G -Xmx1G}}"
          : "${{KAFKA_LOG4J_OPTS:={server_log}}}"
        else
          : "${{KAFKA_HEAP_OPTS:=-Xmx256M}}"
          : "${{KAFKA_LOG4J_OPTS:={tools_log}}}"
        fi
        : "${{LOG_DIR:=$base_dir/logs}}"
        : "${{KAFKA_JVM_PERFORMANCE_OPTS:=-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20}}"
        if [ -n "$JAVA_HOME" ]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi
        # shellcheck disable=SC2086
        exec "$JAVA" $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS $KAFKA_OPTS \\
          -Dkafka.logs.dir="$LOG_DIR" $KAFKA_LOG4J_OPTS \\
          -cp "$base_dir/libs/*:$CLASSPATH" "$@"
        """
    )


def kafka_launcher(main_class: str, server: bool, arguments: str = '"$@"') -> str:
    server_flag = "--server " if server else ""
    return textwrap.dedent(
        f"""\
        #!/usr/bin/env bash
        exec "$(dirname "$0")/kafka-run-class.sh" {server_flag}{main_class} {arguments}
        """
    )


KAFKA_LOG4J2_YAML = """\
# Server logging: INFO to the console (journald under systemd) and to
# ${kafka.logs.dir}/server.log, rolled by size.
Configuration:
  Properties:
    Property:
      - name: "kafka.logs.dir"
        value: "."
      - name: "logPattern"
        value: "[%d] %p %m (%c)%n"
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "${logPattern}"
    RollingFile:
      name: ServerLog
      fileName: "${sys:kafka.logs.dir}/server.log"
      filePattern: "${sys:kafka.logs.dir}/server.log.%i"
      PatternLayout:
        pattern: "${logPattern}"
      SizeBasedTriggeringPolicy:
        size: "100MB"
      DefaultRolloverStrategy:
        max: 10
  Loggers:
    Root:
      level: INFO
      AppenderRef:
        - ref: STDOUT
        - ref: ServerLog
"""

KAFKA_TOOLS_LOG4J2_YAML = """\
Configuration:
  Appenders:
    Console:
      name: STDERR
      target: SYSTEM_ERR
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: STDERR
"""

KAFKA_LOG4J_PROPERTIES = """\
log4j.rootLogger=INFO, stdout, kafkaAppender
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.appender.kafkaAppender=org.apache.log4j.RollingFileAppender
log4j.appender.kafkaAppender.File=${kafka.logs.dir}/server.log
log4j.appender.kafkaAppender.MaxFileSize=100MB
log4j.appender.kafkaAppender.MaxBackupIndex=10
log4j.appender.kafkaAppender.layout=org.apache.log4j.PatternLayout
log4j.appender.kafkaAppender.layout.ConversionPattern=[%d] %p %m (%c)%n
"""

KAFKA_TOOLS_LOG4J_PROPERTIES = """\
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
"""

KAFKA_KRAFT_SERVER_PROPERTIES = """\
# A single combined broker and controller, as in Apache's sample config.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=localhost:9093
listeners=PLAINTEXT://:9092,CONTROLLER://:9093
advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=/tmp/kraft-combined-logs
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
"""

KAFKA_ZK_SERVER_PROPERTIES = """\
# A single broker in ZooKeeper mode, as in Apache's sample config.
broker.id=0
listeners=PLAINTEXT://:9092
log.dirs=/tmp/kafka-logs
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
zookeeper.connect=localhost:2181
zookeeper.connection.timeout.ms=18000
"""

ZOOKEEPER_PROPERTIES = """\
dataDir=/tmp/zookeeper
clientPort=2181
maxClientCnxns=0
admin.enableServer=false
"""

ZOO_SAMPLE_CFG = """\
tickTime=2000
initLimit=10
syncLimit=5
dataDir=/tmp/zookeeper
clientPort=2181
"""

ZOOKEEPER_LOGBACK_XML = """\
<configuration>
  <property name="zookeeper.console.threshold" value="INFO" />
  <appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n</pattern></encoder>
    <filter class="ch.qos.logback.classic.filter.ThresholdFilter">
      <level>${zookeeper.console.threshold}</level>
    </filter>
  </appender>
  <root level="INFO"><appender-ref ref="CONSOLE" /></root>
</configuration>
"""


def zookeeper_launcher(main_class: str, server: bool) -> str:
    heap = "${ZK_SERVER_HEAP:-1000}" if server else "${ZK_CLIENT_HEAP:-256}"
    arguments = '"${ZOOCFG:-$base_dir/conf/zoo.cfg}"' if server else '"$@"'
    usage = ""
    if server:
        # Apache's zkServer.sh daemonises with `start`; the lab's launcher
        # only runs in the foreground, which is what systemd wants anyway.
        usage = textwrap.dedent(
            """\
            case "${1:-start-foreground}" in
              start-foreground) shift || true ;;
              *) echo "usage: $0 start-foreground [zoo.cfg]" >&2; exit 2 ;;
            esac
            [ -n "${1:-}" ] && ZOOCFG="$1"
            """
        )
    return (
        textwrap.dedent(
            """\
            #!/usr/bin/env bash
            # Written by the lab's assembler; reads the variables Apache's scripts read.
            set -e
            base_dir=$(cd "$(dirname "$0")/.." && pwd)
            """
        )
        + usage
        + textwrap.dedent(
            f"""\
            : "${{ZOOCFGDIR:=$base_dir/conf}}"
            : "${{ZOO_LOG_DIR:=$base_dir/logs}}"
            if [ -n "$JAVA_HOME" ]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi
            # shellcheck disable=SC2086
            exec "$JAVA" -Xmx{heap}m -Dzookeeper.log.dir="$ZOO_LOG_DIR" \\
              -Dlogback.configurationFile="$ZOOCFGDIR/logback.xml" \\
              $SERVER_JVMFLAGS $CLIENT_JVMFLAGS \\
              -cp "$base_dir/lib/*:$ZOOCFGDIR:$CLASSPATH" {main_class} {arguments}
            """
        )
    )


def copy_license_files(libs_dir: Path, top: Path, marker_jar_prefix: str) -> None:
    """Copy LICENSE and NOTICE out of the project's main jar, as the tarballs carry them."""
    for jar in sorted(libs_dir.glob(f"{marker_jar_prefix}*.jar")):
        with zipfile.ZipFile(jar) as archive:
            for name in ("LICENSE", "NOTICE"):
                for candidate in (f"META-INF/{name}", f"META-INF/{name}.txt", name):
                    if candidate in archive.namelist():
                        (top / name).write_bytes(archive.read(candidate))
                        break
        if (top / "LICENSE").exists():
            return


def assemble_kafka(version: str, work_dir: Path) -> Path:
    top = work_dir / f"kafka_{SCALA_VERSION}-{version}"
    libs = top / "libs"
    resolve_jars(kafka_pom(version), libs, work_dir)
    available = classes_in(libs)

    bin_dir = top / "bin"
    bin_dir.mkdir()
    write_executable(bin_dir / "kafka-run-class.sh", kafka_run_class(version))
    for script, candidates in KAFKA_LAUNCHERS.items():
        main_class = next((c for c in candidates if c in available), None)
        if main_class is None:
            log(f"{script}: no main class in this release, not written")
            continue
        launcher = kafka_launcher(
            main_class,
            server=script in KAFKA_SERVER_LAUNCHERS,
            arguments=KAFKA_LAUNCHER_ARGUMENTS.get(script, '"$@"'),
        )
        write_executable(bin_dir / script, launcher)

    config = top / "config"
    config.mkdir()
    if kafka_major(version) >= 4:
        (config / "server.properties").write_text(KAFKA_KRAFT_SERVER_PROPERTIES)
        (config / "log4j2.yaml").write_text(KAFKA_LOG4J2_YAML)
        (config / "tools-log4j2.yaml").write_text(KAFKA_TOOLS_LOG4J2_YAML)
    else:
        (config / "server.properties").write_text(KAFKA_ZK_SERVER_PROPERTIES)
        (config / "kraft").mkdir()
        (config / "kraft" / "server.properties").write_text(KAFKA_KRAFT_SERVER_PROPERTIES)
        (config / "zookeeper.properties").write_text(ZOOKEEPER_PROPERTIES)
        (config / "log4j.properties").write_text(KAFKA_LOG4J_PROPERTIES)
        (config / "tools-log4j.properties").write_text(KAFKA_TOOLS_LOG4J_PROPERTIES)
    copy_license_files(libs, top, "kafka-clients-")
    return top


def assemble_zookeeper(version: str, work_dir: Path) -> Path:
    top = work_dir / f"apache-zookeeper-{version}-bin"
    libs = top / "lib"
    resolve_jars(zookeeper_pom(version), libs, work_dir)
    available = classes_in(libs)

    bin_dir = top / "bin"
    bin_dir.mkdir()
    for script, main_class in ZOOKEEPER_LAUNCHERS.items():
        if main_class not in available:
            raise SystemExit(f"{main_class} is missing from ZooKeeper {version}'s jars")
        write_executable(bin_dir / script, zookeeper_launcher(main_class, script == "zkServer.sh"))

    conf = top / "conf"
    conf.mkdir()
    (conf / "zoo_sample.cfg").write_text(ZOO_SAMPLE_CFG)
    (conf / "logback.xml").write_text(ZOOKEEPER_LOGBACK_XML)
    copy_license_files(libs, top, "zookeeper-")
    return top


def provenance(kind: str, version: str, top: Path) -> None:
    jars = sorted(p.name for p in top.glob("lib*/*.jar"))
    (top / "ASSEMBLED-FROM-MAVEN-CENTRAL.txt").write_text(
        f"This is not Apache's {kind} {version} tarball. It was assembled by the\n"
        "datapipe.kafka_pipeline test lab from the release's artifacts on Maven\n"
        "Central, laid out like the official distribution, with launchers written\n"
        "by the lab. Jars:\n" + "".join(f"  {j}\n" for j in jars)
    )


def pack(top: Path, archive: Path) -> None:
    """Pack deterministically (sorted names, fixed times and owners), so a rebuild
    of the same jars gives the same checksum."""

    def normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        info.mtime = 0
        return info

    tmp = archive.with_suffix(archive.suffix + ".part")
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for path in [top, *sorted(top.rglob("*"))]:
            tar.add(
                path, arcname=str(path.relative_to(top.parent)), recursive=False, filter=normalise
            )
    with open(tmp, "wb") as out, gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as gz:
        gz.write(raw.getvalue())
    tmp.replace(archive)


def sha512_file(archive: Path, style: str) -> Path:
    digest = hashlib.sha512(archive.read_bytes()).hexdigest()
    if style == "gpg":
        # `gpg --print-md SHA512` output, which Kafka's release script publishes:
        # "name: " then upper-case groups of eight, wrapped with a hanging indent.
        groups = [digest[i : i + 8].upper() for i in range(0, len(digest), 8)]
        prefix = f"{archive.name}: "
        lines, line = [], prefix
        for group in groups:
            if len(line) + len(group) > 79 and line.strip():
                lines.append(line.rstrip())
                line = " " * len(prefix)
            line += group + " "
        lines.append(line.rstrip())
        text = "\n".join(lines) + "\n"
    else:
        # `sha512sum` output, which ZooKeeper publishes.
        text = f"{digest}  {archive.name}\n"
    checksum = archive.with_name(archive.name + ".sha512")
    checksum.write_text(text)
    return checksum


SIGNING_UID = "datapipe lab release signing <lab-releases@localhost>"


def gpg(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["gpg", "--batch", "--no-tty", *args],
        env={**os.environ, "GNUPGHOME": str(home)},
        capture_output=True,
        text=True,
        check=False,
    )


def ensure_signing_key(home: Path) -> str:
    """The fingerprint of the lab's release key, made on first use."""
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    listed = gpg(home, "--with-colons", "--list-secret-keys", SIGNING_UID)
    if listed.returncode != 0:
        made = gpg(
            home, "--passphrase", "", "--quick-gen-key", SIGNING_UID, "ed25519", "sign", "never"
        )
        if made.returncode != 0:
            raise SystemExit(f"gpg could not make the lab's release key: {made.stderr}")
        listed = gpg(home, "--with-colons", "--list-secret-keys", SIGNING_UID)
    return next(
        line.split(":")[9] for line in listed.stdout.splitlines() if line.startswith("fpr:")
    )


def signed_by(archive: Path, home: Path) -> str | None:
    """Fingerprint of the key whose good signature is beside the archive, if any."""
    signature = archive.with_name(archive.name + ".asc")
    if not signature.exists():
        return None
    checked = gpg(home, "--status-fd", "1", "--verify", str(signature), str(archive))
    for line in checked.stdout.splitlines():
        if line.startswith("[GNUPG:] VALIDSIG "):
            return line.split()[-1]
    return None


def sign(archive: Path, home: Path) -> Path:
    """Sign the archive with the lab's release key (unless it already is) and
    publish the key in the project's KEYS file."""
    fingerprint = ensure_signing_key(home)
    signature = archive.with_name(archive.name + ".asc")
    if signed_by(archive, home) != fingerprint:
        signature.unlink(missing_ok=True)
        made = gpg(
            home, "--local-user", fingerprint, "--armor", "--detach-sign",
            "--output", str(signature), str(archive),
        )  # fmt: skip
        if made.returncode != 0:
            raise SystemExit(f"gpg could not sign {archive.name}: {made.stderr}")
        log(f"{archive.name}: signed by the lab's release key {fingerprint}")
    exported = gpg(home, "--armor", "--export", fingerprint)
    keys = archive.parent.parent / "KEYS"
    keys.write_text(
        "The key that signs the releases this lab assembles (a lab key, not Apache's).\n\n"
        f"pub   ed25519 {fingerprint}\n{exported.stdout}"
    )
    return signature


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signing-home", type=Path, help="GnuPG home of the lab's release key")
    parser.add_argument("kind", choices=["kafka", "zookeeper"])
    parser.add_argument("version")
    parser.add_argument("output_dir", type=Path)
    args = parser.parse_args()

    if args.kind == "kafka":
        archive_name = f"kafka_{SCALA_VERSION}-{args.version}.tgz"
        style = "gpg"
    else:
        archive_name = f"apache-zookeeper-{args.version}-bin.tar.gz"
        style = "sha512sum"
    args.output_dir.mkdir(parents=True, exist_ok=True)
    archive = args.output_dir / archive_name
    # An archive made by another version of this script (another set of launchers, say)
    # is made again: the recipe file beside it names the script's digest.
    recipe = args.output_dir / f"{archive_name}.recipe"
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    current = recipe.exists() and recipe.read_text().strip() == digest
    if current and archive.exists() and (args.output_dir / f"{archive_name}.sha512").exists():
        log(f"{archive} already assembled")
        if args.signing_home:
            sign(archive, args.signing_home)
        return 0

    with tempfile.TemporaryDirectory(prefix=f"assemble-{args.kind}-") as tmp:
        work_dir = Path(tmp)
        builder = assemble_kafka if args.kind == "kafka" else assemble_zookeeper
        top = builder(args.version, work_dir)
        provenance(args.kind, args.version, top)
        pack(top, archive)
    checksum = sha512_file(archive, style)
    recipe.write_text(digest + "\n")
    if args.signing_home:
        sign(archive, args.signing_home)
    size_mib = os.path.getsize(archive) / 2**20
    log(f"{archive.name}: {size_mib:.1f} MiB, checksum in {checksum.name}")
    return 0


if __name__ == "__main__":
    if shutil.which("mvn") is None:
        sys.exit("mvn is needed to assemble distributions")
    sys.exit(main())
