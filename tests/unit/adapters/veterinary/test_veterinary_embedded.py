"""The veterinary adapter end to end on the embedded hub, against the CHED stand-in as a separate process:
decisions arrive later by webhook; a duplicate webhook changes nothing; the system down, slow, erroring or
answering malformed loses and duplicates nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from singlewindow.adapters import Cancellation, InboundDocument, Replacement
from singlewindow.adapters.standins import StandinProcess
from singlewindow.adapters.veterinary import VeterinaryAdapter
from singlewindow.adapters.veterinary.standin import ChedStore
from singlewindow.platform.routing import decide, project
from singlewindow.platform.settings import HubSettings, Settings
from singlewindow.platform.testing.embedded import embedded_hub
from singlewindow.platform.testing.harness import adapter_harness
from singlewindow.platform.testing.routing_copy import short_retry_routing

WAIT = 40.0  # seconds; generous because CI machines run many suites at once

STANDIN = "singlewindow.adapters.veterinary.standin"


@pytest.fixture
async def standin(tmp_path: Path) -> AsyncIterator[StandinProcess]:
    process = await StandinProcess.start(STANDIN, tmp_path / "ched.db", script={"decide_after_seconds": 0.3})
    yield process
    await process.stop()


@pytest.fixture
async def harness(tmp_path: Path, standin: StandinProcess) -> AsyncIterator[Any]:
    settings = Settings(hub=HubSettings(routing_dir=short_retry_routing(tmp_path / "routing", (1, 2, 3, 4))))
    config = {"ched_url": standin.url, "webhook_port": 0, "request_timeout_seconds": 1.0}
    options = {"probe_interval_seconds": 0.3, "failure_threshold": 2}
    from singlewindow.adapters.sdk.options import RuntimeOptions

    async with (
        embedded_hub(tmp_path / "hub.db", settings) as embedded,
        adapter_harness(
            embedded,
            VeterinaryAdapter(),
            store_url=f"sqlite+aiosqlite:///{tmp_path / 'adapter.db'}",
            config=config,
            options=RuntimeOptions(**options),
        ) as running,
    ):
        yield running


async def notifications(standin: StandinProcess) -> int:
    store = await ChedStore.open(str(standin.db))
    try:
        return await store.count()
    finally:
        await store.close()


async def test_beef_is_accepted_later_by_webhook(harness: Any, standin: StandinProcess) -> None:
    submission_id = await harness.submit("beef")
    await harness.wait_recipient(submission_id, "DELIVERED", within=WAIT)  # handed over: the CHED system decides later
    view = await harness.wait_recipient(submission_id, "ACCEPTED", within=WAIT)
    decision = next(r.decision for r in view.recipients if r.recipient == "veterinary")
    assert decision is not None and decision["references"][0]["id"].startswith("CHEDP.KZ.")
    assert len(await harness.decisions(submission_id)) == 1


async def test_live_sheep_without_certificate_are_rejected(harness: Any) -> None:
    submission_id = await harness.submit("sheep")
    view = await harness.wait_recipient(submission_id, "REJECTED", within=WAIT)
    decision = next(r.decision for r in view.recipients if r.recipient == "veterinary")
    assert "No veterinary certificate" in decision["reasons"][0]["text"]


async def test_a_duplicate_webhook_changes_nothing(harness: Any, standin: StandinProcess) -> None:
    await standin.set_script(decide_after_seconds=0.2, duplicate_webhooks=True)
    submission_id = await harness.submit("beef")
    await harness.wait_recipient(submission_id, "ACCEPTED", within=WAIT)
    await asyncio.sleep(0.5)
    assert len(await harness.decisions(submission_id)) == 1
    port = harness.runtime.adapter._webhook.port
    async with httpx.AsyncClient() as http:  # and once more by hand, after the fact
        ched = (
            await http.get(f"{standin.url}/ched/{(await harness.decisions(submission_id))[0]['references'][0]['id']}")
        ).json()
        again = await http.post(f"http://127.0.0.1:{port}/webhooks/ched", json=ched["decision"])
        assert again.status_code == 200
        early = await http.post(  # a decision for a hand-over not recorded (yet): the system must call again
            f"http://127.0.0.1:{port}/webhooks/ched", json={**ched["decision"], "localReference": "s_unknown.v1.a1"}
        )
        assert early.status_code == 503
        foreign = await http.post(
            f"http://127.0.0.1:{port}/webhooks/ched", json={**ched["decision"], "localReference": "X"}
        )
        assert foreign.json() == {"status": "unknown"}
    await asyncio.sleep(0.2)
    assert len(await harness.decisions(submission_id)) == 1


async def test_system_down_for_a_while_and_back_loses_and_duplicates_nothing(
    harness: Any, standin: StandinProcess
) -> None:
    await standin.stop()  # connections refused
    first = await harness.submit("beef")
    second = await harness.submit("beef")
    await asyncio.sleep(1.5)
    assert (await harness.recipient_status(first)) == "PENDING"
    await standin.restart()
    for submission_id in (first, second):
        await harness.wait_recipient(submission_id, "ACCEPTED", within=WAIT)
        assert len(await harness.decisions(submission_id)) == 1
    assert await notifications(standin) == 2


async def test_bad_answers_are_retried_without_duplicates(harness: Any, standin: StandinProcess) -> None:
    for mode in ("down", "error", "malformed-json", "malformed-schema"):
        await standin.set_script(mode=mode, times=2, decide_after_seconds=0.2)
        submission_id = await harness.submit("beef")
        await harness.wait_recipient(submission_id, "ACCEPTED", within=WAIT)
        assert len(await harness.decisions(submission_id)) == 1, mode
    assert await notifications(standin) == 4  # one CHED per consignment: retries after bad answers made none


async def test_a_slow_system_counts_as_unavailable_then_succeeds(harness: Any, standin: StandinProcess) -> None:
    await standin.set_script(slow_seconds=1.5, decide_after_seconds=0.2)
    submission_id = await harness.submit("beef")
    await asyncio.sleep(1.2)
    assert (await harness.recipient_status(submission_id)) == "PENDING"
    await standin.set_script(decide_after_seconds=0.2)
    await harness.wait_recipient(submission_id, "ACCEPTED", within=WAIT)
    assert len(await harness.decisions(submission_id)) == 1


async def test_query_first_then_the_answer_reaches_the_ched_and_it_is_decided(
    harness: Any, standin: StandinProcess
) -> None:
    await standin.set_script(decide_after_seconds=0.2, query_first=True)
    submission_id = await harness.submit("beef")
    view = await harness.wait_recipient(submission_id, "QUERY", within=WAIT)
    decision = next(r.decision for r in view.recipients if r.recipient == "veterinary")
    assert decision is not None
    assert decision["query"]["fields"] == ["/goodsItems/0/netMassKg", "/goodsItems/0/supportingDocuments"]
    assert "fields concerned" not in decision["query"]["question"]
    await harness.respond(submission_id, "Net weight 18000 kg; certificate KZ-VET-2026-1177")
    await harness.wait_recipient(submission_id, "ACCEPTED", within=WAIT)
    assert [d["status"] for d in await harness.decisions(submission_id)] == ["QUERY", "ACCEPTED"]
    ched = decision["references"][0]["id"]
    async with httpx.AsyncClient(base_url=standin.url) as http:
        shown = await http.get("/ched", params={"customsReferenceNumber": view.ucr})
    assert [c["chedReference"] for c in shown.json()["cheds"]] == [ched]


async def test_cancelled_withdraws_the_ched_and_replaced_names_the_previous_one(
    harness: Any, standin: StandinProcess
) -> None:
    await standin.set_script(decide_after_seconds=3600)  # the veterinarian is busy: nothing decided meanwhile
    submission_id = await harness.submit("beef")
    await harness.wait_recipient(submission_id, "DELIVERED", within=WAIT)
    [pending] = await harness.runtime.pending()
    adapter = harness.runtime.adapter
    view = await harness.status(submission_id)

    document = InboundDocument(
        "m-v2", "veterinary", "view-veterinary", submission_id, 2, view.ucr, 1, await view_of(harness, submission_id, 2)
    )
    replaced = await adapter.replaced(document, Replacement(1, pending.reference, ("/goodsItems/0/netMassKg",)))
    assert replaced.reference == pending.reference  # undecided: the CHED was amended in place

    notice = Cancellation("n-1", "veterinary", submission_id, 2, view.ucr, "cancelled by the declarant", "cancelled",
                          None, replaced.reference)  # fmt: skip
    await adapter.cancelled(notice)
    async with httpx.AsyncClient(base_url=standin.url) as http:
        listed = (await http.get("/ched", params={"customsReferenceNumber": view.ucr})).json()["cheds"]
    assert [(c["chedReference"], c["status"]) for c in listed] == [(pending.reference, "WITHDRAWN")]


async def view_of(harness: Any, submission_id: str, version: int) -> dict[str, Any]:
    """The veterinary view of the submission's first version, as the router would send it as ``version``."""
    document = dict((await harness.embedded.hub.submissions.version(submission_id, 1)).document)
    tables = harness.embedded.hub.tables()
    route = next(r for r in decide(tables, "consignment", document).recipients if r.recipient == "veterinary")
    return dict(project(tables.views.get(route.view), document, route.items, submission_id, version, "veterinary"))
