"""The portal in process in front of an embedded hub: the decision page carries the hub's signed QR code and a
PDF of the decision; the amend page is the generated form prefilled with the current document, and posting it
makes version 2 with the status reset; another trader gets the 404 of a missing id for both."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from html.parser import HTMLParser

import httpx
import pytest
import pytest_asyncio

from singlewindow.platform.identity import Role
from singlewindow.platform.settings import AttachmentSettings, HubSettings, Settings
from singlewindow.platform.specs import Catalog
from singlewindow.platform.testing import embedded_hub

from .portal_stack import portal_over

pytestmark = pytest.mark.asyncio(loop_scope="module")
REFERENCES = itertools.count(1)
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
APPLES = json.loads(next(p for p in Catalog().get("consignment").valid_examples if "apples" in p.name).read_text())


class PostedFields(HTMLParser):
    """What a browser posts from a page's form: text inputs, ticked checkboxes, selected options."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        name = found.get("name") or ""
        if tag == "input" and name.startswith("/"):
            if found.get("type") != "checkbox" or "checked" in found:
                self.fields[name] = found.get("value") or ""
        elif tag == "select" and name.startswith("/"):
            self._select, self.fields[name] = name, ""
        elif tag == "option" and self._select and "selected" in found:
            self.fields[self._select] = found.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


@dataclass
class Portal:
    http: httpx.AsyncClient
    hub: httpx.AsyncClient
    tokens: dict[str, str]

    async def sign_in(self, who: str) -> str:
        self.http.cookies.clear()  # a new browser: the module's tests share one client
        page = await self.http.get("/signin")
        answer = await self.http.post("/signin", data={"csrf": _csrf(page.text), "token": self.tokens[who]})
        assert answer.status_code == 303, answer.text
        return _csrf((await self.http.get("/new")).text)

    async def submitted(self) -> str:
        """A new submission of the apples example under a reference of its own."""
        body = {"documentType": "consignment", "document": {**APPLES, "traderReference": f"WEB-{next(REFERENCES)}"}}
        answer = await self.hub.post("/v1/submissions", json=body, headers=self.bearer("trader"))
        return str(answer.json()["submission"]["submissionId"])

    def bearer(self, who: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.tokens[who]}"}


def _csrf(html: str) -> str:
    found = CSRF.search(html)
    assert found, html[:300]
    return found.group(1)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def portal(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Portal]:
    """One hub and portal for the module (each test submits its own consignment)."""
    tmp_path = tmp_path_factory.mktemp("portal")
    settings = Settings(
        attachments=AttachmentSettings(folder=tmp_path / "blobs"),
        hub=HubSettings(status_keys_dir=tmp_path / "status-keys"),
    )
    async with embedded_hub(tmp_path / "hub.db", settings) as embedded:
        hub = embedded.hub
        tokens = {name: (await hub.principals.add(name, Role.TRADER)).token for name in ("trader", "other")}
        async with portal_over(hub, settings) as (web, hub_http):
            yield Portal(web, hub_http, tokens)


async def test_amending_through_the_form_makes_a_new_version_and_resets_the_status(portal: Portal) -> None:
    submission_id = await portal.submitted()
    csrf = await portal.sign_in("trader")
    page = await portal.http.get(f"/submissions/{submission_id}/amend")
    assert page.status_code == 200 and f'action="/submissions/{submission_id}/amend"' in page.text
    parser = PostedFields()
    parser.feed(page.text)
    assert parser.fields["/goodsItems/0/description"] == APPLES["goodsItems"][0]["description"]  # prefilled
    parser.fields["/goodsItems/0/description"] = "Fresh apples, Golden Delicious, amended"
    answer = await portal.http.post(f"/submissions/{submission_id}/amend", data={**parser.fields, "csrf": csrf})
    assert (answer.status_code, answer.headers["location"]) == (303, f"/submissions/{submission_id}")
    view = (await portal.hub.get(f"/v1/submissions/{submission_id}", headers=portal.bearer("trader"))).json()
    assert view["version"] == 2 and view["status"] in {"RECEIVED", "UNDER_REVIEW"} and not view["terminal"]
    stored = (await portal.hub.get(f"/v1/submissions/{submission_id}/document", headers=portal.bearer("trader"))).json()
    amended_item = {**APPLES["goodsItems"][0], "description": "Fresh apples, Golden Delicious, amended"}
    expected = {
        **APPLES,
        "traderReference": view["traderReference"],
        "goodsItems": [amended_item, *APPLES["goodsItems"][1:]],
    }
    assert stored["document"] == expected


async def test_the_decision_page_has_the_signed_qr_code_and_a_pdf(portal: Portal) -> None:
    submission_id = await portal.submitted()
    await portal.hub.post(f"/v1/submissions/{submission_id}/cancel", json={}, headers=portal.bearer("trader"))
    await portal.sign_in("trader")
    page = await portal.http.get(f"/submissions/{submission_id}/decision")
    assert page.status_code == 200
    payload = re.search(r"<code>(NSW1\.[A-Za-z0-9_.-]+)</code>", page.text)
    assert payload and '<svg width="' in page.text and f"<title>QR: {submission_id}</title>" in page.text
    verdict = await portal.hub.post("/v1/status-proofs/verify", json={"payload": payload.group(1)},
                                    headers=portal.bearer("other"))  # fmt: skip
    assert (verdict.json()["verdict"], verdict.json()["statement"]["status"]) == ("current", "CANCELLED")
    pdf = await portal.http.get(f"/submissions/{submission_id}/decision.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and pdf.headers["content-disposition"] == (
        f'attachment; filename="decision-{submission_id}-v1.pdf"'
    )


async def test_another_trader_gets_404_for_the_decision_the_pdf_and_the_amend_page(portal: Portal) -> None:
    submission_id = await portal.submitted()
    await portal.hub.post(f"/v1/submissions/{submission_id}/cancel", json={}, headers=portal.bearer("trader"))
    await portal.sign_in("other")
    for path in ("decision", "decision.pdf", "amend"):
        assert (await portal.http.get(f"/submissions/{submission_id}/{path}")).status_code == 404, path


async def test_a_decision_before_the_end_goes_back_to_the_submission(portal: Portal) -> None:
    submission_id = await portal.submitted()
    await portal.sign_in("trader")
    for path in ("decision", "decision.pdf"):
        answer = await portal.http.get(f"/submissions/{submission_id}/{path}")
        assert (answer.status_code, answer.headers["location"]) == (303, f"/submissions/{submission_id}")


async def test_the_form_ships_each_code_list_once(portal: Portal) -> None:
    await portal.sign_in("trader")
    page = (await portal.http.get("/new/consignment?sample=01-apples-cn-to-kz-khorgos")).text
    assert page.count('<datalist id="codes-countries">') == 1 and page.count('list="codes-countries"') > 5
    assert 'name="/consignor/address/country" value="CN" list="codes-countries"' in page
    assert len(page.encode()) < 150_000  # 393 KB when every field carried its own options
