"""The echo-file adapter's config: where the agency system's exchange folders are and how often to look."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class EchoFileConfig(BaseModel):
    """``[adapter]`` table of ``nsw adapter run echo-file --config FILE``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    outbox_dir: Path = Field(description="Where documents are handed over, one JSON file each.")
    decisions_dir: Path = Field(description="Where the agency system drops decision files.")
    poll_seconds: float = Field(default=1.0, gt=0, description="How often to look for decision files.")
    required_fields: tuple[str, ...] = Field(
        default=(),
        description="JSON pointers the agency system insists on (optional in the hub's view); "
        "a document without one is refused as malformed.",
    )
    accept_at_once_hs_prefixes: tuple[str, ...] = Field(
        default=(),
        description="HS code prefixes the agency clears without an officer: a document whose goods all "
        "match gets an immediate ACCEPTED.",
    )
