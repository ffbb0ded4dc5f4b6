#!/usr/bin/env bash
# Assemble the Kafka and ZooKeeper distributions the lab uses (cached), laid out
# like Apache's download site, so the roles install them through their ordinary
# mirror variables (the lab serves this tree over HTTP) or from the controller.
# Each archive is signed (.asc beside it) by the lab's release key, made once in
# the cache and never committed, whose public part is in <project>/KEYS; the
# scenarios pin its fingerprint (tests/lab/run exports it) as a company would
# pin its release managers' keys.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if ! command -v gpg >/dev/null 2>&1; then
  log "installing gpg (signs the lab's archives)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends gpg >/dev/null
fi

mirror="${LAB_CACHE}/mirror"
signing=(--signing-home "${LAB_SIGNING_HOME}")
python3 "${LAB_DIR}/assemble_distribution.py" "${signing[@]}" kafka "${KAFKA_VERSION}" \
  "${mirror}/kafka/${KAFKA_VERSION}"
python3 "${LAB_DIR}/assemble_distribution.py" "${signing[@]}" kafka "${KAFKA_ZK_VERSION}" \
  "${mirror}/kafka/${KAFKA_ZK_VERSION}"
python3 "${LAB_DIR}/assemble_distribution.py" "${signing[@]}" kafka "${KAFKA_PREVIOUS_VERSION}" \
  "${mirror}/kafka/${KAFKA_PREVIOUS_VERSION}"
python3 "${LAB_DIR}/assemble_distribution.py" "${signing[@]}" kafka "${KAFKA_ZK_PREVIOUS_VERSION}" \
  "${mirror}/kafka/${KAFKA_ZK_PREVIOUS_VERSION}"
python3 "${LAB_DIR}/assemble_distribution.py" "${signing[@]}" zookeeper "${ZOOKEEPER_VERSION}" \
  "${mirror}/zookeeper/zookeeper-${ZOOKEEPER_VERSION}"
python3 "${LAB_DIR}/assemble_distribution.py" "${signing[@]}" zookeeper "${ZOOKEEPER_PREVIOUS_VERSION}" \
  "${mirror}/zookeeper/zookeeper-${ZOOKEEPER_PREVIOUS_VERSION}"
# The Java a Java upgrade moves to (repacked from PyPI, see the script).
"${LAB_DIR}/java_runtime.sh"
# The Prometheus JMX exporter's agent (Maven Central), for kafka_broker_metrics_enabled.
"${LAB_DIR}/metrics_agent.sh"
# Signing started an agent for the key's home; it is not needed any more.
GNUPGHOME="${LAB_SIGNING_HOME}" gpgconf --kill gpg-agent 2>/dev/null || true
(cd "${mirror}" && find . -type f | sort >&2)
