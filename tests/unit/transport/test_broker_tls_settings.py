"""TLS to the broker is settled at the edge: files that exist and parse, a key that is the certificate's, an
amqps:// URL; every mistake is one clear settings error, and ``nsw`` shows it without a traceback."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from pydantic import ValidationError

from singlewindow.adapters.sdk.config_file import read_config_file
from singlewindow.adapters.sdk.discovery import discover
from singlewindow.adapters.sdk.runner import open_runtime
from singlewindow.platform.cli.main import cli
from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.settings import BrokerSettings, BrokerTlsSettings, Settings
from singlewindow.platform.testing.certificates import CertificateFiles, ScratchAuthority

URL = "amqps://localhost:5671/"


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> ScratchAuthority:
    return ScratchAuthority("home", tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def hub_files(authority: ScratchAuthority) -> CertificateFiles:
    return authority.client("nsw-hub")


def _tls(authority: ScratchAuthority, files: CertificateFiles, **extra: object) -> dict[str, object]:
    return {"ca_file": authority.ca_file, "cert_file": files.cert_file, "key_file": files.key_file, **extra}


def _refusal(**broker: object) -> str:
    with pytest.raises(ValidationError) as raised:
        BrokerSettings.model_validate(broker)
    (error,) = raised.value.errors()
    return str(error["msg"])


def test_environment_variables_give_an_x509_login(
    monkeypatch: pytest.MonkeyPatch, authority: ScratchAuthority, hub_files: CertificateFiles
) -> None:
    monkeypatch.setenv("NSW_BROKER__URL", URL)
    monkeypatch.setenv("NSW_BROKER__TLS__CA_FILE", str(authority.ca_file))
    monkeypatch.setenv("NSW_BROKER__TLS__CERT_FILE", str(hub_files.cert_file))
    monkeypatch.setenv("NSW_BROKER__TLS__KEY_FILE", str(hub_files.key_file))
    monkeypatch.setenv("NSW_BROKER__TLS__LOGIN_BY_CERTIFICATE", "true")
    tls = Settings().broker.tls
    assert tls.certificate_user == "nsw-hub"
    assert (tls.ca_file, tls.cert_file, tls.key_file) == (authority.ca_file, hub_files.cert_file, hub_files.key_file)


def test_the_context_wants_tls_1_2_a_verified_server_and_its_host_name(
    authority: ScratchAuthority, hub_files: CertificateFiles
) -> None:
    context = BrokerTlsSettings.model_validate(_tls(authority, hub_files)).context()
    assert context.minimum_version is ssl.TLSVersion.TLSv1_2
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert [c["subject"] for c in context.get_ca_certs()] == [((("commonName", "home test CA"),),)]


def test_a_password_login_over_tls_needs_no_certificate(authority: ScratchAuthority) -> None:
    tls = BrokerSettings(url=URL, tls=BrokerTlsSettings(ca_file=authority.ca_file)).tls
    assert (tls.certificate_user, tls.configured) == (None, True)


def test_a_missing_file_is_named(tmp_path: Path, authority: ScratchAuthority, hub_files: CertificateFiles) -> None:
    gone = tmp_path / "gone.pem"
    assert _refusal(url=URL, tls={"ca_file": gone}) == f"Value error, CA file {gone} does not exist or is not a file"
    assert _refusal(url=URL, tls=_tls(authority, hub_files, key_file=gone)) == (
        f"Value error, client key {gone} does not exist or is not a file"
    )


def test_a_ca_file_that_is_no_certificate_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "ca.pem"
    junk.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    message = _refusal(url=URL, tls={"ca_file": junk})
    assert message.startswith(f"Value error, CA file {junk} holds no usable PEM certificate: ")


def test_a_key_of_another_certificate_is_refused(authority: ScratchAuthority, hub_files: CertificateFiles) -> None:
    other = authority.client("nsw-customs")
    message = _refusal(url=URL, tls=_tls(authority, hub_files, key_file=other.key_file))
    assert message.startswith(
        f"Value error, client certificate {hub_files.cert_file} with key {other.key_file} cannot be used: "
        "X509: KEY_VALUES_MISMATCH"
    )


def test_an_oversized_file_is_not_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.pem"
    huge.write_bytes(b"-" * (1024 * 1024 + 1))
    assert _refusal(url=URL, tls={"ca_file": huge}) == (
        f"Value error, CA file {huge} is 1048577 bytes, more than 1048576: not a PEM file"
    )


def test_tls_settings_need_an_amqps_url(authority: ScratchAuthority) -> None:
    expected = "Value error, broker.tls is set but broker.url is not amqps://host:5671/...: TLS settings need TLS"
    assert _refusal(url="amqp://localhost:5672/", tls={"ca_file": authority.ca_file}) == expected
    assert _refusal(tls={"ca_file": authority.ca_file}) == expected


def test_x509_login_needs_a_certificate_and_a_key_needs_its_certificate(
    authority: ScratchAuthority, hub_files: CertificateFiles
) -> None:
    assert _refusal(url=URL, tls={"login_by_certificate": True}) == (
        "Value error, broker.tls.login_by_certificate needs broker.tls.cert_file (the CN is the broker user)"
    )
    assert _refusal(url=URL, tls={"key_file": hub_files.key_file}) == (
        "Value error, broker.tls.key_file is set without broker.tls.cert_file"
    )


def test_nsw_reports_bad_tls_settings_in_one_message(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NSW_BROKER__URL", URL)
    monkeypatch.setenv("NSW_BROKER__TLS__CA_FILE", str(tmp_path / "ca.pem"))
    result = CliRunner().invoke(cli, ["topology", "show"])
    assert result.exit_code == 2
    assert f"CA file {tmp_path / 'ca.pem'} does not exist or is not a file" in result.output
    assert "Traceback" not in result.output


async def test_an_adapter_refuses_a_certificate_of_another_broker_user(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, authority: ScratchAuthority, hub_files: CertificateFiles
) -> None:
    """``nsw adapter run`` logs in as its agency's user: the hub's certificate is refused before any dialling."""
    monkeypatch.setenv("NSW_BROKER__URL", "amqps://localhost:1/")
    for name, value in _tls(authority, hub_files, login_by_certificate=True).items():
        monkeypatch.setenv(f"NSW_BROKER__TLS__{name.upper()}", str(value))
    config = tmp_path / "sanitary.toml"
    config.write_text(f'[adapter]\ndatabase_url = "sqlite:///{tmp_path / "agency.db"}"\n')
    with pytest.raises(ConfigurationError) as refused:
        async with open_runtime(discover().get("sanitary-table"), Settings(), read_config_file(config), "test"):
            pass
    assert refused.value.message == (
        "this process logs in as broker user 'nsw-agency-sanitary', but broker.tls.cert_file is "
        "'nsw-hub''s certificate (x509 login takes the user from the CN): give it a certificate with "
        "CN=nsw-agency-sanitary"
    )


def test_an_encrypted_key_needs_its_password(
    tmp_path: Path, authority: ScratchAuthority, hub_files: CertificateFiles
) -> None:
    key = serialization.load_pem_private_key(hub_files.key_file.read_bytes(), password=None)
    sealed = tmp_path / "sealed.key"
    sealed.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"right"),
        )
    )
    files = CertificateFiles(hub_files.cert_file, sealed)
    assert BrokerTlsSettings.model_validate(_tls(authority, files, key_password="right")).cert_file == files.cert_file
    message = _refusal(url=URL, tls=_tls(authority, files, key_password="wrong"))
    assert message.startswith(f"Value error, client certificate {files.cert_file} with key {sealed} cannot be used: ")
    assert _refusal(url=URL, tls=_tls(authority, files)) == (
        f"Value error, client key {sealed} is encrypted: set broker.tls.key_password"
    )
