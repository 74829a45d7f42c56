"""Issue 18, fees: two ``nsw hub run`` processes charging fees on RabbitMQ and PostgreSQL. A consignment is
priced when routed (one invoice, a line per agency and fee), every agency accepts, and the hub holds the
release (AWAITING_PAYMENT, never CLEARED) until the payment is reconciled; then it is CLEARED exactly once,
published through the outbox like a decision's status, and a notice read twice settles nothing twice."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.hub.messages import status_document, status_message
from singlewindow.platform.hub.schemas import ServiceSchemaSource, build_codec
from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.payments.invoices import InvoiceBook
from singlewindow.platform.payments.provider import PaymentNotice
from singlewindow.platform.payments.reconcile import APPLIED, DUPLICATE, Reconciler
from singlewindow.platform.payments.schedules import FeeSchedules
from singlewindow.platform.specs import Catalog
from singlewindow.platform.state import OutboxMessage, StatusChange
from singlewindow.platform.storage import open_engine
from singlewindow.platform.storage.tables import outbox, terminal_statuses
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings
from singlewindow.registry.storage.engine import create_engine as create_registry_engine
from singlewindow.registry.storage.store import SchemaStore

from .two_hubs import Cluster, deciders, two_hub_cluster, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]


@dataclass
class Env:
    cluster: Cluster
    http: httpx.AsyncClient
    engine: AsyncEngine
    tokens: dict[str, str]
    reconciler: Reconciler

    def headers(self, who: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.tokens[who]}"}

    async def get(self, path: str, who: str = "trader", hub: int = 1) -> httpx.Response:
        return await self.http.get(f"{self.cluster.hubs[hub].http_url}{path}", headers=self.headers(who))

    async def status(self, submission_id: str) -> str:
        return str((await self.get(f"/v1/submissions/{submission_id}")).json()["status"])


def apples() -> dict[str, Any]:
    path = next(p for p in Catalog().get("consignment").valid_examples if "apples" in p.name)
    document: dict[str, Any] = json.loads(path.read_text())
    tag = secrets.token_hex(4).upper()
    document["ucr"] = f"{document['ucr'][:-8]}{tag}"
    document["traderReference"] = f"{document['traderReference'][:20]}-{tag}"
    return document


@pytest.fixture(scope="module")
def cluster(
    rabbitmq_available: None,
    rabbitmq_management_available: None,
    module_postgres_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    fees = {"NSW_FEES__ENABLED": "true"}
    with two_hub_cluster(module_postgres_url, tmp_path_factory.mktemp("hubs"), "nsw-fees", fees) as started:
        yield started


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def env(cluster: Cluster) -> AsyncIterator[Env]:
    engine = open_engine(cluster.database_url)
    principals = PrincipalStore(engine)
    tokens = {
        "trader": (await principals.add("fees-trader", Role.TRADER)).token,
        "sanitary": (await principals.add("fees-sanitary", Role.AGENCY, "sanitary")).token,
    }
    store = SchemaStore(create_registry_engine(cluster.database_url))
    codec = await build_codec(ServiceSchemaSource(RegistryService(store, RegistrySettings())), Catalog().names())

    def encode(change: StatusChange) -> OutboxMessage:  # exactly as the hub encodes its statuses
        return status_message(change, codec.encode("clearance-status", status_document(change)), codec.content_type)

    reconciler = Reconciler(engine, InvoiceBook(FeeSchedules.load()), encode)
    try:
        async with deciders(cluster), httpx.AsyncClient(timeout=30) as http:
            yield Env(cluster, http, engine, tokens, reconciler)
    finally:
        await store.close()
        await engine.dispose()


async def test_release_waits_for_the_payment_and_clears_once(env: Env) -> None:
    hub0 = env.cluster.hubs[0].http_url
    submitted = await env.http.post(
        f"{hub0}/v1/submissions",
        json={"documentType": "consignment", "document": apples()},
        headers=env.headers("trader"),
    )
    assert submitted.status_code == 201, submitted.text
    sid = str(submitted.json()["submission"]["submissionId"])

    async def awaiting() -> bool:
        return await env.status(sid) == "AWAITING_PAYMENT"

    await wait_until(awaiting, 30, f"{sid} AWAITING_PAYMENT")
    details = (await env.get(f"/v1/submissions/{sid}")).json()
    assert {r["effectiveStatus"] for r in details["recipients"]} == {"ACCEPTED"} and details["terminal"] is False

    invoice = (await env.get(f"/v1/submissions/{sid}/invoice")).json()
    assert sorted({line["agency"] for line in invoice["lines"]}) == ["customs", "phytosanitary", "sanitary"]
    (total,) = invoice["totals"]
    assert total["currency"] == "KZT" and Decimal(total["due"]) == Decimal("1756140.00")
    own = (await env.get(f"/v1/agency/invoices/{sid}", who="sanitary", hub=0)).json()
    assert [line["feeCode"] for line in own["lines"]] == ["SAN-DOC"] and "totals" not in own

    booked = datetime.now(UTC)
    entry = f"CAMT-{secrets.token_hex(6)}"
    notice = PaymentNotice("bank", entry, invoice["reference"], Decimal(total["due"]), "KZT", booked, "Fees trader")
    applied, _ = await env.reconciler.apply(notice)
    assert applied.outcome == APPLIED and applied.status is not None and applied.status.status.value == "CLEARED"
    again, rows = await env.reconciler.apply(notice)
    assert (again.outcome, rows) == (DUPLICATE, [])

    async def cleared() -> bool:
        return await env.status(sid) == "CLEARED"

    await wait_until(cleared, 30, f"{sid} CLEARED")
    terminal_id = f"{sid}.v1.terminal"

    async def published() -> bool:  # the hubs' outbox sweep publishes what the reconciliation enqueued
        query = select(outbox.c.published_at).where(outbox.c.message_id == terminal_id)
        async with env.engine.connect() as conn:
            return (await conn.execute(query)).scalar_one_or_none() is not None

    await wait_until(published, 30, f"{terminal_id} published")
    async with env.engine.connect() as conn:
        count = select(func.count()).select_from(terminal_statuses).where(terminal_statuses.c.submission_id == sid)
        assert (await conn.execute(count)).scalar_one() == 1
    paid = (await env.get(f"/v1/submissions/{sid}/invoice")).json()
    assert paid["status"] == "PAID" and [p["entryReference"] for p in paid["payments"]] == [entry]
