"""The invoice and payment API on an embedded hub that charges fees: a trader reads and pays only its own
submissions' invoices, an agency reads only its own lines, and the release waits for the payment."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from singlewindow.platform.aggregation import Consolidated, Decision, DecisionStatus
from singlewindow.platform.api.agency_services import agency_services_app, build_agency_services
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.payments.providers.embedded import EmbeddedProvider
from singlewindow.platform.settings import AttachmentSettings, FeeSettings, Settings
from singlewindow.platform.specs import Catalog, DocumentValidator
from singlewindow.platform.testing import EmbeddedHub, embedded_hub

AGENCIES = ["border-guard", "customs", "phytosanitary", "sanitary"]


@dataclass
class Env:
    embedded: EmbeddedHub
    http: httpx.AsyncClient
    tokens: dict[str, str]
    principals: dict[str, Principal]
    ledger: EmbeddedProvider

    def auth(self, who: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.tokens[who]}"}


def apples() -> dict[str, Any]:
    path = next(p for p in Catalog().get("consignment").valid_examples if "apples" in p.name)
    document: dict[str, Any] = json.loads(path.read_text())
    return document


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    settings = Settings(attachments=AttachmentSettings(folder=tmp_path / "blobs"), fees=FeeSettings(enabled=True))
    async with embedded_hub(tmp_path / "hub.db", settings) as embedded:
        ledger = EmbeddedProvider(name="test-bank")
        services = build_agency_services(embedded.hub, settings, DocumentValidator(Catalog()), ledger)
        tokens: dict[str, str] = {}
        principals: dict[str, Principal] = {}
        for name, role, agency in (
            ("trader", Role.TRADER, None),
            ("other-trader", Role.TRADER, None),
            ("sanitary-adapter", Role.AGENCY, "sanitary"),
            ("bg-officer", Role.OFFICER, "border-guard"),
        ):
            issued = await embedded.hub.principals.add(name, role, agency)
            tokens[name], principals[name] = issued.token, issued.principal
        transport = httpx.ASGITransport(app=agency_services_app(services))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
            yield Env(embedded, http, tokens, principals, ledger)


async def submitted(env: Env) -> str:
    view, _ = await env.embedded.hub.intake.submit(env.principals["trader"], "consignment", apples())
    for _ in range(500):
        if await env.embedded.hub.recipients.states(view.submission_id, 1):
            return view.submission_id
        await asyncio.sleep(0.01)
    raise AssertionError("not routed")


async def accept_all(env: Env, submission_id: str) -> Consolidated:
    hub = env.embedded.hub
    for n, agency in enumerate(AGENCIES):
        _, rows = await hub.recipients.apply_decision(
            submission_id, 1, agency, Decision(DecisionStatus.ACCEPTED, 1), {}, agency, f"{submission_id}.d{n}"
        )
        hub.relay.publish_soon(rows)
    return (await hub.submissions.version(submission_id, 1)).status


async def test_the_trader_reads_its_invoice_and_no_one_else_does(env: Env) -> None:
    sid = await submitted(env)
    own = await env.http.get(f"/v1/submissions/{sid}/invoice", headers=env.auth("trader"))
    assert own.status_code == 200
    body = own.json()
    assert body["status"] == "OPEN" and body["reference"].startswith("RF")
    assert sorted({line["agency"] for line in body["lines"]}) == ["customs", "phytosanitary", "sanitary"]
    for stranger in ("other-trader", "sanitary-adapter"):
        refused = await env.http.get(f"/v1/submissions/{sid}/invoice", headers=env.auth(stranger))
        assert refused.status_code == 404, stranger
    assert (await env.http.get(f"/v1/submissions/{sid}/invoice")).status_code == 401


async def test_an_agency_sees_only_its_own_lines(env: Env) -> None:
    sid = await submitted(env)
    sanitary = await env.http.get(f"/v1/agency/invoices/{sid}", headers=env.auth("sanitary-adapter"))
    assert sanitary.status_code == 200
    body = sanitary.json()
    assert body["agency"] == "sanitary" and [line["feeCode"] for line in body["lines"]] == ["SAN-DOC"]
    assert "totals" not in body and "payments" not in body  # neither the others' fees nor the trader's money
    nothing_charged = await env.http.get(f"/v1/agency/invoices/{sid}", headers=env.auth("bg-officer"))
    assert nothing_charged.status_code == 404
    trader = await env.http.get(f"/v1/agency/invoices/{sid}", headers=env.auth("trader"))
    assert trader.status_code == 403


async def test_release_waits_for_the_payment_made_through_the_api(env: Env) -> None:
    sid = await submitted(env)
    assert await accept_all(env, sid) is Consolidated.AWAITING_PAYMENT
    stranger = await env.http.post(f"/v1/submissions/{sid}/invoice/payments", headers=env.auth("other-trader"))
    assert stranger.status_code == 404 and env.ledger.name == "test-bank" and not await env.ledger.notices()
    paid = await env.http.post(f"/v1/submissions/{sid}/invoice/payments", headers=env.auth("trader"))
    assert paid.status_code == 201, paid.text
    body = paid.json()
    assert [i["provider"] for i in body["initiations"]] == ["test-bank"]
    assert [r["outcome"] for r in body["reconciled"]] == ["APPLIED"]
    assert body["invoice"]["status"] == "PAID" and body["invoice"]["totals"][0]["due"] == "0.00"
    assert (await env.embedded.hub.submissions.version(sid, 1)).status is Consolidated.CLEARED
    again = await env.http.post(f"/v1/submissions/{sid}/invoice/payments", headers=env.auth("trader"))
    assert again.status_code == 409
    kinds = [e.kind for e in await env.embedded.hub.events.of(sid)]
    assert kinds.index("PAYMENT_RECEIVED") < len(kinds) - 1 and kinds[-1] == "STATUS_CHANGED"


async def test_a_debtor_that_is_not_an_object_is_refused(env: Env) -> None:
    sid = await submitted(env)
    bad = await env.http.post(
        f"/v1/submissions/{sid}/invoice/payments", headers=env.auth("trader"), json={"debtor": "me"}
    )
    assert bad.status_code == 422 and bad.json()["problems"][0]["path"] == "/debtor"


async def test_a_debtor_with_control_characters_is_refused_before_any_bank_file(env: Env) -> None:
    sid = await submitted(env)
    bad = await env.http.post(
        f"/v1/submissions/{sid}/invoice/payments",
        headers=env.auth("trader"),
        json={"debtor": {"name": "Trader\u0000LLP", "account": "KZ86125KZT5004100100"}},
    )
    assert bad.status_code == 422 and bad.json()["problems"][0]["path"] == "/debtor/name"
    assert not await env.ledger.notices()
