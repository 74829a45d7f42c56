"""The registry's own settings (it stands alone, so it does not read the hub's model).

Values come from ``NSW_REGISTRY_`` environment variables or are passed explicitly by the CLI.
"""

from __future__ import annotations

from pydantic import Field
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
    default_compatibility: CompatibilityLevel = DEFAULT_COMPATIBILITY
    conflict_retries: int = Field(default=8, ge=1, description="Retries when two writers collide.")
