"""The customs adapter: permits first, then CUSDEC into the exchange folder, CUSRES back as decisions.

``deliver`` checks the permits the declaration cites against the hub's register (a problem is decided at
once: QUERY or REJECTED; otherwise the quantities are written off), then writes the CUSDEC and returns.
A background poller reads CUSRES files: GREEN -> ACCEPTED, YELLOW/RED -> INSPECTION_REQUIRED, the
inspection result later -> ACCEPTED or REJECTED (a revision); one file may hold several CUSRES, each
decided on its own. A garbled answer or a temporary error makes it send the declaration again (at most
``max_resends`` times). The customs system is down when its
heartbeat is stale: ``deliver`` raises AgencyUnavailable so documents wait in the broker.

The lifecycle notices become CUSDECs of their own (UNCL 1225 message function, see notices.py): a
cancellation (or a version no longer routed here) is function 1 for the declaration, a new version is a
replacement (function 5, RFF+ACW naming the one it replaces), and the trader's answer to a customs query is a
response (function 11) naming the query. A CUSRES still arriving for a withdrawn declaration is not applied.
A cancelled or replaced version's permit write-offs are reversed in the register (write_offs.py records them),
the replaced one's before the new version is checked and written off.

A partner's transit termination notice (routed here whole, not as view-customs) is no declaration: it
discharges our TIR transit declaration at the office of departure, recorded once and decided at once
(discharges.py); the customs system is not involved.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from singlewindow.adapters import (
    Adapter,
    AdapterContext,
    AgencyUnavailable,
    Cancellation,
    DecisionDraft,
    DecisionStatus,
    DocumentRefused,
    Handover,
    InboundDocument,
    QueryResponse,
    Replacement,
)
from singlewindow.adapters.customs import edifact
from singlewindow.adapters.customs.config import CustomsConfig
from singlewindow.adapters.customs.cusdec import DOCUMENT_CODE, build_cusdec, declaration_reference
from singlewindow.adapters.customs.cusres import parse_cusres
from singlewindow.adapters.customs.discharges import (
    TRANSIT_TERMINATION_NOTICE,
    DischargeRecord,
    decision_for,
    discharge_of,
)
from singlewindow.adapters.customs.edifact import element
from singlewindow.adapters.customs.exchange import INBOX, OUTBOX, ExchangeFolder, reference_of, unique_name
from singlewindow.adapters.customs.notices import build_answer, build_cancellation
from singlewindow.adapters.customs.permit_checks import check_and_write_off, reverse_write_offs
from singlewindow.adapters.customs.permits_client import PermitsClient
from singlewindow.adapters.customs.responses import Resend, to_action
from singlewindow.adapters.customs.sent import SentRecord
from singlewindow.adapters.customs.write_offs import WriteOffRecord

PERMITS = "permits:"  # a hand-over reference for a declaration the permits check stopped: customs never saw it
DISCHARGE = "discharge:"  # a hand-over reference for a TIR discharge: no declaration, customs never saw it


class CustomsEdifactAdapter(Adapter[CustomsConfig]):
    """Customs: permits register check, UN/EDIFACT CUSDEC out and CUSRES in through a file-exchange folder."""

    agency = "customs"
    config_model = CustomsConfig

    def __init__(self) -> None:
        self._poller: asyncio.Task[None] | None = None
        self.permits: PermitsClient | None = None
        # No locks of our own: the runtime passes one submission's messages on one at a time, in arrival
        # order, and withdraws a cancelled version before calling cancelled (a later document is dropped).

    async def setup(self, context: AdapterContext[CustomsConfig]) -> None:
        config = context.config
        self.folder = ExchangeFolder(config.exchange_dir)
        self.sent = SentRecord(config.exchange_dir)
        await asyncio.to_thread(self.sent.prepare)
        self.write_offs = WriteOffRecord(config.exchange_dir)
        await asyncio.to_thread(self.write_offs.prepare)
        self.discharges = DischargeRecord(config.exchange_dir)
        await asyncio.to_thread(self.discharges.prepare)
        if config.hub_url is not None and config.hub_token is not None:
            self.permits = PermitsClient(config.hub_url, config.hub_token.get_secret_value())
        else:
            context.log.warning("no hub_url/hub_token: cited permits are NOT checked against the register")

    async def start(self) -> None:
        self._poller = asyncio.create_task(self._poll_forever(), name="customs-cusres-poller")

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        if self.permits is not None:
            await self.permits.close()

    async def health(self) -> bool:
        age = self.folder.heartbeat_age()
        return age is not None and age <= self.context.config.heartbeat_timeout_seconds

    async def deliver(self, document: InboundDocument) -> Handover:
        if document.view == TRANSIT_TERMINATION_NOTICE:
            return await self._discharge(document)
        return await self._declare(document, None)

    async def _discharge(self, document: InboundDocument) -> Handover:
        """Discharge the TIR transit the notice terminates, once; the decision is the discharge's."""
        asked = discharge_of(document.body, document.submission_id, document.version)
        stands = await self.discharges.discharge(asked)
        self.context.log.info(
            "TIR transit discharged" if stands.notice == asked.notice else "TIR transit already discharged",
            transit_declaration=stands.transit_declaration,
            tir_carnet=stands.tir_carnet,
            notice=asked.notice,
            office=stands.office,
            with_reservation=stands.with_reservation,
        )
        return Handover(reference=f"{DISCHARGE}{stands.transit_declaration}", decision=decision_for(stands, asked))

    async def replaced(self, document: InboundDocument, replacement: Replacement) -> Handover:
        """The new version replaces the previous declaration in the customs system (function code 5)."""
        if document.view == TRANSIT_TERMINATION_NOTICE:  # a corrected notice: the discharge recorded stands
            return await self._discharge(document)
        previous = replacement.previous_reference or declaration_reference(
            document.submission_id, replacement.previous_version
        )
        # The previous version's quantities go back first, so the new version is checked against them.
        why = f"replaced by version {document.version}"
        await self._give_back(document.submission_id, replacement.previous_version, why)
        known = not previous.startswith(PERMITS) and await self.sent.find(previous) is not None
        handover = await self._declare(document, previous if known else None)
        if known:
            why = f"replaced by {declaration_reference(document.submission_id, document.version)}"
            await self.sent.withdraw(previous, document.submission_id, replacement.previous_version, why)
        return handover

    async def cancelled(self, notice: Cancellation) -> None:
        """Cancelled or no longer routed here: a cancellation CUSDEC (function code 1) for the declaration."""
        log = self.context.log.bind(submission_id=notice.submission_id, version=notice.version, kind=notice.kind)
        if notice.kind.lower().replace("_", "-") == "decision-not-applied":
            log.info("customs decision not applied by the hub", reason=notice.reason)
            return
        await self._cancel(notice, log)

    async def _cancel(self, notice: Cancellation, log: Any) -> None:
        if notice.reference is not None and notice.reference.startswith(DISCHARGE):
            # A discharge is not a declaration customs holds: there is nothing to cancel there, and a
            # discharge once given is undone only by an officer (an enquiry), never by the notice's sender.
            log.warning("termination notice withdrawn after the discharge: the discharge stands", ref=notice.reference)
            return
        reference = declaration_reference(notice.submission_id, notice.version)
        await self.sent.withdraw(reference, notice.submission_id, notice.version, notice.kind)
        # Also a declaration the permits check stopped: it may have written some items off before.
        await self._give_back(notice.submission_id, notice.version, f"{notice.kind}: {notice.reason}")
        if notice.reference is not None and notice.reference.startswith(PERMITS):
            log.info("cancelled before it reached customs (the permits check stopped it)")
            return
        # Also when the runtime never handed the version over: the CUSDEC may sit unread in the intake.
        await self._require_up()
        segments = build_cancellation(await self._document_code(reference), reference, notice.ucr, notice.reason)
        await self._put("CUSDEC", reference, segments)
        log.info("cancellation sent to customs", reference=reference)

    async def _give_back(self, submission_id: str, version: int, why: str) -> None:
        """Reverse the version's permit write-offs (idempotent: a redelivered notice gives nothing twice)."""
        written = await self.write_offs.of(declaration_reference(submission_id, version))
        if self.permits is None or not written:
            return
        given = await reverse_write_offs(self.permits, written, submission_id, version, why)
        self.context.log.info(
            "permit write-offs given back", submission_id=submission_id, version=version, given=given, why=why
        )

    async def answered(self, response: QueryResponse) -> None:
        """The trader's answer to a customs query: a response CUSDEC (function code 11) naming the query."""
        reference = declaration_reference(response.submission_id, response.version)
        sent = await self.sent.find(reference)
        log = self.context.log.bind(submission_id=response.submission_id, query_id=response.query_id)
        if sent is None or sent.withdrawn is not None or sent.query is None:
            # The permits check asked (customs never saw the declaration): only an amendment can fix a permit.
            log.warning("answer to a query the customs system did not ask: not passed on", reference=reference)
            return
        await self._require_up()
        code = await self._document_code(reference)
        segments = build_answer(code, reference, sent.query, response.query_id, response.answer)
        await self._put("CUSDEC", reference, segments)
        log.info("answer sent to customs", reference=reference, query=sent.query)

    async def _document_code(self, reference: str) -> str:
        """The declaration's own BGM document code (import, export, transit); import when it was never sent."""
        try:
            return element(edifact.read(await self.sent.cusdec(reference), "CUSDEC").first("BGM"), 0)
        except (OSError, edifact.EdifactError):
            return DOCUMENT_CODE["IM"]

    async def _require_up(self) -> None:
        if not await self.health():
            raise AgencyUnavailable(f"customs system heartbeat is stale ({self.folder.heartbeat_age()} s)")

    async def _put(self, message_type: str, reference: str, segments: list[Any]) -> str:
        config = self.context.config
        text = edifact.write(
            config.sender_id, config.recipient_id, reference[-14:], datetime.now(UTC), message_type, segments
        )
        try:
            await self.folder.put(INBOX, unique_name(message_type, reference), text)
        except OSError as exc:
            raise AgencyUnavailable(f"cannot write to the exchange folder: {exc}") from exc
        return text

    async def _declare(self, document: InboundDocument, replaces: str | None) -> Handover:
        await self._require_up()
        reference = declaration_reference(document.submission_id, document.version)
        earlier = await self.sent.find(reference)
        if earlier is not None and earlier.withdrawn is not None:
            self.context.log.info("not declared: this version was withdrawn", reference=reference)
            return Handover(reference=reference)
        if self.permits is not None:

            async def record(number: str, goods_item: int) -> None:
                await self.write_offs.add(reference, number, goods_item)

            refused = await check_and_write_off(
                self.permits,
                document.body,
                self.context.config.country,
                document.submission_id,
                document.version,
                record,
            )
            if refused is not None:
                return Handover(reference=f"{PERMITS}{reference}", decision=refused)
        config = self.context.config
        try:
            segments = build_cusdec(document.body, reference, replaces)
        except (KeyError, TypeError, ValueError) as exc:  # the view lacks what a CUSDEC must carry
            raise DocumentRefused(f"cannot be written as a CUSDEC: missing or bad {exc}") from exc
        text = edifact.write(
            config.sender_id, config.recipient_id, reference[-14:], datetime.now(UTC), "CUSDEC", segments
        )
        try:
            await self.sent.remember(reference, document.submission_id, document.version, text)
            await self.folder.put(INBOX, unique_name("CUSDEC", reference), text)
        except OSError as exc:
            raise AgencyUnavailable(f"cannot write to the exchange folder: {exc}") from exc
        return Handover(reference=reference)

    async def _poll_forever(self) -> None:
        while True:
            try:
                await self.poll_once()
            except Exception:  # keep polling: one bad pass must not end late decisions for good
                self.context.log.exception("reading CUSRES files failed")
            await asyncio.sleep(self.context.config.poll_seconds)

    async def poll_once(self) -> int:
        """Handle every CUSRES waiting in the outbox; returns how many files were handled."""
        handled = 0
        for path in await self.folder.ready(OUTBOX):
            try:
                await self._handle(path)
            except Exception as exc:  # one file must not hold up the others' decisions; read again next pass
                self.context.log.warning("CUSRES not handled", file=path.name, error=f"{type(exc).__name__}: {exc}")
                continue
            await self.folder.archive(path)  # only after the decision is stored: a crash re-reads the file
            handled += 1
        return handled

    async def _handle(self, path: Path) -> None:
        """Every CUSRES of the file, each decided on its own (a system may answer several declarations in
        one interchange); a broken envelope is a garbled answer for the declaration the file name carries."""
        log = self.context.log.bind(file=path.name)
        interchange = edifact.read_interchange(await self.folder.data(path))
        if interchange.problems:
            log.warning("garbled CUSRES", error="; ".join(map(str, interchange.problems)))
            reference = reference_of(path)
            if reference is not None:
                await self._resend(reference, f"garbled answer: {interchange.problems[0]}")
            return
        for message in interchange.messages:
            await self._answer(message, path, log.bind(message=message.reference))

    async def _answer(self, message: edifact.EdiMessage, path: Path, log: Any) -> None:
        try:
            if message.type != "CUSRES":
                raise edifact.EdifactError(f"a {message.type} message where a CUSRES was expected")
            response = parse_cusres(message)
        except edifact.EdifactError as exc:
            log.warning("garbled CUSRES", error=str(exc))
            answered = next((element(s, 0, 1) for s in message.all("RFF") if element(s, 0) == "ACW"), None)
            reference = answered or reference_of(path)
            if reference is not None:
                await self._resend(reference, f"garbled answer: {exc}")
            return
        action: DecisionDraft | Resend = to_action(response)
        sent = await self.sent.find(response.declaration)
        if sent is None:
            log.error("CUSRES for a declaration this adapter never sent", reference=response.declaration)
            return
        if sent.withdrawn is not None:
            log.info("CUSRES for a withdrawn declaration: not applied", reference=sent.reference, why=sent.withdrawn)
            return
        if isinstance(action, Resend):
            await self._resend(sent.reference, action.reason)
            return
        if action.status is DecisionStatus.QUERY:  # the answer must name this query
            await self.sent.queried(sent, response.response_number)
        sequence = await self.context.decide(sent.submission_id, sent.version, action)
        log.info("decision", status=action.status.value, sequence=sequence, submission_id=sent.submission_id)

    async def _resend(self, reference: str, why: str) -> None:
        sent = await self.sent.find(reference)
        if sent is None:
            return
        if sent.resends >= self.context.config.max_resends:
            self.context.log.error("customs system keeps failing; not sending again", reference=reference, why=why)
            return
        await self.sent.count_resend(sent)
        await self.folder.put(INBOX, unique_name("CUSDEC", reference), await self.sent.cusdec(reference))
        self.context.log.info("declaration sent again", reference=reference, why=why, resend=sent.resends + 1)
