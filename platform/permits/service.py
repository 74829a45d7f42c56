"""Who may do what with the register: an agency issues only its own kinds, customs checks and writes off
(and reverses its own write-offs when a declaration is cancelled or replaced).

Operators may issue any kind (loading an existing national register) and read everything; the issuing
agency reads and suspends or revokes its own permits and reads their ledgers.
"""

from __future__ import annotations

from collections.abc import Mapping

from singlewindow.platform.errors import AccessDenied
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.permits.checks import CheckRequest
from singlewindow.platform.permits.models import (
    CheckResult,
    LedgerEntry,
    Permit,
    PermitDraft,
    PermitKind,
    PermitStatus,
    ReversalResult,
    WriteOffKey,
    WriteOffResult,
)
from singlewindow.platform.permits.store import PermitStore

ISSUERS: Mapping[PermitKind, str] = {
    PermitKind.VETERINARY_CERTIFICATE: "veterinary",
    PermitKind.PHYTO_CERTIFICATE: "phytosanitary",
    PermitKind.SANITARY_PERMIT: "sanitary",
    PermitKind.CONFORMITY_CERTIFICATE: "technical-regulation",
    PermitKind.IMPORT_LICENCE: "trade-licensing",
    PermitKind.EXPORT_LICENCE: "trade-licensing",
    PermitKind.CITES_PERMIT: "environment",
}
CONTROLLER = "customs"  # the agency that checks what a declaration cites and writes quantities off


def _agency(principal: Principal) -> str | None:
    return principal.agency if principal.role in {Role.AGENCY, Role.OFFICER} else None


def _deny(principal: Principal, what: str) -> AccessDenied:
    return AccessDenied(f"principal {principal.name!r} ({principal.role}) may not {what}")


class PermitService:
    """One instance per hub process, shared by the HTTP routes (and gRPC, when served)."""

    def __init__(self, store: PermitStore) -> None:
        self.store = store

    async def issue(self, principal: Principal, draft: PermitDraft) -> Permit:
        agency = _agency(principal)
        if principal.role is Role.OPERATOR:
            return await self.store.issue(draft, ISSUERS[draft.kind], principal.id)
        if principal.role is not Role.AGENCY or agency != ISSUERS[draft.kind]:
            raise _deny(principal, f"issue a {draft.kind} (issued by {ISSUERS[draft.kind]})")
        return await self.store.issue(draft, agency, principal.id)

    async def get(self, principal: Principal, number: str) -> Permit:
        if principal.role is not Role.OPERATOR and _agency(principal) is None:
            raise _deny(principal, "read the permits register")
        return await self.store.get(number)

    async def set_status(self, principal: Principal, number: str, status: PermitStatus) -> Permit:
        permit = await self.get(principal, number)
        if principal.role is not Role.OPERATOR and _agency(principal) != permit.issuing_agency:
            raise _deny(principal, f"change {number}, issued by {permit.issuing_agency}")
        return await self.store.set_status(number, status)

    async def check(self, principal: Principal, request: CheckRequest) -> CheckResult:
        if principal.role is not Role.OPERATOR and _agency(principal) != CONTROLLER:
            raise _deny(principal, "check permits against declarations")
        return await self.store.check(request)

    async def write_off(self, principal: Principal, request: CheckRequest, key: WriteOffKey) -> WriteOffResult:
        if principal.role is not Role.AGENCY or principal.agency != CONTROLLER:
            raise _deny(principal, "write quantities off permits")
        return await self.store.write_off(request, key, principal.id)

    async def reverse(self, principal: Principal, number: str, key: WriteOffKey, reason: str) -> ReversalResult:
        """Give a write-off back; the store lets only the principal that wrote it off do so."""
        if principal.role is not Role.AGENCY or principal.agency != CONTROLLER:
            raise _deny(principal, "reverse write-offs")
        return await self.store.reverse(number, key, principal.id, reason)

    async def ledger(self, principal: Principal, number: str) -> list[LedgerEntry]:
        permit = await self.get(principal, number)
        allowed = principal.role is Role.OPERATOR or _agency(principal) in {CONTROLLER, permit.issuing_agency}
        if not allowed:
            raise _deny(principal, f"read the ledger of {number}")
        return await self.store.ledger(number)
