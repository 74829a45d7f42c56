"""The register of permits and certificates the agencies issue, with its write-off ledger."""

from singlewindow.platform.permits.checks import CheckRequest, PermitRefused, evaluate
from singlewindow.platform.permits.models import (
    CheckProblem,
    CheckResult,
    EntryKind,
    LedgerEntry,
    Permit,
    PermitDraft,
    PermitKind,
    PermitStatus,
    ProblemCode,
    Reversal,
    ReversalResult,
    WriteOffKey,
    WriteOffResult,
)
from singlewindow.platform.permits.service import CONTROLLER, ISSUERS, PermitService
from singlewindow.platform.permits.store import PermitStore

__all__ = [
    "CONTROLLER",
    "ISSUERS",
    "CheckProblem",
    "CheckRequest",
    "CheckResult",
    "EntryKind",
    "LedgerEntry",
    "Permit",
    "PermitDraft",
    "PermitKind",
    "PermitRefused",
    "PermitService",
    "PermitStatus",
    "PermitStore",
    "ProblemCode",
    "Reversal",
    "ReversalResult",
    "WriteOffKey",
    "WriteOffResult",
    "evaluate",
]
