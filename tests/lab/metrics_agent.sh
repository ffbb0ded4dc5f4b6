#!/usr/bin/env bash
# The Prometheus JMX exporter's Java agent the kafka_broker role installs when
# kafka_broker_metrics_enabled is on, taken from Maven Central into the lab
# mirror under Maven Central's own layout (maven2/<group path>/<artifact>/<version>/),
# so that the role downloads it from the mirror as it would from Maven Central.
# Pinned by SHA-256 (the role's default checksum). Cached.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

path="io/prometheus/jmx/jmx_prometheus_javaagent/${JMX_AGENT_VERSION}/jmx_prometheus_javaagent-${JMX_AGENT_VERSION}.jar"
jar="${LAB_CACHE}/mirror/maven2/${path}"
if [ -s "${jar}" ] && echo "${JMX_AGENT_SHA256}  ${jar}" | sha256sum --check --quiet - 2>/dev/null; then
  log "${jar} already fetched"
  exit 0
fi
mkdir -p "$(dirname "${jar}")"
log "downloading jmx_prometheus_javaagent ${JMX_AGENT_VERSION} from Maven Central"
python3 - "https://repo1.maven.org/maven2/${path}" "${jar}.part" <<'PYTHON'
import shutil, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=120) as response, open(sys.argv[2], "wb") as out:
    shutil.copyfileobj(response, out)
PYTHON
if ! echo "${JMX_AGENT_SHA256}  ${jar}.part" | sha256sum --check --quiet -; then
  rm -f "${jar}.part"
  echo "jmx_prometheus_javaagent ${JMX_AGENT_VERSION} from Maven Central does not have the pinned SHA-256" >&2
  exit 1
fi
mv "${jar}.part" "${jar}"
