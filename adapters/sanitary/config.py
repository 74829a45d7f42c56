"""The sanitary adapter's config: the agency database (not the hub's) and how to poll it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SanitaryConfig(BaseModel):
    """``[adapter]`` table of ``nsw adapter run sanitary-table --config FILE``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    database_url: str = Field(description="The agency's database holding the shared table (sqlite or postgresql).")
    poll_seconds: float = Field(default=0.5, gt=0, description="How often to look for decisions.")
    lock_timeout_seconds: float = Field(default=2.0, gt=0, description="A lock held longer means the system is down.")
    max_retries: int = Field(default=5, ge=0, description="Times a garbled or erroring decision is asked for again.")
