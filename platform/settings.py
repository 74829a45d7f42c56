"""Settings, validated once at the edge and passed inward as small typed objects.

Every value can come from an ``NSW_`` environment variable (nested with ``__``, e.g.
``NSW_BROKER__URL``) or from a TOML file named by ``NSW_CONFIG_FILE``; variables win over the file.
Components receive only their own part (``settings.broker``, ``settings.database``...), never the whole.
"""

from __future__ import annotations

import os
import ssl
from pathlib import Path
from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from singlewindow.platform.client_tls import certificate_common_name, client_context
from singlewindow.platform.errors import ConfigurationError

LogFormat = Literal["auto", "json", "console"]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BrokerTlsSettings(_Part):
    """TLS to the broker (an ``amqps://`` URL): whom to trust and, for an x509 login, who this process is.

    The files are checked here, once (they exist, parse, the key is the certificate's), so a wrong path is
    one clear settings error, not a failed handshake at the first reconnect.
    """

    ca_file: Path | None = Field(
        default=None, description="PEM CA certificate(s) the broker's certificate must chain to; unset: the system's."
    )
    cert_file: Path | None = Field(default=None, description="PEM client certificate (its CN is the broker user).")
    key_file: Path | None = Field(default=None, description="PEM private key of cert_file; unset: inside cert_file.")
    key_password: SecretStr | None = Field(default=None, description="Only for an encrypted key_file.")
    login_by_certificate: bool = Field(
        default=False,
        description="Log in with SASL EXTERNAL: the broker takes the user from the certificate's CN, no password "
        "is sent (RabbitMQ's rabbitmq_auth_mechanism_ssl plugin, ssl_cert_login_from = common_name).",
    )

    @property
    def configured(self) -> bool:
        return any(v is not None for v in (self.ca_file, self.cert_file, self.key_file)) or self.login_by_certificate

    @property
    def certificate_user(self) -> str | None:
        """The broker user an x509 login becomes (the certificate's CN); None with a password login."""
        return certificate_common_name(self.cert_file) if self.login_by_certificate and self.cert_file else None

    def context(self) -> ssl.SSLContext:
        """A new client context from these files (TLS 1.2+, the server verified against ``ca_file``)."""
        password = None if self.key_password is None else self.key_password.get_secret_value()
        return client_context(self.ca_file, self.cert_file, self.key_file, password)

    @model_validator(mode="after")
    def _files_usable(self) -> Self:
        if not self.configured:
            return self  # plain amqps:// with the system's CAs: nothing of ours to check
        if self.key_file is not None and self.cert_file is None:
            raise ValueError("broker.tls.key_file is set without broker.tls.cert_file")
        if self.login_by_certificate and self.cert_file is None:
            raise ValueError("broker.tls.login_by_certificate needs broker.tls.cert_file (the CN is the broker user)")
        try:
            self.context()
            self.certificate_user  # noqa: B018 (reads the CN: a certificate without one is refused here)
        except ConfigurationError as exc:
            raise ValueError(exc.message) from exc
        return self


class BrokerSettings(_Part):
    """Where the AMQP broker is and how hard to lean on it."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)  # URLs carry passwords

    url: str | None = Field(
        default=None,
        description="AMQP URL (amqp://user:pass@host:5672/vhost, amqps://host:5671/vhost for TLS); unset means the "
        "in-memory transport.",
    )
    urls: tuple[str, ...] = Field(
        default=(),
        description="The other nodes of the same RabbitMQ cluster (AMQP URLs, JSON list in NSW_BROKER__URLS); "
        "the transport tries url, then these in turn, and reconnects to the next node when one goes away.",
    )
    management_url: str = "http://127.0.0.1:15672"
    management_user: str = "guest"
    management_password: SecretStr = SecretStr("guest")
    vhost: str = "/"
    prefetch: int = Field(default=50, ge=1, le=10_000)
    confirm_window: int = Field(default=256, ge=1, le=65_535, description="Unconfirmed publishes in flight.")
    heartbeat_seconds: int = Field(default=30, ge=0)
    reconnect_max_seconds: float = Field(default=30.0, gt=0)
    tls: BrokerTlsSettings = Field(
        default=BrokerTlsSettings(), description="Used with an amqps:// URL (docs/operations.md: TLS to the broker)."
    )

    @model_validator(mode="after")
    def _tls_matches_url(self) -> Self:
        if self.tls.configured and (self.url is None or urlsplit(self.url).scheme != "amqps"):
            raise ValueError("broker.tls is set but broker.url is not amqps://host:5671/...: TLS settings need TLS")
        if self.tls.configured and any(urlsplit(url).scheme != "amqps" for url in self.urls):
            raise ValueError("broker.tls is set but a broker.urls entry is not amqps://: every node needs TLS")
        return self

    @field_validator("urls")
    @classmethod
    def _amqp_only(cls, urls: tuple[str, ...]) -> tuple[str, ...]:
        for number, url in enumerate(urls, 1):
            scheme = urlsplit(url).scheme  # only the scheme is quoted back: the URL may carry a password
            if scheme not in ("amqp", "amqps"):
                raise ValueError(f"broker.urls entry {number} has scheme {scheme!r}; expected amqp or amqps")
        return urls

    @model_validator(mode="after")
    def _urls_need_url(self) -> Self:
        if self.urls and not self.url:
            raise ValueError("broker.urls names further cluster nodes: broker.url (the first node) must be set too")
        return self

    @property
    def node_urls(self) -> tuple[str, ...]:
        """Every node's AMQP URL in the order the transport tries them; empty without a broker."""
        return (self.url, *self.urls) if self.url else ()


class DatabaseSettings(_Part):
    url: str = Field(
        default="sqlite+aiosqlite:///nsw.db",
        description="SQLAlchemy URL; PostgreSQL (postgresql+asyncpg://...) for more than one hub process.",
    )


class RegistryClientSettings(_Part):
    url: str | None = Field(default=None, description="Registry REST URL; unset means load specs in process.")


class LimitSettings(_Part):
    max_document_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    max_attachment_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)


class AttachmentSettings(_Part):
    """Where attachment files are kept (by SHA-256); their size limit is ``limits.max_attachment_bytes``."""

    folder: Path = Field(default=Path("nsw-attachments"), description="Folder of the blob store.")


class OfficerSettings(_Part):
    """The officer queue: how long a pulled document stays with one officer before others may take it."""

    claim_seconds: float = Field(default=900.0, gt=0, le=86_400)


class TopologySettings(_Part):
    """Limits written into the queue policies by ``nsw topology declare`` (DESIGN.md: Reliability design)."""

    delivery_limit: int = Field(
        default=20, ge=20, description="At least 20: on RabbitMQ 3.10 every redelivery counts, even after a lost link."
    )
    inbox_max_length: int = Field(default=100_000, ge=1)
    hub_max_length: int = Field(default=1_000_000, ge=1)
    wait_max_length: int = Field(default=100_000, ge=1)
    dlq_max_length: int = Field(default=1_000_000, ge=1)
    verify_timeout_seconds: float = Field(
        default=30.0, gt=0, description="How long to wait for the management API to report effective policies."
    )


class FeeSettings(_Part):
    """Fees and payments (docs/payments.md): off by default, so a hub without fees behaves as it always did."""

    enabled: bool = Field(default=False, description="Price routed submissions and hold release until paid.")
    schedules_dir: Path | None = Field(default=None, description="Fee schedules folder; unset uses the shipped one.")
    creditor_name: str = Field(default="State Revenue Committee", min_length=1, max_length=140)
    creditor_account: str = Field(default="KZ000000000000000000", min_length=1, max_length=34, description="IBAN.")
    creditor_bic: str | None = Field(default=None, max_length=11)
    provider: Literal["none", "embedded", "iso20022"] = Field(
        default="none",
        description="How traders pay: none (invoices shown, paying refused), embedded (books at once: demos and "
        "tests only), iso20022 (pain.001 files into bank_outbox, camt.054 notifications read from bank_inbox).",
    )
    bank_outbox: Path | None = Field(default=None, description="iso20022: folder the pain.001 files are written to.")
    bank_inbox: Path | None = Field(default=None, description="iso20022: folder the bank's camt.054 files arrive in.")
    notices_poll_seconds: float = Field(
        default=10.0, gt=0, le=3600, description="How often a served hub reads the provider's new notices."
    )

    @model_validator(mode="after")
    def _bank_folders(self) -> Self:
        if self.provider == "iso20022" and (self.bank_outbox is None or self.bank_inbox is None):
            raise ValueError("fees.provider iso20022 needs fees.bank_outbox and fees.bank_inbox")
        return self


class HubSettings(_Part):
    """The hub process: what traders may submit, its listeners, and how often it scans deadlines."""

    submittable_types: tuple[str, ...] = Field(
        default=(
            "consignment",
            "cargo-manifest",
            "control-result",
            "phytosanitary-certificate",
            "tir-transit-declaration",
            "transit-termination-notice",
            "passenger-currency-declaration",
        ),
        description="Document types Submit accepts (each needs routing rules): the consignment, and what "
        "carriers, officers and travellers submit for a neighbouring single window (or a partner brings).",
    )
    host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65_535)
    grpc_port: int = Field(default=50061, ge=0, le=65_535)
    metrics_port: int = Field(default=9108, ge=0, le=65_535, description="Prometheus metrics; 0 disables.")
    tls_cert_file: Path | None = Field(default=None, description="PEM certificate; with tls_key_file enables TLS.")
    tls_key_file: Path | None = None
    routing_dir: Path | None = Field(default=None, description="Routing data folder; unset uses the shipped one.")
    status_keys_dir: Path = Field(
        default=Path("./var/status-keys"),
        description="The hub's Ed25519 keys signing status proofs (the decision's QR code); made on first use.",
    )
    deadline_scan_seconds: float = Field(default=5.0, gt=0)
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    prefetch: int = Field(default=100, ge=1, le=1000)
    batch_size: int = Field(
        default=100, ge=1, le=1000, description="Most deliveries one consumer applies in one transaction."
    )


class HttpSettings(_Part):
    """Limits of the hub's HTTP listener against slow and greedy clients (docs/security.md). Only reading a
    request is timed; a long response (a Watch stream) is never cut."""

    header_timeout_seconds: float = Field(default=10.0, gt=0, le=300, description="To receive a request head.")
    body_timeout_seconds: float = Field(
        default=120.0, gt=0, le=3600, description="To receive a request body after its head (uploads included)."
    )
    keep_alive_seconds: int = Field(default=5, ge=1, le=300, description="Idle time between requests.")
    max_connections: int = Field(default=1000, ge=1, description="In total; beyond it requests get 503.")
    max_connections_per_client: int = Field(
        default=100, ge=1, description="Per client address (a proxy in front counts as one client); then 429."
    )


class GatewaySettings(_Part):
    """The cross-border gateway of this deployment: who we are on the link and where our signing keys live.

    The partners' side (their keys, the createdAt window) is in their profiles, not here.
    """

    keys_dir: Path = Field(
        default=Path("./var/gateway-keys"), description="Our private signing keys (mode 0700) and keys.json."
    )
    partners_dir: Path | None = Field(default=None, description="Partner profiles; unset uses message_specs/partners.")
    country: str = Field(default="KZ", pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code of this hub.")
    hub_id: str = Field(default="kz-nsw", pattern=r"^[a-z][a-z0-9-]{1,31}$", description="This hub's id on the link.")


class WebSettings(_Part):
    """The web portal (``nsw portal serve``): where it listens, which hub HTTP API it speaks to, its cookie."""

    host: str = "127.0.0.1"
    port: int = Field(default=8088, ge=0, le=65_535)
    hub_url: str | None = Field(
        default=None, description="The hub's HTTP API; unset: `nsw portal serve` runs an embedded demo hub."
    )
    session_key: SecretStr | None = Field(
        default=None,
        description="Fernet key (32 url-safe base64 bytes) sealing the session cookie; unset: a new key per "
        "process (sessions end on restart). Every portal process behind one name needs the same key.",
    )
    session_hours: float = Field(default=8.0, gt=0, le=24 * 7, description="A sign-in lasts this long.")
    secure_cookies: bool = Field(default=False, description="Mark the cookie Secure (the portal is behind TLS).")


class AuditSettings(_Part):
    """Signed checkpoints of the event chains (``nsw audit checkpoint``, ``nsw audit verify``)."""

    checkpoint_dir: Path = Field(
        default=Path("./var/audit-checkpoints"),
        description="Where checkpoints are written, never overwritten: outside the database, ideally on storage "
        "the database's administrators cannot rewrite (another host, a write-once bucket).",
    )
    key_file: Path = Field(
        default=Path("./var/audit-signing-key.pem"),
        description="Ed25519 private key (PEM PKCS#8) signing checkpoints; made on the first checkpoint if absent.",
    )
    trusted_keys: tuple[str, ...] = Field(
        default=(), description="Further public keys (base64 raw) verify accepts: earlier keys after a rotation."
    )


class RiskSettings(_Part):
    """The hub's risk service (docs/risk.md): only profiles agencies published signed count."""

    cache_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="How long the router reuses the active profiles it read."
    )
    demo_profiles: bool = Field(
        default=False,
        description="Embedded demos only, never production: at start, sign the shipped example profiles "
        "(message_specs/risk/profiles) with demo keys made on the spot, trust those keys and publish them.",
    )


class LogSettings(_Part):
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: LogFormat = "auto"


class Settings(BaseSettings):
    """All of the platform's settings; build it once in the CLI and hand out the parts."""

    model_config = SettingsConfigDict(
        env_prefix="NSW_",
        env_nested_delimiter="__",
        frozen=True,
        extra="forbid",
        hide_input_in_errors=True,  # a rejected broker or database URL would be quoted back with its password
    )

    broker: BrokerSettings = BrokerSettings()
    database: DatabaseSettings = DatabaseSettings()
    registry: RegistryClientSettings = RegistryClientSettings()
    limits: LimitSettings = LimitSettings()
    log: LogSettings = LogSettings()
    topology: TopologySettings = TopologySettings()
    hub: HubSettings = HubSettings()
    fees: FeeSettings = FeeSettings()
    attachments: AttachmentSettings = AttachmentSettings()
    officers: OfficerSettings = OfficerSettings()
    http: HttpSettings = HttpSettings()
    gateway: GatewaySettings = GatewaySettings()
    web: WebSettings = WebSettings()
    audit: AuditSettings = AuditSettings()
    risk: RiskSettings = RiskSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("NSW_CONFIG_FILE")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)
