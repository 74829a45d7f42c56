"""TIR discharge at the office of departure: a partner's termination notice closes our transit declaration.

When a TIR transit declared in KZ ends at a foreign office (the CN office of destination), that office's
termination notice comes back through the cross-border gateway and is routed to customs whole (routing rule
``customs-transit-discharge``). It is not a declaration: nothing goes to the customs system as a CUSDEC.
TIR Convention Art. 28 has the office of departure discharge the operation once termination is certified,
so the adapter records the discharge and decides at once.

The record is ``<exchange>/discharges/<transit declaration id>.json``, written once: the same notice
delivered again (a redelivery, an operator's replay, the partner sending it twice) finds it and gets the
same decision (same idempotency key), never a second discharge. A different notice for a declaration that is
already discharged is answered with the first discharge, saying so.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from singlewindow.adapters import Condition, DecisionDraft, DecisionStatus, DocumentRefused, Officer, Reason, Reference

TRANSIT_TERMINATION_NOTICE = "transit-termination-notice"
DISCHARGES = "discharges"
OFFICER = Officer(id="TIR-DISCHARGE", name="TIR discharge at departure (automatic)")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True, slots=True)
class Discharge:
    """What was discharged, on which notice: enough to answer any later copy of it the same way."""

    transit_declaration: str
    tir_carnet: str
    notice: str  # the termination notice's documentId
    issuer: str | None  # the country of the terminating office
    office: str
    terminated_at: str  # ISO timestamp, as the notice says
    termination_type: str
    with_reservation: bool
    reservation: str | None
    seals_intact: bool
    submission_id: str
    version: int


def discharge_of(notice: Mapping[str, Any], submission_id: str, version: int) -> Discharge:
    """The discharge a termination notice asks for; DocumentRefused when it lacks what a discharge needs."""
    try:
        office = str(notice["customsOffice"])
        return Discharge(
            transit_declaration=str(notice["transitDeclarationId"]),
            tir_carnet=str(notice["tirCarnetNumber"]),
            notice=str(notice["documentId"]),
            issuer=office[:2],
            office=office,
            terminated_at=str(notice["terminatedAt"]),
            termination_type=str(notice["terminationType"]),
            with_reservation=bool(notice["withReservation"]),
            reservation=str(notice["reservationText"]) if notice.get("reservationText") else None,
            seals_intact=bool(notice.get("sealsIntact", True)),
            submission_id=submission_id,
            version=version,
        )
    except KeyError as exc:  # the hub validated it against the spec: a body this short is not a notice
        raise DocumentRefused(f"transit termination notice without {exc}: nothing to discharge") from exc


def decision_for(discharge: Discharge, answered: Discharge) -> DecisionDraft:
    """ACCEPTED (discharged); ACCEPTED_WITH_CONDITIONS when the termination carries a reservation.

    ``answered`` is the notice being decided; ``discharge`` the recorded one (the same unless the
    declaration was discharged by an earlier notice, which the reason then names).
    """
    text = (
        f"TIR carnet {discharge.tir_carnet}: transit declaration {discharge.transit_declaration} discharged at the "
        f"office of departure; terminated at {discharge.office} on {discharge.terminated_at[:10]}"
    )
    if discharge.notice != answered.notice:
        text += f" (already, by termination notice {discharge.notice})"
    references = (
        Reference(type="TIR_CARNET", id=discharge.tir_carnet),
        Reference(type="TRANSIT_DECLARATION", id=discharge.transit_declaration),
    )
    common: dict[str, Any] = {
        "officer": OFFICER,
        "reasons": (Reason(code="TIR-DISCHARGED", text=text[:1000]),),
        "references": references,
        "idempotency_key": f"tir-discharge:{answered.notice}",
    }
    if not discharge.with_reservation:
        return DecisionDraft(status=DecisionStatus.ACCEPTED, **common)
    seals = "" if discharge.seals_intact else "; seals not intact"
    reservation = (
        f"terminated with a reservation at {discharge.office}: {discharge.reservation or 'no text given'}{seals}; "
        "the discharge stands subject to the enquiry on the reservation (TIR Convention Art. 28, Annex 10)"
    )
    condition = Condition(code="TIR-RESERVATION", text=reservation[:1000])
    return DecisionDraft(status=DecisionStatus.ACCEPTED_WITH_CONDITIONS, conditions=(condition,), **common)


class DischargeRecord:
    """``<exchange>/discharges/``: one file per discharged transit declaration, written once."""

    def __init__(self, root: Path) -> None:
        self._dir = root / DISCHARGES

    def prepare(self) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)

    async def discharge(self, wanted: Discharge) -> Discharge:
        """Record ``wanted`` unless its declaration is already discharged; the discharge that stands."""
        return await asyncio.to_thread(self._discharge, wanted)

    async def find(self, transit_declaration: str) -> Discharge | None:
        return await asyncio.to_thread(self._read, self._path(transit_declaration))

    def _path(self, transit_declaration: str) -> Path:
        return self._dir / f"{_UNSAFE.sub('_', transit_declaration)}.json"

    def _discharge(self, wanted: Discharge) -> Discharge:
        path = self._path(wanted.transit_declaration)
        temporary = self._dir / f".{path.name}.{os.getpid()}.part"
        temporary.write_text(json.dumps(asdict(wanted)), encoding="utf-8")
        try:
            os.link(temporary, path)  # atomic create-if-absent: a twin run cannot discharge twice
        except FileExistsError:
            pass
        finally:
            temporary.unlink(missing_ok=True)
        return self._read(path) or wanted  # just linked, or there before

    @staticmethod
    def _read(path: Path) -> Discharge | None:
        try:
            return Discharge(**json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
