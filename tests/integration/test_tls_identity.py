"""tls_identity on real files of this machine, through ansible-playbook.

What the roles rely on: one run makes the key and returns a request when a
certificate is due (and says why), the signed certificate given back builds a
keystore that Java reads, an unchanged identity changes nothing, check mode
writes nothing and still names what would change, and every wrong value stops
the task before anything is written. A test CA made here signs the requests, as
the collection's CA on the controller does.
"""

from __future__ import annotations

import datetime
import grp
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from playbook_run import run_task

GROUP = "daemon"  # a group other than root's, to see that the service's group gets the files


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


class SigningCA:
    """A CA like the collection's: RSA key, self-signed, with a subject key identifier."""

    def __init__(self, name: str = "test CA") -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime.now(datetime.UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )
        self.pem = _pem(self.certificate)

    def sign(self, csr_pem: str, days: int = 365) -> str:
        """What the controller's ownca signing does with the request: its subject and extensions."""
        csr = x509.load_pem_x509_csr(csr_pem.encode())
        now = datetime.datetime.now(datetime.UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(csr.subject)
            .issuer_name(self.certificate.subject)
            .public_key(csr.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
        )
        for extension in csr.extensions:
            builder = builder.add_extension(extension.value, critical=extension.critical)
        return _pem(builder.sign(self.key, hashes.SHA256()))


def _args(tls_dir: Path, ca: SigningCA, **extra) -> dict:
    return {
        "path": str(tls_dir),
        "group": GROUP,
        "common_name": "kafka1",
        "organizational_unit": "kafka",
        "subject_alt_names": ["DNS:kafka1", "IP:10.0.0.5"],
        "issuer": ca.pem,
        "trusted_ca_content": ca.pem,
        "renew_days": 30,
        "key_size": 2048,
        **extra,
    }


def _issue(tls_dir: Path, ca: SigningCA, days: int = 365, **extra):
    """The role's two steps: check (a request comes back), then install the signed certificate."""
    checked = run_task("tls_identity", _args(tls_dir, ca, **extra))
    assert not checked.failed, checked.msg
    signed = ca.sign(checked.result["csr"], days=days)
    installed = run_task(
        "tls_identity",
        {**_args(tls_dir, ca, **extra), "issuer": None, "certificate_content": signed},
    )
    assert not installed.failed, installed.msg
    return checked, installed


def _java_lists(keystore: Path, password: str) -> str:
    """What Java's keytool reads from the keystore (as Kafka and ZooKeeper read it)."""
    keytool = shutil.which("keytool")
    assert keytool, "keytool (Java 17) is part of this machine"
    listed = subprocess.run(
        [
            keytool,
            "-list",
            "-v",
            "-storetype",
            "PKCS12",
            "-keystore",
            str(keystore),
            "-storepass",
            password,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert listed.returncode == 0, listed.stdout + listed.stderr
    return listed.stdout


def test_new_host_gets_key_request_certificate_and_a_keystore_java_reads(tmp_path: Path) -> None:
    ca = SigningCA()
    tls_dir = tmp_path / "tls"

    checked, installed = _issue(tls_dir, ca)
    assert checked.changed and checked.result["renewal_reasons"] == ["no certificate yet"]
    assert checked.result["key_changed"] and not checked.result["keystore_changed"]
    csr = x509.load_pem_x509_csr(checked.result["csr"].encode())
    # The order Kafka's principal mapping rules read (CN first in RFC 4514).
    assert csr.subject.rfc4514_string() == "CN=kafka1,OU=kafka,O=datapipe"
    names = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sorted(map(str, names.get_values_for_type(x509.DNSName))) == ["kafka1"]

    assert installed.result["certificate_changed"] and installed.result["keystore_changed"]
    assert "csr" not in installed.result
    assert sorted(p.name for p in tls_dir.iterdir()) == [
        "ca.pem",
        "cert.pem",
        "key-password",
        "key.pem",
        "keystore.p12",
    ]
    group_id = grp.getgrnam(GROUP).gr_gid
    assert _mode(tls_dir) == 0o750 and tls_dir.stat().st_gid == group_id
    assert _mode(tls_dir / "key.pem") == 0o600 and (tls_dir / "key.pem").stat().st_gid == 0
    for name, mode in (
        ("cert.pem", 0o640),
        ("ca.pem", 0o644),
        ("keystore.p12", 0o640),
        ("key-password", 0o640),
    ):
        assert _mode(tls_dir / name) == mode, name
        assert (tls_dir / name).stat().st_gid == group_id, name
    password = (tls_dir / "key-password").read_text()
    assert len(password) == 40 and password.isalnum()
    assert installed.result["passphrase"] == password

    listing = _java_lists(tls_dir / "keystore.p12", password)
    assert "Alias name: kafka1" in listing and "PrivateKeyEntry" in listing
    assert "Certificate chain length: 2" in listing  # the host's certificate, then the CA

    # Unchanged: nothing written, no request, no reason.
    before = {p.name: p.stat().st_mtime_ns for p in tls_dir.iterdir()}
    again = run_task("tls_identity", _args(tls_dir, ca))
    assert not again.failed, again.msg
    assert not again.changed and again.result["changed_files"] == []
    assert again.result["renewal_reasons"] == [] and "csr" not in again.result
    assert {p.name: p.stat().st_mtime_ns for p in tls_dir.iterdir()} == before


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("expiring", "within 30 days"),
        ("names", "its names changed"),
        ("issuer", "another CA signed it"),
        ("key", "the key changed"),
    ],
)
def test_each_reason_for_a_new_certificate_is_named(
    tmp_path: Path, change: str, reason: str
) -> None:
    ca = SigningCA()
    tls_dir = tmp_path / "tls"
    _issue(tls_dir, ca, days=10 if change == "expiring" else 365)
    args = _args(tls_dir, ca)
    if change == "names":
        args["subject_alt_names"] = ["DNS:kafka1", "DNS:kafka1.example.com"]
    elif change == "issuer":
        args["issuer"] = SigningCA("another CA").pem
    elif change == "key":
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        (tls_dir / "key.pem").write_bytes(
            other.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
        )

    preview = run_task("tls_identity", args, check=True)
    assert not preview.failed, preview.msg
    assert preview.changed and any(reason in text for text in preview.result["renewal_reasons"])
    assert "csr" not in preview.result  # check mode makes no request

    result = run_task("tls_identity", args)
    assert not result.failed, result.msg
    assert [text for text in result.result["renewal_reasons"] if reason in text], result.result
    assert "csr" in result.result


def test_check_mode_on_a_new_host_writes_nothing(tmp_path: Path) -> None:
    tls_dir = tmp_path / "tls"
    preview = run_task("tls_identity", _args(tls_dir, SigningCA()), check=True)
    assert not preview.failed, preview.msg
    assert preview.changed
    assert preview.result["renewal_reasons"] == ["no certificate yet"]
    assert preview.result["passphrase"] == ""
    assert not tls_dir.exists()


def test_a_new_trusted_ca_is_shown_written_and_put_into_the_keystore(tmp_path: Path) -> None:
    ca, next_ca = SigningCA(), SigningCA("next CA")
    tls_dir = tmp_path / "tls"
    _issue(tls_dir, ca)
    password = (tls_dir / "key-password").read_text()
    both = ca.pem + next_ca.pem

    preview = run_task("tls_identity", _args(tls_dir, ca, trusted_ca_content=both), check=True)
    assert (
        preview.changed and preview.result["trust_changed"] and preview.result["keystore_changed"]
    )
    assert (
        "next CA" not in (tls_dir / "ca.pem").read_text()
        and next_ca.pem not in (tls_dir / "ca.pem").read_text()
    )
    assert next_ca.pem.strip().splitlines()[1] in preview.result["diff"]["after"]

    written = run_task("tls_identity", _args(tls_dir, ca, trusted_ca_content=both))
    assert not written.failed, written.msg
    assert written.result["trust_changed"] and written.result["keystore_changed"]
    assert not written.result["key_changed"] and not written.result["certificate_changed"]
    assert (tls_dir / "ca.pem").read_text() == both
    assert (tls_dir / "key-password").read_text() == password  # the password is kept
    assert "Certificate chain length: 2" in _java_lists(tls_dir / "keystore.p12", password)
    stored = pkcs12.load_pkcs12((tls_dir / "keystore.p12").read_bytes(), password.encode())
    assert {other.certificate for other in stored.additional_certs} == {
        ca.certificate,
        next_ca.certificate,
    }


def test_operator_files_are_installed_and_attributes_corrected(tmp_path: Path) -> None:
    ca = SigningCA()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kafka1")]))
        .sign(key, hashes.SHA256())
    )
    certificate = ca.sign(csr.public_bytes(serialization.Encoding.PEM).decode())
    args = {
        "path": str(tmp_path / "tls"),
        "group": GROUP,
        "common_name": "kafka1",
        "trusted_ca_content": ca.pem,
        "private_key_content": key_pem,
        "certificate_content": certificate,
    }
    first = run_task("tls_identity", args)
    assert not first.failed, first.msg
    assert first.result["keystore_changed"] and first.result["renewal_reasons"] == []
    # The key is never printed: the option is no_log.
    assert key_pem.splitlines()[1] not in str(first.result)

    (tmp_path / "tls" / "key.pem").chmod(0o644)
    corrected = run_task("tls_identity", args)
    assert corrected.changed
    assert corrected.result["changed_files"] == [str(tmp_path / "tls" / "key.pem")]
    assert not corrected.result["keystore_changed"]
    assert _mode(tmp_path / "tls" / "key.pem") == 0o600


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        ({"path": "relative/tls"}, "must be an absolute path"),
        (
            {"trusted_ca_content": "not a certificate"},
            "trusted_ca_content holds no PEM certificate",
        ),
        (
            {"issuer": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"},
            "issuer holds a certificate that cannot be read",
        ),
        ({"subject_alt_names": ["host:kafka1"]}, "is not DNS:, IP:, email: or URI:"),
        ({"subject_alt_names": ["IP:300.1.1.1"]}, "does not appear to be an IPv4 or IPv6 address"),
        ({"subject_alt_names": []}, "subject_alt_names is empty"),
        ({"key_size": 1024}, "below 2048 bits"),
        ({"renew_days": -1}, "renew_days -1 is negative"),
        ({"group": "no-such-group-here"}, "no such group 'no-such-group-here'"),
        (
            {"private_key_content": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"},
            "not an unencrypted PEM private key",
        ),
    ],
)
def test_wrong_values_are_refused_before_anything_is_written(
    tmp_path: Path, wrong: dict, message: str
) -> None:
    tls_dir = tmp_path / "tls"
    args = {**_args(tls_dir, SigningCA()), **wrong}
    result = run_task("tls_identity", args)
    assert result.failed
    assert message in result.msg, result.msg
    assert result.msg.startswith("Nothing was changed")
    assert not tls_dir.exists() and not (Path(os.getcwd()) / "relative").exists()


def test_a_certificate_that_is_not_the_keys_is_refused(tmp_path: Path) -> None:
    ca = SigningCA()
    key_pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    result = run_task(
        "tls_identity",
        {
            "path": str(tmp_path / "tls"),
            "group": GROUP,
            "common_name": "kafka1",
            "trusted_ca_content": ca.pem,
            "private_key_content": key_pem,
            "certificate_content": ca.pem,  # the CA's certificate: not this key's
        },
    )
    assert (
        result.failed and "certificate_content does not belong to private_key_content" in result.msg
    )
    assert not (tmp_path / "tls").exists()


def test_without_the_cryptography_library_it_says_so_and_changes_nothing(tmp_path: Path) -> None:
    """A host without python3-cryptography: the role installs it when the module says so."""
    bare = tmp_path / "bare-python"
    # A virtual environment sees only the standard library: no cryptography.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    tls_dir = tmp_path / "tls"
    result = run_task(
        "tls_identity", _args(tls_dir, SigningCA()), interpreter=str(bare / "bin" / "python")
    )
    assert result.failed
    assert result.result.get("missing_library") is True, result.result
    assert "cryptography" in result.msg and "Nothing was changed" in result.msg
    assert not tls_dir.exists()
