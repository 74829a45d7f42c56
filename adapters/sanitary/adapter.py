"""The sanitary adapter: one row per document in the agency's shared table, decisions polled back.

``deliver`` inserts the row (a second insert of the same message id changes nothing) and returns its row
number. A poller reads rows whose decision columns are filled and not yet read (or written again since):
a readable decision is published (a duplicate is recognised by its content), anything else is cleared for
the legacy system to decide again, at most ``max_retries`` times. A locked or missing table means the
system is down: ``deliver`` raises AgencyUnavailable and the breaker pauses consumption.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from singlewindow.adapters import Adapter, AdapterContext, AgencyUnavailable, DecisionDraft, Handover, InboundDocument
from singlewindow.adapters.sanitary.columns import AskAgain, read_decision
from singlewindow.adapters.sanitary.config import SanitaryConfig
from singlewindow.adapters.sanitary.database import agency_engine
from singlewindow.adapters.sanitary.table import requests


class SanitaryTableAdapter(Adapter[SanitaryConfig]):
    """Sanitary-epidemiological service: a shared database table its legacy system polls and decides in."""

    agency = "sanitary"
    config_model = SanitaryConfig

    def __init__(self) -> None:
        self._poller: asyncio.Task[None] | None = None

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
        try:
            async with self.engine.begin() as conn:
                with contextlib.suppress(IntegrityError):
                    async with conn.begin_nested():
                        await conn.execute(requests.insert().values(**row))
                number = (
                    await conn.execute(
                        select(requests.c.request_no).where(requests.c.message_id == document.message_id)
                    )
                ).scalar_one()
        except (OperationalError, DBAPIError) as exc:
            raise AgencyUnavailable(f"sanitary table not available: {exc.orig!r}") from exc
        return Handover(reference=f"row-{number}")

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
            & (requests.c.adapter_read_at.is_(None) | (requests.c.decided_at > requests.c.adapter_read_at))
        )
        async with self.engine.connect() as conn:
            rows = list(await conn.execute(query.order_by(requests.c.request_no)))
        for row in rows:
            await self._handle(row)
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
