"""Certificates made at test time: a CA, server certificates for a host, client certificates for a user.

TLS tests need a CA the test trusts, a broker certificate for ``localhost``, a client certificate whose CN
is the broker user (x509 login), and a second, foreign CA whose certificates must be refused. Keys never get
committed: every run makes its own (EC P-256: quick to make, accepted by OpenSSL and Erlang alike).
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_LIFETIME = datetime.timedelta(days=2)


@dataclass(frozen=True)
class CertificateFiles:
    """A certificate and its private key, each a PEM file."""

    cert_file: Path
    key_file: Path


class ScratchAuthority:
    """A CA that lives for one test run; its certificate is ``ca_file`` in ``folder``."""

    def __init__(self, name: str, folder: Path) -> None:
        self.name = name
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._key = ec.generate_private_key(ec.SECP256R1())
        subject = _name(f"{name} test CA")
        self._certificate = (
            _builder(subject, subject, self._key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(cert_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        self.ca_file = folder / f"{name}-ca.pem"
        self.ca_file.write_bytes(self._certificate.public_bytes(serialization.Encoding.PEM))

    def server(self, host: str = "localhost", addresses: tuple[str, ...] = ("127.0.0.1",)) -> CertificateFiles:
        """A server certificate naming ``host`` and ``addresses`` (what a client's hostname check compares)."""
        names: list[x509.GeneralName] = [x509.DNSName(host)]
        names += [x509.IPAddress(ipaddress.ip_address(address)) for address in addresses]
        return self._issue(host, x509.SubjectAlternativeName(names), ExtendedKeyUsageOID.SERVER_AUTH)

    def client(self, common_name: str) -> CertificateFiles:
        """A client certificate whose CN is ``common_name``: the broker user of an x509 login."""
        return self._issue(common_name, None, ExtendedKeyUsageOID.CLIENT_AUTH)

    def _issue(
        self, common_name: str, alternative_names: x509.SubjectAlternativeName | None, purpose: x509.ObjectIdentifier
    ) -> CertificateFiles:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            _builder(_name(common_name), self._certificate.subject, key.public_key())
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(cert_sign=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([purpose]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), critical=False)
        )
        if alternative_names is not None:
            builder = builder.add_extension(alternative_names, critical=False)
        certificate = builder.sign(self._key, hashes.SHA256())
        stem = self.folder / f"{self.name}-{common_name}"
        files = CertificateFiles(stem.with_name(f"{stem.name}.pem"), stem.with_name(f"{stem.name}.key"))
        files.cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        files.key_file.touch(mode=0o600)
        files.key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        return files


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + _LIFETIME)
    )


def _usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=not cert_sign,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
