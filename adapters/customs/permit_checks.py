"""Before a declaration reaches the customs system: do the permits it cites cover its goods?

Only documents this country's agencies issue are in the register (a foreign phytosanitary certificate is
the phytosanitary service's business). Every cited permit is checked first, with no side effect; only when
nothing but a balance is in doubt are the quantities written off (idempotent per permit, submission version and item,
so a redelivery writes nothing twice). An unknown permit or one issued to someone else looks forged:
REJECTED. Anything the trader can fix (expired, exhausted, wrong HS code or unit): QUERY.

``reverse_write_offs`` gives a cancelled or replaced version's write-offs back (idempotent in the register).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from singlewindow.adapters import DecisionDraft, DecisionStatus, Officer, Query, Reason
from singlewindow.adapters.customs.permits_client import PermitItem, PermitProblem, PermitsClient, WriteOffRefused

REGISTERED_KINDS = frozenset(
    {"VETERINARY_CERTIFICATE", "PHYTO_CERTIFICATE", "SANITARY_PERMIT", "CONFORMITY_CERTIFICATE",
     "IMPORT_LICENCE", "EXPORT_LICENCE", "CITES_PERMIT"}
)  # fmt: skip
FORGERY = frozenset({"UNKNOWN", "WRONG_HOLDER", "WRONG_KIND"})
BALANCE = "QUANTITY_EXCEEDS_BALANCE"
OFFICER = Officer(id="PERMIT-CHECK", name="Customs permit control")


def _holder(view: Mapping[str, Any]) -> str:
    direction = (view.get("procedure") or {}).get("direction", "IM")
    party = view.get("exporter") if direction == "EK" else view.get("importer")
    return str((party or view["declarant"])["identificationNumber"])


def cited_items(view: Mapping[str, Any], country: str) -> list[tuple[int, PermitItem]]:
    """(goods item number, what to ask the register) for every registered permit the view cites."""
    at = datetime.fromisoformat(view["issuedAt"].replace("Z", "+00:00")).date()
    holder, out = _holder(view), []
    for item in view["goodsItems"]:
        hs = item["commodityCode"].get("nationalCode") or item["commodityCode"]["hsCode"]
        for document in item.get("supportingDocuments", []):
            if document["type"] not in REGISTERED_KINDS or document["issuerCountry"] != country:
                continue
            quantity = document.get("quantityCovered") or item["quantity"]
            permit = PermitItem(
                document["number"], document["type"], holder, hs, Decimal(quantity["value"]), quantity["unit"], at
            )
            out.append((int(item["sequenceNumber"]), permit))
    return out


def _decision(problems: list[tuple[int, PermitItem, PermitProblem]]) -> DecisionDraft:
    reasons = tuple(
        Reason(code=f"PERMIT-{p.code}"[:20], text=f"Item {n}, {item.kind} {item.number}: {p.message}"[:1000])
        for n, item, p in problems
    )
    if any(p.code in FORGERY for _, _, p in problems):
        return DecisionDraft(status=DecisionStatus.REJECTED, reasons=reasons, officer=OFFICER)
    question = "Cited permits do not cover the goods: " + "; ".join(r.text for r in reasons)
    return DecisionDraft(
        status=DecisionStatus.QUERY, reasons=reasons, query=Query(question=question[:2000]), officer=OFFICER
    )


async def check_and_write_off(
    client: PermitsClient,
    view: Mapping[str, Any],
    country: str,
    submission_id: str,
    version: int,
    before_write_off: Callable[[str, int], Awaitable[None]] | None = None,
) -> DecisionDraft | None:
    """None when every cited permit covers its item and was written off; else the decision to publish.

    ``before_write_off(permit number, goods item)`` is awaited before each write-off is asked for, so the
    caller knows what to give back when the declaration is cancelled or replaced."""
    cited = cited_items(view, country)
    problems = [(n, item, p) for n, item in cited for p in await client.check(item)]
    # An exhausted balance may be this very declaration's own earlier write-off (a redelivery): the
    # idempotent write-off below tells the two apart. Every other problem stops the declaration here.
    if any(p.code != BALANCE for _, _, p in problems):
        return _decision(problems)
    for number, item in cited:
        if before_write_off is not None:
            await before_write_off(item.number, number)
        try:
            await client.write_off(item, submission_id, version, number)
        except WriteOffRefused as refused:  # another declaration took the balance since the check
            return _decision([(number, item, p) for p in refused.problems])
    return None


async def reverse_write_offs(
    client: PermitsClient, written: list[tuple[str, int]], submission_id: str, version: int, reason: str
) -> int:
    """Give back every (permit number, goods item) the version wrote off; how many this call gave back.

    A repeat gives nothing back twice (the register answers "reversed before"); a pair the register never
    wrote off (recorded, then a crash before the write-off) is skipped."""
    given = 0
    for number, goods_item in written:
        if await client.reverse(number, submission_id, version, goods_item, reason):
            given += 1
    return given
