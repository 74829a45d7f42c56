"""TLS on both registry listeners when a certificate and key are configured; tokens never travel in clear."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import socket
import ssl
from pathlib import Path

import grpc
import httpx
import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import ValidationError

from singlewindow.platform.cli.main import cli
from singlewindow.registry.grpc_api import build_grpc_listener, server_credentials
from singlewindow.registry.proto import registry_pb2 as pb
from singlewindow.registry.proto import registry_pb2_grpc
from singlewindow.registry.server import build_server
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings


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
    cert_file, key_file = folder / "registry.pem", folder / "registry.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_rest_and_grpc_serve_tls(guarded: RegistryService, tmp_path: Path) -> None:
    cert_file, key_file = self_signed(tmp_path)
    settings = guarded.settings.model_copy(
        update={"tls_cert_file": cert_file, "tls_key_file": key_file, "http_port": free_port()}
    )
    listener = build_grpc_listener(guarded, "127.0.0.1", 0, server_credentials(settings))
    await listener.start()
    server = build_server(guarded, settings)
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(500):  # uvicorn offers no started event
            if server.started:
                break
            await asyncio.sleep(0.02)
        credentials = grpc.ssl_channel_credentials(root_certificates=cert_file.read_bytes())
        async with grpc.aio.secure_channel(f"localhost:{listener.port}", credentials) as channel:
            stub = registry_pb2_grpc.RegistryServiceStub(channel)  # type: ignore[no-untyped-call]
            assert list((await stub.ListSchemaTypes(pb.ListSchemaTypesRequest())).schema_types) == [pb.AVRO, pb.JSON]
        trusted = ssl.create_default_context(cafile=str(cert_file))
        async with httpx.AsyncClient(verify=trusted) as http:
            assert (await http.get(f"https://127.0.0.1:{settings.http_port}/schemas/types")).json() == ["AVRO", "JSON"]
        async with httpx.AsyncClient() as plain:
            with pytest.raises(httpx.HTTPError):
                await plain.get(f"http://127.0.0.1:{settings.http_port}/schemas/types")
    finally:
        server.should_exit = True
        await serving
        await listener.stop(0)


def test_a_certificate_needs_its_key(tmp_path: Path) -> None:
    cert_file, _ = self_signed(tmp_path)
    with pytest.raises(ValidationError, match="both"):
        RegistrySettings(tls_cert_file=cert_file)
    result = CliRunner().invoke(cli, ["registry", "serve", "--tls-cert", str(cert_file)])
    assert result.exit_code == 2 and "both" in result.output
