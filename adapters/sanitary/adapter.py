"""The sanitary adapter: one row per document in the agency's shared table, decisions polled back.

``deliver`` inserts the row (a second insert of the same message id changes nothing) and returns its row
number. A poller reads rows whose decision columns are filled and not yet read (or written again since):
a readable decision is published (a duplicate is recognised by its content), anything else is cleared for
the legacy system to decide again, at most ``max_retries`` times. A locked or missing table means the
system is down: ``deliver`` raises AgencyUnavailable and the breaker pauses consumption. A row the system
refuses (its intake check, a constraint) raises ``IntakeRefused``: retried through the tiers, then dead-lettered.

Lifecycle notices (issue 12) are columns of the same table: a cancelled or superseded version's row is
marked withdrawn (the legacy system skips it; a decision it still writes there is not read), a new version
gets a row of its own naming the row it replaces, which is withdrawn in the same transaction, and the
trader's answer to the system's QUERY is written to the row's ``answer`` column, after which it decides.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from singlewindow.adapters import (
    Adapter,
    AdapterContext,
    AgencyUnavailable,
    Cancellation,
    DecisionDraft,
    Handover,
    InboundDocument,
    QueryResponse,
    Replacement,
)
from singlewindow.adapters.sanitary.columns import AskAgain, read_decision
from singlewindow.adapters.sanitary.config import SanitaryConfig
from singlewindow.adapters.sanitary.database import agency_engine
from singlewindow.adapters.sanitary.table import requests


class IntakeRefused(RuntimeError):
    """The legacy system refused to take the row (its intake check); not the system being down."""


class SanitaryTableAdapter(Adapter[SanitaryConfig]):
    """Sanitary-epidemiological service: a shared database table its legacy system polls and decides in."""

    agency = "sanitary"
    config_model = SanitaryConfig

    def __init__(self) -> None:
        self._poller: asyncio.Task[None] | None = None
        # No locks of our own: the runtime passes one submission's messages on one at a time, in arrival
        # order, and withdraws a cancelled version before calling cancelled (a later document is dropped).

    async def setup(self, context: AdapterContext[SanitaryConfig]) -> None:
        self.engine = agency_engine(context.config.database_url, context.config.lock_timeout_seconds)

    async def start(self) -> None:
        self._poller = asyncio.create_task(self._poll_forever(), name="sanitary-table-poller")

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        await self.engine.dispose()

    async def health(self) -> bool:
        """The table answers a write-lock probe within the lock timeout."""
        try:
            async with self.engine.begin() as conn:
                await conn.execute(update(requests).where(text("1 = 0")).values(status=None))
        except (OperationalError, DBAPIError):
            return False
        return True

    async def deliver(self, document: InboundDocument) -> Handover:
        return await self._insert(document, None)

    async def replaced(self, document: InboundDocument, replacement: Replacement) -> Handover:
        """The new version's row names the row it replaces; that one is withdrawn in the same transaction."""
        return await self._insert(document, replacement)

    async def cancelled(self, notice: Cancellation) -> None:
        """Mark the version's row withdrawn: the legacy system skips it and its decision is not read."""
        log = self.context.log.bind(submission_id=notice.submission_id, version=notice.version, kind=notice.kind)
        if notice.kind.lower().replace("_", "-") == "decision-not-applied":
            log.info("sanitary decision not applied by the hub", reason=notice.reason)
            return
        try:
            async with self.engine.begin() as conn:
                withdrawn = await self._withdraw(conn, notice.submission_id, notice.version, notice.reason)
                if withdrawn == 0:  # not taken yet: a withdrawn row stands in, so a late deliver adds none
                    await self._tombstone(conn, notice)
        except (OperationalError, DBAPIError) as exc:
            raise AgencyUnavailable(f"sanitary table not available: {exc.orig!r}") from exc
        log.info("row withdrawn" if withdrawn else "withdrawn before it was handed over", rows=withdrawn)

    @staticmethod
    async def _tombstone(conn: AsyncConnection, notice: Cancellation) -> None:
        row = {
            "message_id": notice.message_id[:120],
            "submission_id": notice.submission_id,
            "submission_version": notice.version,
            "ucr": notice.ucr,
            "document": "{}",
            "received_at": datetime.now(UTC),
            "legacy_answers": 0,
            "adapter_retries": 0,
            "withdrawn_at": datetime.now(UTC),
            "withdrawn_reason": notice.reason[:4000],
        }
        with contextlib.suppress(IntegrityError):  # the same notice again
            async with conn.begin_nested():
                await conn.execute(requests.insert().values(**row))

    async def answered(self, response: QueryResponse) -> None:
        """Write the trader's answer to the queried row; the legacy system decides once it sees it."""
        log = self.context.log.bind(submission_id=response.submission_id, query_id=response.query_id)
        row = self._row_of(response.submission_id, response.version)
        values = {"answer": response.answer, "answered_at": datetime.now(UTC)}
        try:
            async with self.engine.begin() as conn:
                result = await conn.execute(
                    update(requests).where(row & (requests.c.status == "QUERY")).values(**values)
                )
        except (OperationalError, DBAPIError) as exc:
            raise AgencyUnavailable(f"sanitary table not available: {exc.orig!r}") from exc
        if result.rowcount == 0:
            log.warning("no open query in the sanitary table for this answer: not passed on")
            return
        log.info("answer written to the sanitary table")

    @staticmethod
    def _row_of(submission_id: str, version: int) -> Any:
        return (
            (requests.c.submission_id == submission_id)
            & (requests.c.submission_version == version)
            & requests.c.withdrawn_at.is_(None)
        )

    async def _withdraw(self, conn: AsyncConnection, submission_id: str, version: int, reason: str) -> int:
        values = {"withdrawn_at": datetime.now(UTC), "withdrawn_reason": reason[:4000]}
        result = await conn.execute(update(requests).where(self._row_of(submission_id, version)).values(**values))
        return int(result.rowcount)

    async def _insert(self, document: InboundDocument, replacement: Replacement | None) -> Handover:
        row = {
            "message_id": document.message_id,
            "submission_id": document.submission_id,
            "submission_version": document.version,
            "ucr": document.ucr,
            "document": json.dumps(document.body, ensure_ascii=False),
            "received_at": datetime.now(UTC),
            "legacy_answers": 0,
            "adapter_retries": 0,
        }
        refused: IntegrityError | None = None
        try:
            async with self.engine.begin() as conn:
                withdrawn = await self._withdrawn_row(conn, document.submission_id, document.version)
                if withdrawn is not None:
                    self.context.log.info("not inserted: this version was withdrawn", request_no=withdrawn)
                    return Handover(reference=f"row-{withdrawn}")
                if replacement is not None:
                    row["replaces"] = await self._previous_row(conn, document.submission_id, replacement)
                try:
                    async with conn.begin_nested():
                        await conn.execute(requests.insert().values(**row))
                except IntegrityError as exc:  # the same message again, or the system's intake refused it
                    refused = exc
                number = (
                    await conn.execute(
                        select(requests.c.request_no).where(requests.c.message_id == document.message_id)
                    )
                ).scalar_one_or_none()
                if number is not None and replacement is not None:
                    why = f"replaced by version {document.version} (row {number})"
                    await self._withdraw(conn, document.submission_id, replacement.previous_version, why)
        except (OperationalError, DBAPIError) as exc:
            raise AgencyUnavailable(f"sanitary table not available: {exc.orig!r}") from exc
        if number is None:
            raise IntakeRefused(f"the sanitary system refused the row: {refused.orig if refused else 'no row'}")
        return Handover(reference=f"row-{number}")

    @staticmethod
    async def _withdrawn_row(conn: AsyncConnection, submission_id: str, version: int) -> int | None:
        query = select(requests.c.request_no).where(
            (requests.c.submission_id == submission_id)
            & (requests.c.submission_version == version)
            & requests.c.withdrawn_at.is_not(None)
        )
        return (await conn.execute(query.limit(1))).scalar_one_or_none()

    @staticmethod
    async def _previous_row(conn: AsyncConnection, submission_id: str, replacement: Replacement) -> int | None:
        reference = replacement.previous_reference or ""
        if reference.startswith("row-") and reference[4:].isdigit():
            return int(reference[4:])
        query = select(requests.c.request_no).where(
            (requests.c.submission_id == submission_id)
            & (requests.c.submission_version == replacement.previous_version)
        )
        found = (await conn.execute(query.order_by(requests.c.request_no.desc()))).first()
        return None if found is None else int(found.request_no)

    async def _poll_forever(self) -> None:
        while True:
            try:
                await self.poll_once()
            except (OperationalError, DBAPIError) as exc:
                self.context.log.warning("sanitary table not available for polling", error=str(exc.orig))
            except Exception:  # keep polling: one bad pass must not end late decisions for good
                self.context.log.exception("polling the sanitary table failed")
            await asyncio.sleep(self.context.config.poll_seconds)

    async def poll_once(self) -> int:
        """Handle every decided row not read since it was decided; returns how many rows were handled."""
        query = select(requests).where(
            requests.c.status.is_not(None)
            & requests.c.withdrawn_at.is_(None)  # a withdrawn version's decision is never applied
            & (requests.c.adapter_read_at.is_(None) | (requests.c.decided_at > requests.c.adapter_read_at))
        )
        async with self.engine.connect() as conn:
            rows = list(await conn.execute(query.order_by(requests.c.request_no)))
        for row in rows:
            try:
                await self._handle(row)
            except (OperationalError, DBAPIError):
                raise
            except Exception as exc:  # one row must not hold up the others' decisions; tried again next pass
                self.context.log.warning("decision not published", request_no=row.request_no, error=str(exc))
        return len(rows)

    async def _handle(self, row: Any) -> None:
        outcome: DecisionDraft | AskAgain = read_decision(row)
        log = self.context.log.bind(request_no=row.request_no, submission_id=row.submission_id)
        if isinstance(outcome, AskAgain):
            if row.adapter_retries >= self.context.config.max_retries:
                log.error("legacy system keeps answering badly; giving up on this row", why=outcome.why)
                await self._mark(row.request_no, {"adapter_read_at": datetime.now(UTC)})
                return
            log.warning("asking the legacy system again", why=outcome.why)
            cleared = {"status": None, "reason": None, "conditions": None, "decided_at": None}
            await self._mark(row.request_no, {**cleared, "adapter_retries": row.adapter_retries + 1})
            return
        sequence = await self.context.decide(row.submission_id, row.submission_version, outcome)
        await self._mark(row.request_no, {"adapter_read_at": datetime.now(UTC)})
        log.info("decision", status=outcome.status.value, sequence=sequence)

    async def _mark(self, request_no: int, values: dict[str, Any]) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(update(requests).where(requests.c.request_no == request_no).values(**values))
