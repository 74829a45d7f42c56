"""The customs system's work loop: beat, read declarations, assess, answer, report inspections.

It is the customs system, so it decides: risk selectivity (``singlewindow.adapters.customs.risk``) runs here
on what the CUSDEC says and on the system's own trader register. A declaration sent again (after an error
or a garbled answer) keeps its first assessment and its answer numbers, so the adapter sees duplicates, not
new decisions.

The CUSDEC's message function (UNCL 1225) says what to do: 9 original and 5 replacement are assessed (a
replacement first closes the declaration its RFF+ACW names), 1 cancellation withdraws the declaration, 11
response is the declarant's answer to the system's query. A withdrawn or replaced declaration gets no
answer and no inspection result any more. Cancellations waiting in the intake are read before the rest of
that batch, so a declaration cancelled before the system got to it is never assessed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import structlog

from singlewindow.adapters.customs import edifact
from singlewindow.adapters.customs.cusdec import REPLACEMENT
from singlewindow.adapters.customs.cusdec_reading import parse_cusdec
from singlewindow.adapters.customs.cusres import FIELD, QUESTION, CustomsResponse, Finding, Outcome, build_cusres
from singlewindow.adapters.customs.exchange import INBOX, OUTBOX, ExchangeFolder, reference_of, unique_name
from singlewindow.adapters.customs.notices import CANCELLATION, RESPONSE, read_header
from singlewindow.adapters.customs.risk import assess
from singlewindow.adapters.customs.risk_profile import RiskProfile
from singlewindow.adapters.customs.standin.script import Script
from singlewindow.adapters.customs.standin.store import ACTIVE, QUERIED, REPLACED, WITHDRAWN, CustomsStore, Filed

log = structlog.get_logger(__name__)
SYSTEM_ID = "KZCUSTOMS"
RISK_OFFICER = "RISK-ENGINE"
INSPECTOR = "KZ-INSP-0042"
GARBAGE = "UNA:+.? '\nUNB+UNOW:4+KZCUSTOMS:ZZZ+KZNSW\x00\x00 ### buffer overrun ###\n"


@dataclass
class CustomsSystem:
    folder: ExchangeFolder
    store: CustomsStore
    profile: RiskProfile
    script: Callable[[], Script]
    poll_seconds: float = 0.2
    answered: int = field(default=0)

    async def run(self, stop: asyncio.Event) -> None:
        self.folder.prepare()
        while not stop.is_set():
            script = self.script()
            if not script.down:
                self.folder.beat()
                await self.step(script)
            try:
                await asyncio.wait_for(stop.wait(), self.poll_seconds)
            except TimeoutError:
                continue

    async def step(self, script: Script) -> None:
        read = [(path, await self.folder.text(path)) for path in await self.folder.ready(INBOX)]
        cancellations = [(p, t) for p, t in read if _function(t) == CANCELLATION]
        for path, text in [*cancellations, *[(p, t) for p, t in read if (p, t) not in cancellations]]:
            await self._message(path, text, script)
            await self.folder.archive(path)
        for filed in await self.store.due_inspections(datetime.now(UTC)):
            await self._inspection(filed, script)

    async def _message(self, path: Path, text: str, script: Script) -> None:
        try:
            message = edifact.read(text, "CUSDEC")
            header = read_header(message)
            if header.function == CANCELLATION:
                await self.store.close_declaration(header.reference, WITHDRAWN)
                log.info("declaration withdrawn", declaration=header.reference, reason=header.text)
                return
            if header.function == RESPONSE:
                await self._response(header.reference, header.text, script)
                return
            declaration = parse_cusdec(message)
        except edifact.EdifactError as exc:
            reference = reference_of(path)
            log.warning("unreadable declaration", file=path.name, error=str(exc))
            if reference:
                finding = Finding("SYN", f"declaration not readable: {exc}"[:350])
                await self._send(
                    CustomsResponse(f"{reference}-S", reference, Outcome.ERROR, SYSTEM_ID, _now(), (finding,)), script
                )
            return
        known = await self.store.find(declaration.reference)
        if known is not None and known.closed:
            log.info("declaration was withdrawn: not assessed", declaration=declaration.reference)
            return
        if declaration.function == REPLACEMENT and declaration.replaces:
            await self.store.close_declaration(declaration.replaces, REPLACED)
            log.info("declaration replaced", declaration=declaration.replaces, by=declaration.reference)
        trader = await self.store.trader(declaration.declarant_id)
        assessment = assess(declaration, trader, self.profile)
        hits = [(h.code, h.text) for h in assessment.hits]
        filed = await self.store.file(
            declaration.reference, declaration.declarant_id, assessment.channel, assessment.score, hits
        )
        if filed.state == QUERIED or (known is None and script.query_first):
            await self._query(filed, script)
            return
        await self._answer(filed, script)

    async def _query(self, filed: Filed, script: Script) -> None:
        """Ask the declarant first; the same response number when asked again (a resend), so one decision."""
        await self.store.set_state(filed.reference, QUERIED)
        findings = (
            Finding(QUESTION, script.query_question),
            *(Finding(FIELD, pointer) for pointer in script.query_fields),
        )
        query = CustomsResponse(f"{filed.reference}-Q", filed.reference, Outcome.QUERY, INSPECTOR, _now(), findings)
        await self._send(query, script)

    async def _response(self, reference: str, answer: str, script: Script) -> None:
        filed = await self.store.find(reference)
        if filed is None or filed.state != QUERIED:
            log.info("answer to no open query: filed away", declaration=reference)
            return
        await self.store.set_state(reference, ACTIVE, answer)
        log.info("query answered", declaration=reference)
        await self._answer(filed, script)

    async def _answer(self, filed: Filed, script: Script) -> None:
        if script.slow_seconds:
            await asyncio.sleep(script.slow_seconds)
        before = await self.store.count_answer(filed.reference)
        if before < script.malformed:
            await self.folder.put(OUTBOX, unique_name("CUSRES", filed.reference), GARBAGE)
            return
        if before < script.malformed + script.errors:
            finding = Finding("TMP", "Customs system temporarily unable to process; send the declaration again")
            error = CustomsResponse(
                f"{filed.reference}-E{before}", filed.reference, Outcome.ERROR, SYSTEM_ID, _now(), (finding,)
            )
            await self._send(error, script)
            return
        outcome = {"GREEN": Outcome.GREEN, "YELLOW": Outcome.YELLOW, "RED": Outcome.RED}[filed.channel]
        findings = tuple(Finding(code, text) for code, text in filed.hits)
        await self._send(
            CustomsResponse(f"{filed.reference}-1", filed.reference, outcome, RISK_OFFICER, _now(), findings), script
        )
        if outcome is not Outcome.GREEN:
            await self.store.schedule_inspection(filed.reference, _now() + timedelta(seconds=script.inspection_seconds))

    async def _inspection(self, filed: Filed, script: Script) -> None:
        if script.inspection_result == "RELEASE":
            findings: tuple[Finding, ...] = (Finding("INSP-OK", "Inspection found the goods as declared"),)
            outcome = Outcome.RELEASED
        else:
            findings = (Finding("INSP-MISMATCH", "Goods found do not match the declaration"),)
            outcome = Outcome.REFUSED
        await self._send(
            CustomsResponse(f"{filed.reference}-2", filed.reference, outcome, INSPECTOR, _now(), findings), script
        )
        await self.store.inspected(filed.reference)

    async def _send(self, response: CustomsResponse, script: Script) -> None:
        text = edifact.write(
            SYSTEM_ID, "KZNSW", response.response_number[-14:], _now(), "CUSRES", build_cusres(response)
        )
        for _ in range(2 if script.duplicate else 1):
            await self.folder.put(OUTBOX, unique_name("CUSRES", response.declaration), text)
        self.answered += 1
        log.info("answered", declaration=response.declaration, outcome=response.outcome.value)


def _function(text: str) -> str | None:
    try:
        return read_header(edifact.read(text, "CUSDEC")).function
    except edifact.EdifactError:
        return None


def _now() -> datetime:
    return datetime.now(UTC)
