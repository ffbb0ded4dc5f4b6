#!/usr/bin/env bash
# Assemble the Kafka and ZooKeeper distributions the lab uses (cached), laid out
# like Apache's download site, so the roles install them through their ordinary
# mirror variables (the lab serves this tree over HTTP) or from the controller.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

mirror="${LAB_CACHE}/mirror"
python3 "${LAB_DIR}/assemble_distribution.py" kafka "${KAFKA_VERSION}" "${mirror}/kafka/${KAFKA_VERSION}"
python3 "${LAB_DIR}/assemble_distribution.py" kafka "${KAFKA_ZK_VERSION}" "${mirror}/kafka/${KAFKA_ZK_VERSION}"
python3 "${LAB_DIR}/assemble_distribution.py" zookeeper "${ZOOKEEPER_VERSION}" \
  "${mirror}/zookeeper/zookeeper-${ZOOKEEPER_VERSION}"
(cd "${mirror}" && find . -type f | sort >&2)
