"""The registry's own settings (it stands alone, so it does not read the hub's model).

Values come from ``NSW_REGISTRY_`` environment variables or are passed explicitly by the CLI. The size limits
and the check budget bound what an unauthenticated compatibility request can cost (docs/registry.md, "Limits").
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from singlewindow.registry.models import DEFAULT_COMPATIBILITY, CompatibilityLevel


class RegistrySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NSW_REGISTRY_", frozen=True, extra="forbid")

    db_url: str = Field(
        default="sqlite+aiosqlite:///nsw-registry.db",
        description="SQLAlchemy async URL; postgresql://... is rewritten to the asyncpg driver.",
    )
    host: str = "127.0.0.1"
    http_port: int = Field(default=8081, ge=0, le=65_535, description="Confluent's default port.")
    grpc_port: int | None = Field(default=None, ge=0, le=65_535, description="gRPC port; None serves REST only.")
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024, description="Larger bodies get 413.")
    max_schema_bytes: int = Field(default=1024 * 1024, ge=256, description="Larger schemas get 42209.")
    max_schema_depth: int = Field(
        default=64, ge=8, le=512, description="JSON nesting of a schema or request body; deeper is refused."
    )
    max_schema_nodes: int = Field(default=100_000, ge=100, description="JSON values in one schema; more get 42209.")
    max_schema_members: int = Field(
        default=2_000, ge=10, description="Members of one object or array (fields, properties, branches)."
    )
    max_schema_refs: int = Field(default=1_000, ge=1, description="$ref occurrences in one JSON schema.")
    check_seconds: float = Field(
        default=2.0, gt=0, le=60, description="Wall-clock budget of one compatibility check (all versions)."
    )
    check_max_steps: int = Field(default=200_000, ge=1_000, description="Step budget of one compatibility check.")
    check_workers: int = Field(default=2, ge=1, le=32, description="Threads running checks off the event loop.")
    default_compatibility: CompatibilityLevel = DEFAULT_COMPATIBILITY
    conflict_retries: int = Field(default=8, ge=1, description="Retries when two writers collide.")
    tls_cert_file: Path | None = Field(default=None, description="PEM certificate: REST and gRPC serve TLS.")
    tls_key_file: Path | None = Field(default=None, description="PEM private key of tls_cert_file.")
    # Slow and greedy clients (registry.http_limits): only reading a request is timed.
    header_timeout_seconds: float = Field(default=10.0, gt=0, le=300, description="To receive a request head.")
    body_timeout_seconds: float = Field(default=60.0, gt=0, le=3600, description="To receive a body after its head.")
    keep_alive_seconds: int = Field(default=5, ge=1, le=300, description="Idle time between requests.")
    max_connections: int = Field(default=1000, ge=1, description="In total; beyond it requests get 503.")
    max_connections_per_client: int = Field(default=100, ge=1, description="Per client address; then 429.")

    @model_validator(mode="after")
    def _tls_pair(self) -> Self:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("TLS needs both tls_cert_file and tls_key_file")
        return self
