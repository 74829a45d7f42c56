"""The GACC adapter's settings: where it keeps its control results, and its own risk profile."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class RiskRule(BaseModel):
    """A rule of GACC's own risk profile: a manifest that hits it is always inspected, whatever KZ found.

    It hits when any goods line's HS heading starts with one of ``hs_prefixes``, or the carrier's or a
    consignee's identification number is listed.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[A-Z0-9][A-Z0-9._-]{0,19}$", description="Shown in the decision's reason code.")
    hs_prefixes: tuple[str, ...] = Field(default=(), description="HS chapters or headings (2 or 4 digits).")
    carrier_ids: tuple[str, ...] = Field(default=(), description="Carriers' identification numbers.")
    consignee_ids: tuple[str, ...] = Field(default=(), description="Consignees' identification numbers.")


class GaccConfig(BaseModel):
    """``[adapter]`` table of ``nsw adapter run gacc-cn --config FILE``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    state_file: Path = Field(description="SQLite file of the control results and manifests the adapter has seen.")
    risk_rules: tuple[RiskRule, ...] = Field(default=(), description="GACC's own risk profile.")
    phyto_validity_days: int = Field(
        default=14,
        ge=1,
        le=365,
        description="Days after its issue date a phytosanitary certificate is accepted (UNVERIFIED: a common "
        "import condition; the certificate itself carries no expiry).",
    )
    officer_id: str = Field(default="GACC-AUTO", min_length=1, max_length=35)
