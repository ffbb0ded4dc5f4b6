#!/usr/bin/env bash
# Assemble the Kafka and ZooKeeper distributions the lab uses (cached).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

dist_dir="${LAB_CACHE}/dist"
mkdir -p "${dist_dir}"
for spec in "kafka ${KAFKA_VERSION}" "kafka ${KAFKA_ZK_VERSION}" "zookeeper ${ZOOKEEPER_VERSION}"; do
  # shellcheck disable=SC2086
  python3 "${LAB_DIR}/assemble_distribution.py" ${spec} "${dist_dir}"
done
ls -1 "${dist_dir}" >&2
