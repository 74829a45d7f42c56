"""The phytosanitary adapter's settings (the ``[adapter]`` table of ``nsw adapter run --config``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class PhytosanitaryConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    hub_url: str = Field(description="The hub's HTTP API (attachments, permits register), e.g. http://127.0.0.1:8080")
    hub_token: SecretStr = Field(description="Bearer token of the phytosanitary agency principal")
    plant_protection_url: str = Field(description="The plant-protection system that issues export certificates")
    request_timeout_seconds: float = Field(default=10.0, gt=0)
    country: str = Field(default="KZ", pattern=r"^[A-Z]{2}$", description="This country: its exports get certificates.")
    certificate_media_types: tuple[str, ...] = ("application/xml", "text/xml")
