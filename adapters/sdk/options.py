"""How the runtime treats one adapter: prefetch, circuit breaker, store. Part of ``nsw adapter run`` config."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RuntimeOptions(BaseModel):
    """The ``[runtime]`` table of an adapter's config file (every key optional)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    prefetch: int = Field(default=10, ge=1, le=1000, description="Documents in flight at once (and unacked).")
    failure_threshold: int = Field(default=5, ge=1, description="Consecutive AgencyUnavailable that open the breaker.")
    probe_interval_seconds: float = Field(default=10.0, gt=0, description="Seconds between health() probes while open.")
    health_timeout_seconds: float = Field(default=10.0, gt=0, description="A probe slower than this counts as down.")
    deliver_timeout_seconds: float = Field(
        default=60.0, gt=0, description="A deliver() slower than this counts as AgencyUnavailable."
    )
    republish_seconds: float = Field(default=15.0, gt=0, description="How often unconfirmed decisions are re-sent.")
    store_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the adapter's store; default sqlite+aiosqlite:///adapter-<name>.db"
    )

    def store_url_for(self, name: str) -> str:
        return self.store_url or f"sqlite+aiosqlite:///adapter-{name}.db"
