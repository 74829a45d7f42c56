"""How the RabbitMQ transport dials with TLS settings (no broker needed): its own context for amqps://, the
x509 login as the certificate's CN, a clear refusal when a process's certificate names another user, and
OpenSSL's handshake reasons turned into errors an operator can act on."""

from __future__ import annotations

from pathlib import Path

import pika
import pytest

from singlewindow.platform.errors import BrokerUnavailable, ConfigurationError, Unauthenticated
from singlewindow.platform.settings import BrokerTlsSettings
from singlewindow.platform.testing.certificates import CertificateFiles, ScratchAuthority
from singlewindow.platform.transport.rabbitmq import _secure, translate
from singlewindow.platform.transport.tls_refusals import tls_refusal


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> ScratchAuthority:
    return ScratchAuthority("home", tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def customs(authority: ScratchAuthority) -> CertificateFiles:
    return authority.client("nsw-agency-customs")


def _x509(authority: ScratchAuthority, files: CertificateFiles) -> BrokerTlsSettings:
    return BrokerTlsSettings(
        ca_file=authority.ca_file, cert_file=files.cert_file, key_file=files.key_file, login_by_certificate=True
    )


def test_an_x509_login_sends_no_password_and_is_the_certificates_cn(
    authority: ScratchAuthority, customs: CertificateFiles
) -> None:
    parameters = pika.URLParameters("amqps://ignored:secret@broker.example:5671/%2F")
    assert _secure(parameters, _x509(authority, customs), None) == "nsw-agency-customs"
    assert isinstance(parameters.credentials, pika.credentials.ExternalCredentials)
    assert parameters.ssl_options.server_hostname == "broker.example"
    context = parameters.ssl_options.context
    assert [c["subject"] for c in context.get_ca_certs()] == [((("commonName", "home test CA"),),)]


def test_the_user_a_process_must_be_has_to_be_its_certificates_cn(
    authority: ScratchAuthority, customs: CertificateFiles
) -> None:
    parameters = pika.URLParameters("amqps://broker.example/")
    assert _secure(parameters, _x509(authority, customs), "nsw-agency-customs") == "nsw-agency-customs"
    with pytest.raises(ConfigurationError) as refused:
        _secure(pika.URLParameters("amqps://broker.example/"), _x509(authority, customs), "nsw-agency-sanitary")
    assert refused.value.message == (
        "this process logs in as broker user 'nsw-agency-sanitary', but broker.tls.cert_file is "
        "'nsw-agency-customs''s certificate (x509 login takes the user from the CN): give it a certificate with "
        "CN=nsw-agency-sanitary"
    )


def test_a_password_login_over_tls_keeps_its_user(authority: ScratchAuthority) -> None:
    parameters = pika.URLParameters("amqps://hub:secret@broker.example/")
    assert _secure(parameters, BrokerTlsSettings(ca_file=authority.ca_file), None) == "hub"
    assert isinstance(parameters.credentials, pika.PlainCredentials)
    assert parameters.ssl_options.context.get_ca_certs()[0]["subject"] == ((("commonName", "home test CA"),),)


def test_plain_amqp_stays_plain() -> None:
    parameters = pika.URLParameters("amqp://guest:guest@127.0.0.1:5672/")
    assert (_secure(parameters, BrokerTlsSettings(), None), parameters.ssl_options) == ("guest", None)


def test_a_certificate_file_removed_after_start_up_is_a_clear_error(tmp_path: Path) -> None:
    authority = ScratchAuthority("short-lived", tmp_path)
    tls = BrokerTlsSettings(ca_file=authority.ca_file)
    authority.ca_file.unlink()
    with pytest.raises(ConfigurationError) as refused:
        _secure(pika.URLParameters("amqps://broker.example/"), tls, None)
    assert refused.value.message == f"CA file {authority.ca_file} does not exist or is not a file"


_WRAPPED = "IncompatibleProtocolError: ('StreamLostError: (\"Stream connection lost: SSLError(1, \\'{}\\')\",)',)"


@pytest.mark.parametrize(
    ("reason", "error", "message"),
    [
        (
            "[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required (_ssl.c:2580)",
            Unauthenticated,
            "the broker wants a client certificate and got none: set broker.tls.cert_file and broker.tls.key_file "
            "(tlsv13 alert certificate required)",
        ),
        (
            "[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure (_ssl.c:1006)",
            Unauthenticated,
            "the broker ended the TLS handshake: it wants a client certificate, or we share no TLS version with it "
            "(sslv3 alert handshake failure)",
        ),
        (
            "[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca (_ssl.c:2580)",
            Unauthenticated,
            "the broker refused our client certificate (it must be issued by a CA the broker trusts, and valid) "
            "(tlsv1 alert unknown ca)",
        ),
        (
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not "
            "valid for 'broker.example'. (_ssl.c:1006)",
            ConfigurationError,
            "the broker's certificate is not trusted: it must chain to broker.tls.ca_file and name the URL's host "
            "(certificate verify failed: Hostname mismatch, certificate is not valid for 'broker.example'.)",
        ),
        (
            "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)",
            ConfigurationError,
            "the broker did not answer in TLS: is the amqps:// URL's port a TLS listener (usually 5671)? "
            "(wrong version number)",
        ),
    ],
)
def test_handshake_refusals_are_named(reason: str, error: type[Exception], message: str) -> None:
    refusal = tls_refusal(_WRAPPED.format(reason))
    assert (type(refusal), refusal and refusal.message) == (error, message)


def test_a_hang_up_during_the_amqp_handshake_hints_at_a_tls_port_but_stays_retryable() -> None:
    refusal = translate(pika.exceptions.IncompatibleProtocolError("StreamLostError: ('Connection reset by peer',)"))
    assert isinstance(refusal, BrokerUnavailable)
    assert "a TLS listener does that to plain AMQP" in refusal.message


def test_other_connection_problems_are_left_as_they_were() -> None:
    assert tls_refusal("AMQPConnectionError: ConnectionRefusedError(111, 'Connection refused')") is None
