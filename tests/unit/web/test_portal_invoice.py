"""The portal shows the trader the invoice of a hub that charges fees: its lines per agency and fee, the RF
payment reference, what is due; on the decision page of a cancelled submission, the lines voided."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import pytest_asyncio

from singlewindow.platform.identity import Role
from singlewindow.platform.settings import AttachmentSettings, FeeSettings, HubSettings, Settings
from singlewindow.platform.specs import Catalog
from singlewindow.platform.testing import embedded_hub

from .portal_stack import portal_over

pytestmark = pytest.mark.asyncio(loop_scope="module")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
APPLES = json.loads(next(p for p in Catalog().get("consignment").valid_examples if "apples" in p.name).read_text())


@dataclass
class Portal:
    http: httpx.AsyncClient
    hub: httpx.AsyncClient
    token: str

    def bearer(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}

    async def sign_in(self) -> None:
        self.http.cookies.clear()
        page = await self.http.get("/signin")
        csrf = CSRF.search(page.text)
        assert csrf
        answer = await self.http.post("/signin", data={"csrf": csrf.group(1), "token": self.token})
        assert answer.status_code == 303, answer.text

    async def priced(self, reference: str) -> str:
        body = {"documentType": "consignment", "document": {**APPLES, "traderReference": reference}}
        submission_id = str(
            (await self.hub.post("/v1/submissions", json=body, headers=self.bearer())).json()["submission"][
                "submissionId"
            ]
        )
        for _ in range(500):
            if (
                await self.hub.get(f"/v1/submissions/{submission_id}/invoice", headers=self.bearer())
            ).status_code == 200:
                return submission_id
            await asyncio.sleep(0.01)
        raise AssertionError("never priced")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def portal(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Portal]:
    tmp_path = tmp_path_factory.mktemp("portal")
    settings = Settings(
        attachments=AttachmentSettings(folder=tmp_path / "blobs"),
        hub=HubSettings(status_keys_dir=tmp_path / "status-keys"),
        fees=FeeSettings(enabled=True),
    )
    async with embedded_hub(tmp_path / "hub.db", settings) as embedded:
        hub = embedded.hub
        token = (await hub.principals.add("trader", Role.TRADER)).token
        async with portal_over(hub, settings) as (web, hub_http):
            yield Portal(web, hub_http, token)


async def test_the_submission_page_shows_the_invoice_to_pay(portal: Portal) -> None:
    submission_id = await portal.priced("WEB-FEES-1")
    await portal.sign_in()
    page = (await portal.http.get(f"/submissions/{submission_id}")).text
    assert 'id="invoice"' in page and re.search(r"<code>RF\d\dNSW[0-9A-F]{14}</code>", page)
    for description in ("Customs processing fee per declaration", "Phytosanitary certificate check",
                        "Sanitary-epidemiological document check"):  # fmt: skip
        assert description in page
    assert "KZT: Due 1756140.00, Received 0.00" in page and page.count('class="status status-DUE"') == 5


async def test_the_decision_page_of_a_cancelled_submission_shows_the_lines_voided(portal: Portal) -> None:
    submission_id = await portal.priced("WEB-FEES-2")
    await portal.hub.post(f"/v1/submissions/{submission_id}/cancel", json={}, headers=portal.bearer())
    await portal.sign_in()
    page = (await portal.http.get(f"/submissions/{submission_id}/decision")).text
    assert 'class="status status-CANCELLED"' in page and page.count('class="status status-VOID"') == 5
