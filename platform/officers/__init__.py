"""The officer queue (documents an agency's officers decide on by hand) and the border events register."""

from singlewindow.platform.officers.border_events import BorderEventService
from singlewindow.platform.officers.claims import OfficerClaims
from singlewindow.platform.officers.joint import JointInspections
from singlewindow.platform.officers.joint_models import JointAttendanceInput, JointProposalInput, JointResponseInput
from singlewindow.platform.officers.models import (
    AnswerInput,
    OfficerDecisionInput,
    QueuedDocument,
    RecordedDecision,
    ReplacesInput,
    Withdrawal,
    WithdrawalInput,
)
from singlewindow.platform.officers.queue import OfficerQueue
from singlewindow.platform.officers.service import OfficerService

__all__ = [
    "AnswerInput",
    "BorderEventService",
    "JointAttendanceInput",
    "JointInspections",
    "JointProposalInput",
    "JointResponseInput",
    "OfficerClaims",
    "OfficerDecisionInput",
    "OfficerQueue",
    "OfficerService",
    "QueuedDocument",
    "RecordedDecision",
    "ReplacesInput",
    "Withdrawal",
    "WithdrawalInput",
]
