"""The veterinary adapter's settings (the ``[adapter]`` table of ``nsw adapter run --config``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class VeterinaryConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    ched_url: str = Field(description="Base URL of the CHED system, e.g. http://127.0.0.1:8091")
    request_timeout_seconds: float = Field(default=10.0, gt=0, description="A slower answer counts as unavailable.")
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8092, ge=0, le=65_535, description="0 binds a free port.")
    webhook_public_url: str | None = Field(
        default=None, description="URL the CHED system calls; default http://<webhook_host>:<port>/webhooks/ched"
    )
    webhook_token: str | None = Field(default=None, description="Expected in X-Webhook-Token on every callback.")
    issuer_country: str = Field(default="KZ", pattern=r"^[A-Z]{2}$", description="Country of the CHED references.")
