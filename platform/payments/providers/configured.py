"""The payment provider a hub's settings name (``fees.provider``), and the loop that reconciles what it
books: the bank's notifications arrive when the bank sends them, not when a trader asks."""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from singlewindow.platform.payments.provider import Party, PaymentProvider
from singlewindow.platform.payments.providers.embedded import EmbeddedProvider
from singlewindow.platform.payments.providers.iso20022.provider import Iso20022Config, Iso20022Provider
from singlewindow.platform.payments.service import PaymentService
from singlewindow.platform.settings import FeeSettings

log = structlog.get_logger(__name__)


def provider_from_settings(settings: FeeSettings) -> PaymentProvider | None:
    """None when the hub takes no payments (``provider = "none"``, or fees are off)."""
    if not settings.enabled or settings.provider == "none":
        return None
    if settings.provider == "embedded":
        log.warning("payments: the embedded provider books every payment at once; for demos and tests only")
        return EmbeddedProvider()
    assert settings.bank_outbox is not None and settings.bank_inbox is not None  # checked by the settings
    creditor = Party(settings.creditor_name, settings.creditor_account, settings.creditor_bic)
    return Iso20022Provider(Iso20022Config(settings.bank_outbox, settings.bank_inbox, creditor))


async def reconcile_notices(
    service: PaymentService, provider: PaymentProvider, stop: asyncio.Event, interval_seconds: float
) -> None:
    """Every ``interval_seconds`` until ``stop``: the provider's new notices reconciled (idempotently, so a
    notice read twice, or also imported by hand, settles nothing twice). A failed pass is logged and retried."""
    while not stop.is_set():
        try:
            notices = await provider.notices()
            if notices:
                report = await service.import_notices(notices)
                log.info("payment notices reconciled", notices=len(notices), exceptions=len(report.exceptions))
        except Exception as exc:  # a bad pass must not end the loop: the next one retries
            log.warning("payment notices not reconciled; retrying", error=repr(exc))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_seconds)
