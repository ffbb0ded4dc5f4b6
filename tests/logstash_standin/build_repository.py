"""Build the test lab's signed APT repository holding the stand-in `logstash` package.

NOT Logstash: no registry the test machines reach serves Elastic's packages, so
the lab packages a stand-in (see package/logstash.py) and lays it out like
Elastic's repository, `<mirror>/elastic/packages/<major>.x/apt` with suite
`stable` and component `main`, signed by a key made here and published as
`<mirror>/elastic/GPG-KEY-elasticsearch`, and the same files as a tarball at
`<mirror>/elastic/downloads/logstash/logstash-<version>-linux-x86_64.tar.gz`
with its `.sha512`. The roles install from these through their
ordinary repository and key URL variables, exactly as from artifacts.elastic.co.

    build_repository.py MIRROR_DIR CACHE_DIR VERSION...

Rebuilds only when the package sources or versions change.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from email.utils import formatdate
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = HERE / "package"
SOURCES = [*sorted(PACKAGE.iterdir()), HERE / "pipeline_syntax.py", Path(__file__)]

CONFIG_FILES = {
    "logstash.yml": "path.data: /var/lib/logstash\npath.logs: /var/log/logstash\n",
    "pipelines.yml": '- pipeline.id: main\n  path.config: "/etc/logstash/conf.d/*.conf"\n',
    "jvm.options": "-Xms1g\n-Xmx1g\n",
    "log4j2.properties": "status = error\n",
    "startup.options": "LS_HOME=/usr/share/logstash\nLS_SETTINGS_DIR=/etc/logstash\n",
}


def sources_digest(versions: list[str]) -> str:
    digest = hashlib.sha256(" ".join(versions).encode())
    for path in SOURCES:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def build_deb(version: str, out_dir: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        bin_dir = root / "usr/share/logstash/bin"
        lib_dir = root / "usr/share/logstash/lib/standin"
        bin_dir.mkdir(parents=True)
        lib_dir.mkdir(parents=True)
        # The Python tools are kept as .py files without a shebang in the repository;
        # the package gets them under Logstash's names, runnable.
        for tool, source in (
            ("logstash", "logstash.py"),
            ("logstash-keystore", "logstash_keystore.py"),
        ):
            (bin_dir / tool).write_text("#!/usr/bin/python3\n" + (PACKAGE / source).read_text())
            (bin_dir / tool).chmod(0o755)
        shutil.copy(PACKAGE / "logstash-plugin", bin_dir / "logstash-plugin")
        (bin_dir / "logstash-plugin").chmod(0o755)
        shutil.copy(HERE / "pipeline_syntax.py", lib_dir / "pipeline_syntax.py")
        (root / "usr/share/logstash/VERSION").write_text(version + "\n")
        etc = root / "etc/logstash"
        (etc / "conf.d").mkdir(parents=True)
        for name, content in CONFIG_FILES.items():
            (etc / name).write_text(content)
        unit_dir = root / "lib/systemd/system"
        unit_dir.mkdir(parents=True)
        shutil.copy(PACKAGE / "logstash.service", unit_dir / "logstash.service")
        debian = root / "DEBIAN"
        debian.mkdir()
        shutil.copy(PACKAGE / "postinst", debian / "postinst")
        (debian / "postinst").chmod(0o755)
        (debian / "conffiles").write_text("".join(f"/etc/logstash/{n}\n" for n in CONFIG_FILES))
        (debian / "control").write_text(
            "Package: logstash\n"
            f"Version: 1:{version}-1\n"
            "Architecture: all\n"
            "Maintainer: datapipe test lab <lab@localhost>\n"
            "Depends: python3, python3-yaml, adduser\n"
            "Section: misc\n"
            "Priority: optional\n"
            "Description: test lab stand-in for Logstash (NOT Logstash)\n"
            " Gives Logstash's file layout, user, service and command line so the\n"
            " roles can be tested where Elastic's packages cannot be downloaded.\n"
        )
        deb = out_dir / f"logstash-{version}-all.deb"
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "--build", str(root), str(deb)],
            check=True,
            capture_output=True,
        )
    return deb


def build_tarball(version: str, deb: Path, out_dir: Path) -> Path:
    """logstash-<version>-linux-x86_64.tar.gz and its .sha512, as Elastic publishes them,
    holding the same files as the package ``deb``."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
        home = Path(tmp) / f"logstash-{version}"
        shutil.move(str(root / "usr/share/logstash"), home)
        shutil.move(str(root / "etc/logstash"), home / "config")
        out_dir.mkdir(parents=True, exist_ok=True)
        tarball = out_dir / f"logstash-{version}-linux-x86_64.tar.gz"
        subprocess.run(
            ["tar", "--owner=0", "--group=0", "-czf", str(tarball), "-C", tmp, home.name],
            check=True,
        )
    digest = hashlib.sha512(tarball.read_bytes()).hexdigest()
    Path(f"{tarball}.sha512").write_text(f"{digest}  {tarball.name}\n")
    return tarball


def control_fields(deb: Path) -> str:
    return subprocess.run(
        ["dpkg-deb", "--field", str(deb)], check=True, capture_output=True, text=True
    ).stdout.strip()


def write_index(repo: Path, debs: list[Path]) -> None:
    entries = []
    for deb in debs:
        data = deb.read_bytes()
        entries.append(
            control_fields(deb)
            + f"\nFilename: {deb.relative_to(repo)}\nSize: {len(data)}"
            + f"\nMD5sum: {hashlib.md5(data).hexdigest()}"
            + f"\nSHA256: {hashlib.sha256(data).hexdigest()}\n"
        )
    packages = "\n".join(entries).encode()
    indexes = {}
    for arch in ("amd64", "arm64", "all"):
        index_dir = repo / "dists/stable/main" / f"binary-{arch}"
        index_dir.mkdir(parents=True, exist_ok=True)
        (index_dir / "Packages").write_bytes(packages)
        (index_dir / "Packages.gz").write_bytes(gzip.compress(packages, mtime=0))
        for name in ("Packages", "Packages.gz"):
            content = (index_dir / name).read_bytes()
            indexes[f"main/binary-{arch}/{name}"] = content
    release = (
        "Origin: datapipe test lab\nLabel: logstash stand-in (not Elastic)\nSuite: stable\n"
        "Codename: stable\nComponents: main\nArchitectures: amd64 arm64 all\n"
        f"Date: {formatdate(usegmt=True)}\nSHA256:\n"
        + "".join(
            f" {hashlib.sha256(content).hexdigest()} {len(content)} {name}\n"
            for name, content in sorted(indexes.items())
        )
    )
    (repo / "dists/stable/Release").write_text(release)


def sign(repo: Path, gnupg: Path) -> None:
    env = {**os.environ, "GNUPGHOME": str(gnupg)}
    release = repo / "dists/stable/Release"
    for args, target in (
        (["--clearsign"], repo / "dists/stable/InRelease"),
        (["--armor", "--detach-sign"], repo / "dists/stable/Release.gpg"),
    ):
        target.unlink(missing_ok=True)
        subprocess.run(
            ["gpg", "--batch", "--yes", *args, "--output", str(target), str(release)],
            check=True,
            env=env,
            capture_output=True,
        )


def ensure_key(gnupg: Path, public_key: Path) -> None:
    env = {**os.environ, "GNUPGHOME": str(gnupg)}
    gnupg.mkdir(mode=0o700, parents=True, exist_ok=True)
    listed = subprocess.run(
        ["gpg", "--batch", "--list-secret-keys"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if "lab-repository" not in listed.stdout:
        subprocess.run(
            [
                "gpg",
                "--batch",
                "--passphrase",
                "",
                "--quick-gen-key",
                "datapipe lab-repository <lab@localhost>",
                "rsa3072",
                "sign",
                "never",
            ],
            env=env,
            check=True,
            capture_output=True,
        )
    public_key.parent.mkdir(parents=True, exist_ok=True)
    exported = subprocess.run(
        ["gpg", "--batch", "--armor", "--export", "lab@localhost"],
        env=env,
        check=True,
        capture_output=True,
    ).stdout
    public_key.write_bytes(exported)


def main(mirror: Path, cache: Path, versions: list[str]) -> None:
    elastic = mirror / "elastic"
    stamp = elastic / ".stand-in-sources"
    digest = sources_digest(versions)
    if stamp.exists() and stamp.read_text() == digest:
        print(
            f"[lab] logstash stand-in repository is current ({', '.join(versions)})",
            file=sys.stderr,
        )
        return
    gnupg = cache / "stand-in-gnupg"
    ensure_key(gnupg, elastic / "GPG-KEY-elasticsearch")
    for version in versions:
        repo = elastic / "packages" / f"{version.split('.')[0]}.x" / "apt"
        shutil.rmtree(repo, ignore_errors=True)
        pool = repo / "pool/main/l/logstash"
        pool.mkdir(parents=True)
        deb = build_deb(version, pool)
        write_index(repo, [deb])
        sign(repo, gnupg)
        build_tarball(version, deb, elastic / "downloads" / "logstash")
        print(f"[lab] built the logstash stand-in {version} repository at {repo}", file=sys.stderr)
    stamp.write_text(digest)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:])
