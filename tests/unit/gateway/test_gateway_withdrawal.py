"""A document withdrawn where it was submitted is withdrawn at the partner too: CN's termination notice
reaches KZ (a cross-border submission waiting for KZ customs); CN's carrier cancels it in CN; CN's gateway
sends a signed withdrawal; KZ's gateway cancels its cross-border submission, and KZ customs is told."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from singlewindow.platform.demo.crossborder import CASES, document
from singlewindow.platform.testing.crossborder import two_countries


async def until(condition: Callable[[], Awaitable[bool]], within: float = 20.0) -> None:
    async with asyncio.timeout(within):
        while True:
            if await condition():
                return
            await asyncio.sleep(0.05)


async def test_a_cancelled_termination_notice_is_cancelled_at_the_partner(tmp_path: Path) -> None:
    tir, termination = next(c for c in CASES if c.key == "tir").steps
    async with two_countries(tmp_path, kz_agencies=None) as pair:  # KZ customs silent: nothing decided yet
        kz, cn = pair.kz, pair.cn
        declared = await kz.submit(tir.document_type, document(tir), "TIR-1")

        async def announced() -> bool:
            view = await kz.hub.intake.get(kz.trader, declared)
            return any(r.recipient == "partner-cn" and r.decision for r in view.recipients)

        await until(announced)
        terminated = await cn.submit(termination.document_type, document(termination), "TTN-1")

        async def sealed() -> bool:
            return bool(await cn.gateway.store.sent_for("kz", terminated))

        await until(sealed)
        (sent,) = await cn.gateway.store.sent_for("kz", terminated)

        async def taken_in_kz() -> bool:
            received = await kz.gateway.store.received("cn", sent.envelope_id)
            return received is not None and received.submission_id is not None

        await until(taken_in_kz)
        received = await kz.gateway.store.received("cn", sent.envelope_id)
        assert received is not None and received.submission_id is not None
        in_kz = await kz.hub.intake.get(kz.partner_principal, received.submission_id)
        assert in_kz.status.value in ("RECEIVED", "UNDER_REVIEW") and {r.recipient for r in in_kz.recipients} == {
            "customs"
        }

        await cn.hub.intake.cancel(cn.trader, terminated, "wrong carnet voucher")

        async def cancelled_in_kz() -> bool:
            view = await kz.hub.intake.get(kz.partner_principal, received.submission_id)
            return view.status.value == "CANCELLED"

        await until(cancelled_in_kz)
        withdrawals = [s for s in await cn.gateway.store.sent_for("kz", terminated) if s.kind == "withdrawal"]
        assert len(withdrawals) == 1 and withdrawals[0].document_type == "cancellation-notice"

        async def receipted() -> bool:
            fresh = await cn.gateway.store.sent(withdrawals[0].envelope_id)
            return fresh is not None and fresh.receipt_outcome == "ACCEPTED"

        await until(receipted)
        assert (await kz.gateway.store.counts("cn")).quarantined == 0


async def test_an_amended_document_replaces_the_partners_cross_border_submission(tmp_path: Path) -> None:
    tir, termination = next(c for c in CASES if c.key == "tir").steps
    async with two_countries(tmp_path, kz_agencies=None) as pair:
        kz, cn = pair.kz, pair.cn
        declared = await kz.submit(tir.document_type, document(tir), "TIR-2")

        async def announced() -> bool:
            view = await kz.hub.intake.get(kz.trader, declared)
            return any(r.recipient == "partner-cn" and r.decision for r in view.recipients)

        await until(announced)
        notice = document(termination)
        terminated = await cn.submit(termination.document_type, notice, "TTN-2")

        async def taken(version: int) -> str | None:
            for sent in await cn.gateway.store.sent_for("kz", terminated):
                if sent.version == version and sent.kind == "document":
                    received = await kz.gateway.store.received("cn", sent.envelope_id)
                    return received.submission_id if received and received.submission_id else None
            return None

        async def first_taken() -> bool:
            return await taken(1) is not None

        await until(first_taken)
        await cn.hub.intake.amend(cn.trader, terminated, {**notice, "voucherNumber": notice["voucherNumber"] + 1})

        async def replaced() -> bool:
            old, new = await taken(1), await taken(2)
            if old is None or new is None:
                return False
            statuses = [(await kz.hub.intake.get(kz.partner_principal, s)).status.value for s in (old, new)]
            return statuses[0] == "CANCELLED" and statuses[1] in ("RECEIVED", "UNDER_REVIEW")

        await until(replaced)
        kinds = sorted(s.kind for s in await cn.gateway.store.sent_for("kz", terminated))
        assert kinds == ["document", "document", "withdrawal"]
