"""What officers (and agencies' adapters) send about a joint inspection: the proposed slot, an agency's
answer to it, and its attendance with its own findings."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

PROPOSED = "PROPOSED"
SCHEDULED = "SCHEDULED"
DECLINED = "DECLINED"
COMPLETED = "COMPLETED"
OPEN = (PROPOSED, SCHEDULED)

PENDING = "PENDING"
ACCEPTED = "ACCEPTED"


class _Input(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class JointProposalInput(_Input):
    """One slot for every agency that requires a RED-channel inspection of the submission's current version;
    ``place`` is where the vehicle is inspected (a crossing point's yard, a warehouse)."""

    submissionId: str = Field(min_length=1, max_length=40)
    slotAt: AwareDatetime
    place: str = Field(min_length=1, max_length=200)


class JointResponseInput(_Input):
    """The agency's answer to the slot; a decline says why (the other agencies read the reason)."""

    accept: bool
    reason: str | None = Field(default=None, min_length=1, max_length=500)

    @model_validator(mode="after")
    def _reason_with_decline(self) -> JointResponseInput:
        if self.accept == (self.reason is not None):
            raise ValueError("a reason is given exactly when the slot is declined")
        return self


class JointAttendanceInput(_Input):
    """Whether the agency's officer attended, and the agency's own findings (no other agency reads them)."""

    attended: bool
    findings: str = Field(default="", max_length=4000)
    compliant: bool | None = Field(
        default=None, description="The agency's verdict on what it found; false counts in the trader's risk history."
    )
