"""The border guard adapter's settings (the ``[adapter]`` table of ``nsw adapter run --config``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class BorderGuardConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    hub_url: str = Field(description="The hub's HTTP API (officer queue), e.g. http://127.0.0.1:8080")
    hub_token: SecretStr = Field(description="Bearer token of the border guard's agency principal")
    poll_seconds: float = Field(default=1.0, gt=0, le=300, description="How often officers' decisions are collected.")
    request_timeout_seconds: float = Field(default=10.0, gt=0)
