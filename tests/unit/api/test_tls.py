"""TLS on both listeners when a certificate and key are configured (a self-signed one made here)."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from pathlib import Path

import grpc
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from grpc_health.v1 import health_pb2, health_pb2_grpc

from singlewindow.platform.api.grpc_server import build_grpc_listener, server_credentials
from singlewindow.platform.api.http_app import build_http_app
from singlewindow.platform.api.http_server import HttpListener
from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.settings import HubSettings

from .conftest import Env


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "hub.pem", folder / "hub.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


async def test_grpc_and_http_serve_tls(env: Env, tmp_path: Path) -> None:
    cert_file, key_file = self_signed(tmp_path)
    settings = HubSettings(tls_cert_file=cert_file, tls_key_file=key_file)
    grpc_listener = build_grpc_listener(env.api, settings, port=0)
    await grpc_listener.start()
    http_listener = HttpListener(
        build_http_app(env.api, asyncio.Event()), "127.0.0.1", 0, tls_cert_file=cert_file, tls_key_file=key_file
    )
    await http_listener.start()
    try:
        credentials = grpc.ssl_channel_credentials(root_certificates=cert_file.read_bytes())
        async with grpc.aio.secure_channel(f"localhost:{grpc_listener.port}", credentials) as channel:
            reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
        trusted = ssl.create_default_context(cafile=str(cert_file))
        async with httpx.AsyncClient(verify=trusted) as http:
            response = await http.get(
                f"https://127.0.0.1:{http_listener.port}/v1/submissions", headers=env.headers("trader-a")
            )
            assert response.status_code == 200
        async with httpx.AsyncClient() as plain:
            with pytest.raises(httpx.HTTPError):
                await plain.get(f"http://127.0.0.1:{http_listener.port}/healthz")
    finally:
        await http_listener.stop()
        await grpc_listener.stop(0)


def test_a_certificate_without_its_key_is_a_configuration_error(tmp_path: Path) -> None:
    cert_file, _ = self_signed(tmp_path)
    with pytest.raises(ConfigurationError, match="both"):
        server_credentials(HubSettings(tls_cert_file=cert_file))
    with pytest.raises(ConfigurationError, match="cannot read"):
        server_credentials(HubSettings(tls_cert_file=tmp_path / "missing.pem", tls_key_file=tmp_path / "missing.key"))
