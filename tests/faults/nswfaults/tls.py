"""A private RabbitMQ node that speaks AMQP only over TLS and logs clients in by their certificate.

A sibling of ``PrivateRabbit`` (same temporary folder, own node name and ports, never the shared broker):
no plain listener, ``verify_peer`` with ``fail_if_no_peer_cert`` (no client certificate, no connection), and
SASL EXTERNAL only, from the ``rabbitmq_auth_mechanism_ssl`` plugin this harness enables, with the broker
user taken from the certificate's CN. The management API answers HTTPS with the same server certificate,
and plain HTTP on 127.0.0.1 for the harness's own set-up.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from nswfaults.services import PLUGINS, PrivateRabbit, free_port
from singlewindow.platform.testing.certificates import CertificateFiles, ScratchAuthority

TLS_PLUGINS = (*PLUGINS, "rabbitmq_auth_mechanism_ssl")


@dataclass
class TlsRabbit(PrivateRabbit):
    """Give it the CA that signs its clients and its own server certificate before ``prepare()``."""

    authority: ScratchAuthority | None = None
    server: CertificateFiles | None = None
    tls_port: int = field(default_factory=free_port)
    management_tls_port: int = field(default_factory=free_port)

    def amqps_url(self, vhost: str = "") -> str:
        return f"amqps://localhost:{self.tls_port}/{vhost}"

    @property
    def management_https_url(self) -> str:
        return f"https://localhost:{self.management_tls_port}"

    def _environment(self) -> dict[str, str]:
        environment = super()._environment()
        del environment["RABBITMQ_NODE_PORT"]  # it would open the plain listener the config turns off
        return environment

    def prepare(self) -> None:
        if self.authority is None or self.server is None:
            raise RuntimeError("TlsRabbit needs its authority and server certificate before prepare()")
        super().prepare()
        pki = self.base / "pki"
        pki.mkdir()
        ca, cert, key = (
            _copy(source, pki) for source in (self.authority.ca_file, self.server.cert_file, self.server.key_file)
        )
        (self.base / "enabled_plugins").write_text(f"[{','.join(TLS_PLUGINS)}].\n")
        (self.base / "rabbitmq.conf").write_text(
            "listeners.tcp = none\n"
            f"listeners.ssl.1 = 127.0.0.1:{self.tls_port}\n"
            f"ssl_options.cacertfile = {ca}\nssl_options.certfile = {cert}\nssl_options.keyfile = {key}\n"
            "ssl_options.verify = verify_peer\nssl_options.fail_if_no_peer_cert = true\n"
            "ssl_options.versions.1 = tlsv1.3\nssl_options.versions.2 = tlsv1.2\n"
            "auth_mechanisms.1 = EXTERNAL\nssl_cert_login_from = common_name\n"
            f"management.tcp.ip = 127.0.0.1\nmanagement.tcp.port = {self.management_port}\n"
            f"management.ssl.ip = 127.0.0.1\nmanagement.ssl.port = {self.management_tls_port}\n"
            f"management.ssl.cacertfile = {ca}\nmanagement.ssl.certfile = {cert}\nmanagement.ssl.keyfile = {key}\n"
            "collect_statistics_interval = 500\nloopback_users = none\n"
        )
        subprocess.run(["chown", "-R", "rabbitmq:rabbitmq", str(self.base)], check=True)


def _copy(source: Path, folder: Path) -> Path:
    target = folder / source.name
    target.write_bytes(source.read_bytes())
    return target
