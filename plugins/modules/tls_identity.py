#!/usr/bin/python
# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

DOCUMENTATION = r"""
module: tls_identity
short_description: Keep a host's TLS key, certificate, trusted CAs and PKCS#12 keystore in one step
version_added: 0.3.0
description:
  - Keeps the TLS files of one service in one directory on the host, owned by root and readable by
    the service's group, in one module run. C(ca.pem) (the CAs the service trusts), C(cert.pem)
    (the host's certificate), C(key.pem) (its private key, root only), C(key-password) (the
    keystore's password, made on the host once) and C(keystore.p12) (key, certificate and CAs in a
    PKCS#12 keystore, which is what Java services read).
  - The private key is made on the host when there is none (it never leaves the host), unless
    O(private_key_content) brings one.
  - With O(issuer), the module decides whether the host needs a new certificate (none yet, expiring
    within O(renew_days), another key, other names, another CA) and returns a certificate signing
    request in RV(csr) for the controller to sign. The signed certificate is then given back in
    O(certificate_content), in a second run.
  - On a host where nothing changed this is one module run. The separate modules of
    C(community.crypto) for the same files (key, certificate information, key information,
    keystore, password file) cost about nine runs per service and host.
  - Check mode reports what would change and writes nothing; diff mode shows C(ca.pem) and
    C(cert.pem) before and after (they are public).
  - Needs the Python C(cryptography) library on the host. When it is missing the module fails with
    RV(missing_library=true) and changes nothing, so that the caller can install it and run again.
  - The keystore's password is returned in RV(passphrase); give the task C(no_log).
author:
  - datapipe maintainers (!UNKNOWN)
options:
  path:
    description: The directory of the service's TLS files; made when missing (mode C(0750)).
    type: path
    required: true
  group:
    description: The service's group, which may read every file but C(key.pem).
    type: str
    required: true
  trusted_ca_content:
    description:
      - The PEM certificates of the CAs the service trusts, written to C(ca.pem) and put into the
        keystore after the host's certificate.
      - When omitted, C(ca.pem) is left as it is and the keystore is not built or changed.
    type: str
  private_key_content:
    description:
      - A PEM private key (unencrypted) to write to C(key.pem), as an operator who brings their own
        key would. When omitted, a key is made on the host if there is none or if the one there is
        not an RSA key of O(key_size) bits.
    type: str
  key_size:
    description: The size of an RSA key made on the host, in bits.
    type: int
    default: 3072
  certificate_content:
    description:
      - A PEM certificate to write to C(cert.pem), the operator's or the one the controller signed
        from RV(csr).
    type: str
  issuer:
    description:
      - The PEM certificate of the CA that signs this host's certificate. Given, the module checks
        the certificate on the host against it and the options below, and returns RV(csr) when a new
        one is needed (not in check mode, and not when O(certificate_content) is given).
    type: str
  renew_days:
    description: With O(issuer), a certificate that expires within this many days is renewed.
    type: int
    default: 30
  common_name:
    description:
      - The certificate's common name (in the request) and the keystore entry's name.
    type: str
    required: true
  organizational_unit:
    description: With O(issuer), the request's organizational unit, such as C(kafka).
    type: str
  organization:
    description: With O(issuer), the request's organization.
    type: str
    default: datapipe
  subject_alt_names:
    description:
      - With O(issuer), the names the certificate must carry, such as C(DNS:kafka1) or
        C(IP:10.0.0.5) (C(DNS), C(IP), C(email) and C(URI) are understood).
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying
      target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in
      check_mode), when in diff mode.
    support: full
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
requirements:
  - cryptography 3.3 or newer on the host
"""

EXAMPLES = r"""
- name: Check the host's TLS identity; a request comes back when a certificate is due
  datapipe.kafka_pipeline.tls_identity:
    path: /etc/kafka/tls
    group: kafka
    common_name: "{{ inventory_hostname }}"
    organizational_unit: kafka
    subject_alt_names: ["DNS:{{ inventory_hostname }}"]
    issuer: "{{ lookup('ansible.builtin.file', 'ca/ca.pem') }}"
    renew_days: 30
    trusted_ca_content: "{{ lookup('ansible.builtin.file', 'ca/ca.pem') }}"
  register: identity
  no_log: true  # the result carries the keystore's password

- name: Sign the request on the controller
  community.crypto.x509_certificate_pipe:
    provider: ownca
    csr_content: "{{ identity.csr }}"
    ownca_path: ca/ca.pem
    ownca_privatekey_path: ca/ca.key
  delegate_to: localhost
  register: signed
  when: identity.csr is defined

- name: Install the signed certificate and rebuild the keystore
  datapipe.kafka_pipeline.tls_identity:
    path: /etc/kafka/tls
    group: kafka
    common_name: "{{ inventory_hostname }}"
    certificate_content: "{{ signed.certificate }}"
    trusted_ca_content: "{{ lookup('ansible.builtin.file', 'ca/ca.pem') }}"
  no_log: true
  when: signed.certificate is defined
"""

RETURN = r"""
changed_files:
  description: The files written or corrected (content or attributes), or that check mode would.
  returned: always
  type: list
  elements: str
key_changed:
  description: Whether C(key.pem) was written.
  returned: always
  type: bool
certificate_changed:
  description: Whether C(cert.pem) was written.
  returned: always
  type: bool
trust_changed:
  description: Whether C(ca.pem) was written.
  returned: always
  type: bool
keystore_changed:
  description: Whether C(keystore.p12) was written.
  returned: always
  type: bool
renewal_reasons:
  description: With O(issuer), why the host needs a new certificate; empty when it does not.
  returned: always
  type: list
  elements: str
  sample: ["it expires on 20270101000000Z, within 30 days"]
csr:
  description: A PEM certificate signing request for the host's key, when a certificate is due.
  returned: when RV(renewal_reasons) is not empty, outside check mode, without certificate_content
  type: str
passphrase:
  description: The keystore's password (empty in check mode before the file exists).
  returned: success
  type: str
missing_library:
  description: True when the module failed because the Python cryptography library is missing.
  returned: failure
  type: bool
"""

import datetime
import grp
import ipaddress
import os
import re
import secrets
import string
import tempfile
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
except ImportError:
    CRYPTOGRAPHY_IMPORT_ERROR = traceback.format_exc()
else:
    CRYPTOGRAPHY_IMPORT_ERROR = None

PEM_CERTIFICATE = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)
PASSPHRASE_LENGTH = 40
# key.pem alone is root's: owner and group root, mode 0600.
PRIVATE_MODE = "0600"


def _read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _certificates(data):
    """Every certificate of a PEM bundle, in order (cryptography 38 reads only the first)."""
    return [x509.load_pem_x509_certificate(block) for block in PEM_CERTIFICATE.findall(data or b"")]


def _host_certificate(data):
    """The first certificate of a file on the host, or None when it holds none that can be read."""
    try:
        return (_certificates(data) or [None])[0]
    except ValueError:
        return None


def _not_after(certificate):
    # not_valid_after_utc exists from cryptography 42; before, not_valid_after is naive UTC.
    moment = getattr(certificate, "not_valid_after_utc", None)
    if moment is None:
        # Hosts may run a Python older than 3.11, which has no datetime.UTC.
        moment = certificate.not_valid_after.replace(tzinfo=datetime.timezone.utc)  # noqa: UP017
    return moment


def _name_text(general_name):
    if isinstance(general_name, x509.DNSName):
        return "DNS:" + general_name.value
    if isinstance(general_name, x509.IPAddress):
        return "IP:" + str(general_name.value)
    if isinstance(general_name, x509.RFC822Name):
        return "email:" + general_name.value
    if isinstance(general_name, x509.UniformResourceIdentifier):
        return "URI:" + general_name.value
    return repr(general_name)


def _general_name(text):
    kind, _separator, value = text.partition(":")
    kind = kind.upper()
    if kind == "DNS":
        return x509.DNSName(value)
    if kind == "IP":
        return x509.IPAddress(ipaddress.ip_address(value))
    if kind == "EMAIL":
        return x509.RFC822Name(value)
    if kind == "URI":
        return x509.UniformResourceIdentifier(value)
    raise ValueError(
        f"subject_alt_names: {text!r} is not DNS:, IP:, email: or URI: followed by a value"
    )


def _normalized_names(names):
    return sorted(_name_text(_general_name(name)) for name in names)


def _certificate_names(certificate):
    try:
        extension = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return sorted(_name_text(name) for name in extension.value)


def _key_identifier(certificate):
    try:
        return certificate.extensions.get_extension_for_class(
            x509.SubjectKeyIdentifier
        ).value.digest
    except x509.ExtensionNotFound:
        return x509.SubjectKeyIdentifier.from_public_key(certificate.public_key()).digest


def _authority_key_identifier(certificate):
    try:
        return certificate.extensions.get_extension_for_class(
            x509.AuthorityKeyIdentifier
        ).value.key_identifier
    except x509.ExtensionNotFound:
        return None


def _public_bytes(key):
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _private_bytes(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def _load_key(data):
    """The private key in data, or None when data holds none (or an encrypted one)."""
    if not data:
        return None
    try:
        return serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        return None


class Identity:
    """The files of one directory, compared and (outside check mode) written in order."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.path = os.path.normpath(module.params["path"])
        self.changed_files = []
        self.diff = {"before": "", "after": ""}

    def file(self, name):
        return os.path.join(self.path, name)

    def validate(self):
        """Everything that can be wrong with the input, before anything is written."""
        params = self.params
        problems = []
        if not os.path.isabs(params["path"]):
            problems.append(f"path {params['path']!r} must be an absolute path")
        elif os.path.lexists(self.path) and not os.path.isdir(self.path):
            problems.append(f"{self.path} exists and is not a directory")
        if params["key_size"] < 2048:
            problems.append(f"key_size {params['key_size']} is below 2048 bits")
        if params["renew_days"] < 0:
            problems.append(f"renew_days {params['renew_days']} is negative")
        if not params["common_name"].strip():
            problems.append("common_name is empty")
        for option in ("trusted_ca_content", "certificate_content", "issuer"):
            content = params[option]
            if content is None:
                continue
            try:
                if not _certificates(to_bytes(content)):
                    problems.append(f"{option} holds no PEM certificate")
            except ValueError as error:
                problems.append(f"{option} holds a certificate that cannot be read: {error}")
        if params["private_key_content"] is not None:
            key = _load_key(to_bytes(params["private_key_content"]))
            if key is None:
                problems.append("private_key_content is not an unencrypted PEM private key")
            elif params["certificate_content"] is not None:
                certificate = _certificates(to_bytes(params["certificate_content"]))[0:1]
                if certificate and _public_bytes(certificate[0].public_key()) != _public_bytes(
                    key.public_key()
                ):
                    problems.append("certificate_content does not belong to private_key_content")
        for name in params["subject_alt_names"]:
            try:
                _general_name(name)
            except ValueError as error:
                problems.append(str(error))
        if params["issuer"] is not None and not params["subject_alt_names"]:
            problems.append(
                "subject_alt_names is empty; a certificate the issuer signs needs at least one name"
            )
        if not self.module.check_mode:
            try:
                grp.getgrnam(params["group"])
            except KeyError:
                if not params["group"].isdigit():
                    problems.append(f"no such group {params['group']!r}")
        if problems:
            self.module.fail_json(
                msg="Nothing was changed: " + "; ".join(problems), problems=problems
            )

    def attributes(self, path, mode):
        """Owner root, group the service's (root's for the private key); whether they changed."""
        group = "root" if mode == PRIVATE_MODE else self.params["group"]
        file_args = self.module.load_file_common_arguments(
            {"owner": "root", "group": group, "mode": mode}, path=path
        )
        return self.module.set_fs_attributes_if_different(file_args, False, expand=False)

    def directory(self):
        if os.path.isdir(self.path):
            if self.attributes(os.path.realpath(self.path), "0750"):
                self.changed_files.append(self.path)
            return
        self.changed_files.append(self.path)
        if not self.module.check_mode:
            os.makedirs(self.path)
            self.attributes(self.path, "0750")

    def write(self, name, data, mode, show_diff=False):
        """Write one file when its content differs; correct its attributes; whether it changed."""
        path = self.file(name)
        before = _read(path)
        content_changed = before != data
        if content_changed and show_diff:
            self.diff["before"] += f"# {path}\n" + to_text(before or b"")
            self.diff["after"] += f"# {path}\n" + to_text(data)
        if self.module.check_mode:
            changed = content_changed or (before is not None and self.attributes(path, mode))
        else:
            if content_changed:
                self._write_atomically(path, data)
            changed = self.attributes(path, mode) or content_changed
        if changed:
            self.changed_files.append(path)
        return content_changed

    def _write_atomically(self, path, data):
        if not os.path.isdir(self.path):
            return
        descriptor, temporary = tempfile.mkstemp(prefix=".tls-", dir=self.path)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
            self.module.atomic_move(temporary, path, unsafe_writes=False)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)


def _renewal_reasons(params, certificate, key, issuer, now):
    if certificate is None:
        return ["no certificate yet"]
    reasons = []
    not_after = _not_after(certificate)
    if not_after <= now + datetime.timedelta(days=params["renew_days"]):
        expires = not_after.strftime("%Y%m%d%H%M%SZ")
        reasons.append(f"it expires on {expires}, within {params['renew_days']} days")
    if key is not None and _public_bytes(certificate.public_key()) != _public_bytes(
        key.public_key()
    ):
        reasons.append("the key changed")
    if _certificate_names(certificate) != _normalized_names(params["subject_alt_names"]):
        reasons.append("its names changed")
    if _authority_key_identifier(certificate) != _key_identifier(issuer):
        reasons.append("another CA signed it")
    return reasons


def _request(params, key):
    # Most significant first (O, OU, CN), as openssl_csr writes it: the subject
    # then reads CN=...,OU=...,O=... in RFC 4514 order, which Kafka's principal
    # mapping rules match.
    subject = []
    if params["organization"]:
        subject.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, params["organization"]))
    if params["organizational_unit"]:
        subject.append(
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, params["organizational_unit"])
        )
    subject.append(x509.NameAttribute(NameOID.COMMON_NAME, params["common_name"]))
    builder = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name(subject))
        .add_extension(
            x509.SubjectAlternativeName(
                [_general_name(name) for name in params["subject_alt_names"]]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
    )
    return to_text(builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM))


def _keystore_matches(data, passphrase, key, certificate, others, *, friendly_name):
    """Whether the keystore holds exactly this key, certificate, CAs and entry name."""
    try:
        loaded = pkcs12.load_pkcs12(data, to_bytes(passphrase))
    except (ValueError, TypeError):
        return False
    if loaded.key is None or loaded.cert is None:
        return False
    if _private_bytes(loaded.key) != _private_bytes(key):
        return False
    if loaded.cert.certificate.public_bytes(serialization.Encoding.DER) != certificate.public_bytes(
        serialization.Encoding.DER
    ):
        return False
    if loaded.cert.friendly_name != to_bytes(friendly_name):
        return False
    loaded_others = {
        other.certificate.public_bytes(serialization.Encoding.DER)
        for other in loaded.additional_certs
    }
    return loaded_others == {other.public_bytes(serialization.Encoding.DER) for other in others}


def run(module):
    params = module.params
    identity = Identity(module)
    identity.validate()
    identity.directory()

    # The keystore's password: made once, kept.
    passphrase_data = _read(identity.file("key-password"))
    if passphrase_data is None:
        alphabet = string.ascii_letters + string.digits
        passphrase_data = to_bytes(
            "".join(secrets.choice(alphabet) for _position in range(PASSPHRASE_LENGTH))
        )
        passphrase_changed = identity.write("key-password", passphrase_data, "0640")
        passphrase = "" if module.check_mode else to_text(passphrase_data)
    else:
        passphrase_changed = identity.write("key-password", passphrase_data, "0640")
        passphrase = to_text(passphrase_data)

    # The private key: the operator's, or the one on the host, or a new one.
    current_key = _load_key(_read(identity.file("key.pem")))
    if params["private_key_content"] is not None:
        key = _load_key(to_bytes(params["private_key_content"]))
        key_data = to_bytes(params["private_key_content"])
    elif (
        current_key is not None
        and isinstance(current_key, rsa.RSAPrivateKey)
        and current_key.key_size == params["key_size"]
    ):
        key, key_data = current_key, _read(identity.file("key.pem"))
    else:
        key = (
            None
            if module.check_mode
            else rsa.generate_private_key(public_exponent=65537, key_size=params["key_size"])
        )
        key_data = _private_bytes(key) if key is not None else b"(a new key)"
    key_changed = identity.write("key.pem", key_data, PRIVATE_MODE)

    # The certificate: the one given, or the one on the host.
    if params["certificate_content"] is not None:
        certificate_data = to_bytes(params["certificate_content"])
        certificate_changed = identity.write("cert.pem", certificate_data, "0640", show_diff=True)
    else:
        certificate_data = _read(identity.file("cert.pem"))
        certificate_changed = False
        if certificate_data is not None:
            identity.write("cert.pem", certificate_data, "0640")
    certificate = _host_certificate(certificate_data)

    renewal_reasons = []
    csr = None
    if params["issuer"] is not None and params["certificate_content"] is None:
        issuer = _certificates(to_bytes(params["issuer"]))[0]
        now = datetime.datetime.now(datetime.timezone.utc)  # noqa: UP017
        renewal_reasons = _renewal_reasons(params, certificate, key, issuer, now)
        if key is None:
            renewal_reasons = renewal_reasons or ["the key changed"]
        if renewal_reasons and not module.check_mode:
            csr = _request(params, key)

    # The CAs this service trusts.
    trust_changed = False
    others = []
    if params["trusted_ca_content"] is not None:
        trusted_data = to_bytes(params["trusted_ca_content"])
        others = _certificates(trusted_data)
        trust_changed = identity.write("ca.pem", trusted_data, "0644", show_diff=True)

    # The keystore: built when it does not hold exactly this key, certificate and CAs.
    keystore_changed = False
    usable = (
        params["trusted_ca_content"] is not None
        and certificate is not None
        and key is not None
        and not renewal_reasons
        and _public_bytes(certificate.public_key()) == _public_bytes(key.public_key())
    )
    if usable:
        current = _read(identity.file("keystore.p12"))
        matches = (
            current is not None
            and not passphrase_changed
            and _keystore_matches(
                current, passphrase, key, certificate, others, friendly_name=params["common_name"]
            )
        )
        if matches:
            identity.write("keystore.p12", current, "0640")
        elif module.check_mode:
            keystore_changed = True
            identity.changed_files.append(identity.file("keystore.p12"))
        else:
            # What community.crypto.openssl_pkcs12 chooses by default, which Java 17 reads.
            encryption = (
                serialization.BestAvailableEncryption(to_bytes(passphrase))
                if passphrase
                else serialization.NoEncryption()
            )
            data = pkcs12.serialize_key_and_certificates(
                to_bytes(params["common_name"]), key, certificate, others, encryption
            )
            keystore_changed = identity.write("keystore.p12", data, "0640")
    elif module.check_mode and (
        key_changed or certificate_changed or trust_changed or renewal_reasons
    ):
        # The keystore follows the key, certificate and CAs of the real run.
        keystore_changed = True
        identity.changed_files.append(identity.file("keystore.p12"))

    result = dict(
        changed=bool(identity.changed_files),
        changed_files=identity.changed_files,
        key_changed=key_changed,
        certificate_changed=certificate_changed,
        trust_changed=trust_changed,
        keystore_changed=keystore_changed,
        renewal_reasons=renewal_reasons,
        passphrase=passphrase,
    )
    if csr is not None:
        result["csr"] = csr
    if module._diff and (identity.diff["before"] or identity.diff["after"]):
        result["diff"] = identity.diff
    module.exit_json(**result)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            group=dict(type="str", required=True),
            trusted_ca_content=dict(type="str"),
            private_key_content=dict(type="str", no_log=True),
            key_size=dict(type="int", default=3072),
            certificate_content=dict(type="str"),
            issuer=dict(type="str"),
            renew_days=dict(type="int", default=30),
            common_name=dict(type="str", required=True),
            organizational_unit=dict(type="str"),
            organization=dict(type="str", default="datapipe"),
            subject_alt_names=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    if CRYPTOGRAPHY_IMPORT_ERROR is not None:
        module.fail_json(
            msg=missing_required_lib("cryptography") + " Nothing was changed.",
            exception=CRYPTOGRAPHY_IMPORT_ERROR,
            missing_library=True,
        )
    try:
        run(module)
    except (OSError, ValueError) as error:
        module.fail_json(msg=to_native(error), exception=traceback.format_exc())


if __name__ == "__main__":
    main()
