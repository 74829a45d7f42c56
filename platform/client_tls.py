"""The client side of TLS to the broker: an ``ssl.SSLContext`` from PEM files, and who a certificate names.

Kept apart from the settings and the transport so both use the same code: the settings check the files once
at the edge (they exist, parse, and the key belongs to the certificate) by building the context, and the
transport builds it again when it connects. Nothing here imports pika.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from singlewindow.platform.errors import ConfigurationError

MAX_PEM_BYTES = 1024 * 1024
"""A certificate file larger than this is not a certificate: refused before it is read into memory."""


def client_context(
    ca_file: Path | None, cert_file: Path | None, key_file: Path | None, key_password: str | None
) -> ssl.SSLContext:
    """TLS 1.2 or later; the server's certificate must chain to ``ca_file`` (the system's trust store when
    unset) and name the host dialled; ``cert_file``/``key_file`` is the client certificate, if any."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED and check_hostname
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if ca_file is None:
        context.load_default_certs(ssl.Purpose.SERVER_AUTH)
    else:  # only this CA: a certificate any public CA issued for the broker's name must not pass
        _check_file(ca_file, "CA file")
        try:
            context.load_verify_locations(cafile=str(ca_file))
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"CA file {ca_file} holds no usable PEM certificate: {_reason(exc)}") from exc
    if cert_file is not None:
        _check_file(cert_file, "client certificate")
        if key_file is not None:
            _check_file(key_file, "client key")
        asked: list[bool] = []

        def no_password() -> str:  # else OpenSSL prompts on the terminal and a service hangs at start
            asked.append(True)
            return ""

        try:
            key = None if key_file is None else str(key_file)
            context.load_cert_chain(str(cert_file), key, key_password if key_password is not None else no_password)
        except (OSError, ValueError) as exc:
            if asked:
                raise ConfigurationError(
                    f"client key {key_file or cert_file} is encrypted: set broker.tls.key_password"
                ) from exc
            raise ConfigurationError(
                f"client certificate {cert_file} with key {key_file or cert_file} cannot be used: {_reason(exc)} "
                "(both PEM, the key unencrypted or with broker.tls.key_password, and the key the certificate's)"
            ) from exc
    return context


def certificate_common_name(cert_file: Path) -> str:
    """The subject CN of the first certificate in ``cert_file``: the broker user of an x509 login (RabbitMQ's
    ``ssl_cert_login_from = common_name``)."""
    from cryptography import x509  # only with an x509 login: it costs every nsw command ~0.1 s to import
    from cryptography.x509.oid import NameOID

    _check_file(cert_file, "client certificate")
    try:
        certificate = x509.load_pem_x509_certificate(cert_file.read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"client certificate {cert_file} is not a PEM certificate: {exc}") from exc
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if len(names) != 1 or not isinstance(names[0].value, str) or not names[0].value:
        raise ConfigurationError(
            f"client certificate {cert_file} must name exactly one subject CN (the broker user); "
            f"its subject is {certificate.subject.rfc4514_string()!r}"
        )
    return names[0].value


def _check_file(path: Path, what: str) -> None:
    if not path.is_file():
        raise ConfigurationError(f"{what} {path} does not exist or is not a file")
    size = path.stat().st_size
    if size > MAX_PEM_BYTES:
        raise ConfigurationError(f"{what} {path} is {size} bytes, more than {MAX_PEM_BYTES}: not a PEM file")


def _reason(exc: Exception) -> str:
    """OpenSSL's own words (``[SSL] PEM lib``, ``KEY_VALUES_MISMATCH``) without Python's wrapping."""
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return f"{exc.library or 'SSL'}: {exc.reason}"
    return str(exc) or type(exc).__name__
