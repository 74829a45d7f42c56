"""A trader in a real browser: signs in with the keyboard, fills the consignment form, sees the hub's field
error next to the field, fixes it, attaches a file (its SHA-256 shown), submits, and watches the status reach
the consolidated decision live while the border guard's officer, in a second browser context, claims and
decides in the console (the embedded portal's border guard decides only through its officers), with its
signed QR code (verified as current by the hub and in the officer's console) and its PDF downloaded; the
dashboard then shows the run's numbers; amends a submission through the prefilled form; another trader gets
404 for a submission's URL, as for a missing id."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from singlewindow.platform.api.client import HubClient
from singlewindow.platform.specs import Catalog
from singlewindow.platform.web.embedded import OFFICER, OTHER_TRADER, TRADER
from singlewindow.platform.web.serve import PortalEndpoints

from .accessibility import accessibility_problems, first_tab_stop
from .conftest import Screens, new_context

pytestmark = pytest.mark.asyncio(loop_scope="module")
INVOICE = b"%PDF-1.4\n% commercial invoice WEB-TEST-0001\n"
HS_FIELD = "#f-goodsItems-0-commodityCode-hsCode"


async def sign_in(page: Page, portal: PortalEndpoints, name: str) -> None:
    """With the keyboard only: the token field by its label, Enter submits."""
    await page.goto(f"{portal.url}/signin")
    await page.locator("#token").focus()
    await page.keyboard.type(portal.tokens[name])
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{portal.url}/submissions")


async def test_trader_submits_through_the_form_and_watches_the_decision(
    browser: Browser, portal: PortalEndpoints, screens: Screens
) -> None:
    context = await new_context(browser)
    page = await context.new_page()
    await page.goto(f"{portal.url}/signin")
    assert (await first_tab_stop(page)).startswith("skip:")
    assert await accessibility_problems(page) == []
    await screens.shot(page, "signin")
    await sign_in(page, portal, TRADER)
    assert await accessibility_problems(page) == []
    await screens.shot(page, "submissions")

    await page.get_by_role("link", name="New submission").first.click()
    await screens.shot(page, "choose")
    await page.locator('a[href="/new/consignment?sample=01-apples-cn-to-kz-khorgos"]').click()
    await page.get_by_label("Trader reference").fill("WEB-TEST-0001")
    await page.locator(HS_FIELD).fill("08081")
    await page.get_by_role("button", name="Submit", exact=True).last.click()

    error = page.locator(f"{HS_FIELD}-error")
    await expect(error).to_contain_text("'08081' does not match")
    await expect(page.locator(HS_FIELD)).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#error-summary")).to_be_focused()
    assert await accessibility_problems(page) == []
    await screens.shot(page, "field-error", full_page=False)

    await page.locator(HS_FIELD).fill("080810")
    await page.get_by_label("File to attach").set_input_files(
        {"name": "invoice WEB-TEST-0001.pdf", "mimeType": "application/pdf", "buffer": INVOICE}
    )
    await page.get_by_label("Kind of file").select_option("INVOICE")
    await page.get_by_role("button", name="Attach", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text(hashlib.sha256(INVOICE).hexdigest())
    await screens.shot(page, "attached", full_page=False)

    await page.get_by_role("button", name="Submit", exact=True).last.click()
    await page.wait_for_url(re.compile(r"/submissions/s_[0-9a-f]+$"))
    await expect(page.locator("#consolidated-status")).not_to_have_text("CLEARED")  # the officer has not decided
    submission_id = page.url.rsplit("/", 1)[1]

    officer = await new_context(browser)
    desk = await officer.new_page()
    await officer_decides(desk, portal, submission_id, screens)
    await expect(page.locator("#consolidated-status")).to_have_text("CLEARED", timeout=15_000)
    assert await accessibility_problems(page) == []
    await screens.shot(page, "cleared")
    await page.get_by_role("link", name="Consolidated decision").click()
    await expect(page.locator("h1")).to_have_text("Consolidated decision: CLEARED")
    await expect(page.locator("#status-qr svg title")).to_have_text(re.compile(r"^QR: s_[0-9a-f]+$"))
    payload = await page.locator(".payload code").inner_text()
    assert await accessibility_problems(page) == []
    await screens.shot(page, "decision")
    async with page.expect_download() as downloading:
        await page.get_by_role("link", name="Download the decision (PDF)").click()
    download = await downloading.value
    assert re.fullmatch(r"decision-s_[0-9a-f]+-v1\.pdf", download.suggested_filename)
    pdf = await asyncio.to_thread(Path(await download.path()).read_bytes)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1000
    async with HubClient(portal.hub_url, portal.tokens[TRADER]) as hub:  # the border officer's check
        verdict = await hub.verify_status_proof(payload)
    assert (verdict["verdict"], verdict["statement"]["status"]) == ("current", "CLEARED")
    await context.close()

    await desk.goto(f"{portal.url}/console")  # the officer at the border scans the decision's QR code
    await desk.get_by_label("Scan or type a QR code, UCR or submission id").fill(payload)
    await desk.keyboard.press("Enter")
    await expect(desk.locator("#proof-title")).to_contain_text("Signed by the hub and current")
    await expect(desk.locator("#proof-status")).to_have_text("CLEARED")
    assert await accessibility_problems(desk) == []
    await screens.shot(desk, "officer-verifies-qr")

    await desk.goto(f"{portal.url}/dashboard")
    await expect(desk.locator('[data-figure="consignments"]')).to_have_text("1")
    await expect(desk.locator('[data-figure="released"]')).to_have_text("1")
    await expect(desk.locator("#agencies tbody th", has_text="border-guard")).to_have_count(1)
    assert await accessibility_problems(desk) == []
    await screens.shot(desk, "dashboard")
    await officer.close()


async def officer_decides(page: Page, portal: PortalEndpoints, submission_id: str, screens: Screens) -> None:
    """The border guard's officer: finds the submission in the queue (its adapter queued it a moment ago),
    opens, claims and accepts it."""
    await sign_in(page, portal, OFFICER)
    row = page.locator("#queue tr", has_text=submission_id)
    for _ in range(50):
        await page.goto(f"{portal.url}/console")
        if await row.count():
            break
        await page.wait_for_timeout(100)
    assert await accessibility_problems(page) == []
    await screens.shot(page, "officer-queue")
    await row.get_by_role("link").click()
    await page.get_by_role("button", name="Claim", exact=True).click()
    await expect(page.locator("#claim-state")).to_contain_text("claimed by you")
    assert await accessibility_problems(page) == []
    await screens.shot(page, "officer-claimed")
    await page.get_by_label("Decision", exact=True).select_option("ACCEPTED")
    await page.get_by_role("button", name="Record the decision").click()
    await expect(page.locator("#claim-state")).to_have_text("decided")
    await expect(page.locator("#history")).to_contain_text("OFFICER_DECIDED")
    await screens.shot(page, "officer-decided")


async def test_trader_amends_through_the_form(browser: Browser, portal: PortalEndpoints, screens: Screens) -> None:
    sample = json.loads(Catalog().get("consignment").valid_examples[2].read_text(encoding="utf-8"))
    async with HubClient(portal.hub_url, portal.tokens[TRADER]) as hub:
        answer = await hub.submit({**sample, "traderReference": "WEB-TEST-AMEND"})
    submission_id = answer["submission"]["submissionId"]
    context = await new_context(browser)
    page = await context.new_page()
    await sign_in(page, portal, TRADER)
    await page.goto(f"{portal.url}/submissions/{submission_id}")
    await page.get_by_role("link", name="Amend the document").click()
    await expect(page.locator("h1")).to_contain_text(f"Amend {submission_id}")
    description = page.locator("#f-goodsItems-0-description")
    await expect(description).to_have_value(sample["goodsItems"][0]["description"])  # prefilled from the hub
    await description.fill("Amended in the browser")
    assert await accessibility_problems(page) == []
    await screens.shot(page, "amend-form", full_page=False)
    await page.get_by_role("button", name="Submit", exact=True).last.click()
    await page.wait_for_url(f"{portal.url}/submissions/{submission_id}")
    await expect(page.locator("#live-status h2 small")).to_have_text("(version 2)")
    await screens.shot(page, "amended")
    async with HubClient(portal.hub_url, portal.tokens[TRADER]) as hub:
        stored = await hub.document(submission_id)
    assert (stored["version"], stored["document"]["goodsItems"][0]["description"]) == (2, "Amended in the browser")
    await context.close()


async def test_another_trader_gets_404_for_a_foreign_submission(
    browser: Browser, portal: PortalEndpoints, screens: Screens
) -> None:
    sample = json.loads(Catalog().get("consignment").valid_examples[1].read_text(encoding="utf-8"))
    async with HubClient(portal.hub_url, portal.tokens[TRADER]) as hub:
        answer = await hub.submit({**sample, "traderReference": "WEB-TEST-FOREIGN"})
    foreign = f"{portal.url}/submissions/{answer['submission']['submissionId']}"

    owner = await new_context(browser)
    page = await owner.new_page()
    await sign_in(page, portal, TRADER)
    response = await page.goto(foreign)
    assert response is not None and response.status == 200
    await owner.close()

    other = await new_context(browser, "kk-KZ")  # the pages follow the browser's language
    page = await other.new_page()
    await sign_in(page, portal, OTHER_TRADER)
    await expect(page.locator("h1")).to_have_text("Менің өтінімдерім")
    response = await page.goto(foreign)
    assert response is not None and response.status == 404
    await expect(page.locator("h1")).to_have_text("Табылмады")
    text_foreign = await page.locator("main").inner_text()
    missing = await page.goto(f"{portal.url}/submissions/s_0000000000000000")
    assert missing is not None and missing.status == 404
    assert await page.locator("main").inner_text() == text_foreign  # nothing tells the two apart
    await screens.shot(page, "foreign-404")
    await other.close()
