"""The customs adapter's config: the exchange folder, the EDIFACT party ids, the permits register."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class CustomsConfig(BaseModel):
    """``[adapter]`` table of ``nsw adapter run customs-edifact --config FILE``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    exchange_dir: Path = Field(description="The customs system's file-exchange folder (inbox/outbox/archive).")
    sender_id: str = Field(default="KZNSW", max_length=35, description="UNB sender: the hub's EDIFACT id.")
    recipient_id: str = Field(default="KZCUSTOMS", max_length=35, description="UNB recipient: the customs system.")
    poll_seconds: float = Field(default=0.5, gt=0, description="How often to look for CUSRES files.")
    heartbeat_timeout_seconds: float = Field(
        default=15.0, gt=0, description="A heartbeat older than this means the customs system is down."
    )
    max_resends: int = Field(default=5, ge=0, description="Times a declaration is sent again after bad answers.")
    country: str = Field(default="KZ", pattern=r"^[A-Z]{2}$", description="Whose permits the register holds.")
    hub_url: str | None = Field(default=None, description="The hub's HTTP API for the permits register.")
    hub_token: SecretStr | None = Field(default=None, description="The customs agency principal's bearer token.")
