"""Issue 6's scenarios end to end: two ``nsw hub run`` processes on RabbitMQ and PostgreSQL, agencies as
auto-deciders under their own broker users, traders and brokers over HTTP.

One environment serves the whole module (starting hub processes is the slow part); every test uses
consignments of its own (a fresh UCR and trader reference), and the agencies' script says, per UCR, what
each agency decides.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import jsonpatch
import pytest
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.dlq import show
from singlewindow.platform.hub.messages import AGENCY_DECISION
from singlewindow.platform.identity import GrantScope, PrincipalStore, Role
from singlewindow.platform.routing import decide, load_tables, project
from singlewindow.platform.settings import BrokerSettings
from singlewindow.platform.specs import Catalog
from singlewindow.platform.state.common import rfc3339_millis, utcnow
from singlewindow.platform.storage import open_engine
from singlewindow.platform.storage.tables import events, submissions, terminal_statuses
from singlewindow.platform.topology import names
from singlewindow.platform.topology.management import ManagementClient
from singlewindow.platform.transport import OutgoingMessage

from .two_hubs import Cluster, Script, ScriptedDecider, deciders, nsw, two_hub_cluster, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]
CONSIGNMENT = Catalog().get("consignment")
WHO = ("trader-a", "trader-b", "broker-granted", "broker-without")


def consignment(stem: str) -> dict[str, Any]:
    """A shipped example under a fresh UCR and trader reference (unique per call)."""
    document: dict[str, Any] = json.loads(next(p for p in CONSIGNMENT.valid_examples if stem in p.name).read_text())
    tag = secrets.token_hex(4).upper()
    document["ucr"] = f"{document['ucr'][:-8]}{tag}"
    document["traderReference"] = f"{document['traderReference'][:20]}-{tag}"
    return document


def accept(agency: str) -> tuple[str, dict[str, Any]]:
    return "ACCEPTED", ({"channel": "GREEN"} if agency == "customs" else {})


def customs_inspects(agency: str, view: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    return ("INSPECTION_REQUIRED", {"channel": "RED"}) if agency == "customs" else accept(agency)


@dataclass
class Env:
    cluster: Cluster
    script: Script
    agencies: dict[str, ScriptedDecider]
    http: httpx.AsyncClient
    engine: AsyncEngine
    tokens: dict[str, str]

    def headers(self, who: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.tokens[who]}"}

    def url(self, hub: int) -> str:
        return self.cluster.hubs[hub].http_url

    async def submit(self, document: Mapping[str, Any], who: str = "trader-a", hub: int = 0) -> httpx.Response:
        return await self.http.post(
            f"{self.url(hub)}/v1/submissions",
            json={"documentType": "consignment", "document": document},
            headers=self.headers(who),
        )

    async def submitted(self, document: Mapping[str, Any], hub: int = 0) -> str:
        response = await self.submit(document, hub=hub)
        assert response.status_code == 201, response.text
        return str(response.json()["submission"]["submissionId"])

    async def get(self, submission_id: str, who: str = "trader-a", hub: int = 1) -> httpx.Response:
        return await self.http.get(f"{self.url(hub)}/v1/submissions/{submission_id}", headers=self.headers(who))

    async def wait_for(self, submission_id: str, status: str, version: int = 1, seconds: float = 20) -> dict[str, Any]:
        """The submission once its current version ``version`` has consolidated ``status`` (read via hub 1)."""
        seen: dict[str, Any] = {}

        async def reached() -> bool:
            nonlocal seen
            seen = (await self.get(submission_id)).json()
            return bool(seen["status"] == status and seen["version"] == version)

        try:
            await wait_until(reached, seconds, f"{submission_id} v{version} {status}")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; last seen: {json.dumps(seen)[:1500]}") from None
        return seen

    async def publish_decision(self, sender: str, decision: dict[str, Any]) -> None:
        """Publish ``decision`` on the decisions exchange under ``sender``'s broker user (validated user_id)."""
        agency = self.agencies[sender]
        await agency.transport.publish(
            OutgoingMessage(
                exchange=names.DECISIONS_EXCHANGE,
                routing_key=names.DECISION_KEY,
                body=agency.codec.encode(AGENCY_DECISION, decision),
                message_id=decision["documentId"],
                correlation_id=decision["submissionId"],
                type=AGENCY_DECISION,
                content_type=agency.codec.content_type,
                user_id=agency.broker_user,
                timestamp=utcnow(),
            )
        )


def recipients_of(submission: Mapping[str, Any]) -> dict[str, str]:
    return {r["recipient"]: r["effectiveStatus"] for r in submission["recipients"]}


def decision(submission: Mapping[str, Any], agency: str, sequence: int, status: str, **extra: Any) -> dict[str, Any]:
    now = rfc3339_millis(utcnow())
    return {
        "documentId": f"dec-{agency}-{secrets.token_hex(6)}",
        "ucr": submission["ucr"],
        "issuedAt": now,
        "references": [{"type": "SUBMISSION", "id": submission["submissionId"]}],
        "submissionId": submission["submissionId"],
        "submissionVersion": submission["version"],
        "agency": agency,
        "decisionSequence": sequence,
        "status": status,
        "conditions": [],
        "reasons": [],
        "officer": {"id": f"{agency}-officer-7", "name": "A. Officer"},
        "decidedAt": now,
        **extra,
    }


@pytest.fixture(scope="module")
def cluster(
    rabbitmq_available: None,
    rabbitmq_management_available: None,
    module_postgres_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    with two_hub_cluster(module_postgres_url, tmp_path_factory.mktemp("hubs"), name="nsw-scenarios") as started:
        yield started


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def env(cluster: Cluster) -> AsyncIterator[Env]:
    engine = open_engine(cluster.database_url)
    principals = PrincipalStore(engine)
    tokens = {}
    for who in WHO:
        tokens[who] = (await principals.add(who, Role.BROKER if who.startswith("broker") else Role.TRADER)).token
    await principals.grant("broker-granted", "trader-a", GrantScope.READ)
    script = Script()
    try:
        async with deciders(cluster, script) as agencies, httpx.AsyncClient(timeout=30) as http:
            yield Env(cluster, script, agencies, http, engine, tokens)
    finally:
        await engine.dispose()


ROUTES = {
    "apples": {"border-guard", "customs", "phytosanitary", "sanitary"},
    "beef": {"border-guard", "customs", "sanitary", "veterinary"},
    "laptops": {"border-guard", "customs"},
}


async def test_routing_examples_clear_and_each_agency_receives_exactly_its_view(env: Env) -> None:
    documents = {stem: consignment(stem) for stem in ROUTES}
    ids = {
        stem: await env.submitted(document, hub=index % 2) for index, (stem, document) in enumerate(documents.items())
    }
    tables = load_tables(env.cluster.routing_dir)
    for stem, submission_id in ids.items():
        final = await env.wait_for(submission_id, "CLEARED")
        assert final["terminal"] is True
        assert recipients_of(final) == dict.fromkeys(ROUTES[stem], "ACCEPTED"), stem
        routed = decide(tables, "consignment", documents[stem]).recipients
        assert {route.recipient for route in routed} == ROUTES[stem]
        for route in routed:
            expected = project(
                tables.views.get(route.view), documents[stem], route.items, submission_id, 1, route.recipient
            )
            received = [v for v in env.agencies[route.recipient].seen if v["submissionId"] == submission_id]
            assert received and all(view == expected for view in received), (stem, route.recipient)
        for agency in set(env.agencies) - ROUTES[stem]:
            assert not [v for v in env.agencies[agency].seen if v["submissionId"] == submission_id], (stem, agency)


async def test_a_rejection_is_terminal_rejected(env: Env) -> None:
    document = consignment("apples")

    def phyto_rejects(agency: str, view: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        if agency == "phytosanitary":
            return "REJECTED", {"reasons": [{"code": "PEST-FOUND", "text": "Codling moth in sample 3"}]}
        return accept(agency)

    env.script.policies[document["ucr"]] = phyto_rejects
    submission_id = await env.submitted(document)
    final = await env.wait_for(submission_id, "REJECTED")
    assert final["terminal"] is True
    assert recipients_of(final)["phytosanitary"] == "REJECTED"
    reasons = next(r for r in final["recipients"] if r["recipient"] == "phytosanitary")["decision"]["reasons"]
    assert reasons == [{"code": "PEST-FOUND", "text": "Codling moth in sample 3"}]


async def test_an_inspection_holds_and_a_cancel_over_http_ends_cancelled(env: Env) -> None:
    document = consignment("laptops")
    env.script.policies[document["ucr"]] = customs_inspects
    submission_id = await env.submitted(document)

    async def held_with_every_decision() -> bool:
        body = (await env.get(submission_id)).json()
        return bool(recipients_of(body) == {"customs": "INSPECTION_REQUIRED", "border-guard": "ACCEPTED"})

    await wait_until(held_with_every_decision, 20, "customs inspects, border guard accepts")
    held = (await env.get(submission_id)).json()
    assert held["status"] == "HELD" and held["terminal"] is False
    cancelled = await env.http.post(
        f"{env.url(0)}/v1/submissions/{submission_id}/cancel",
        json={"reason": "wrong truck"},
        headers=env.headers("trader-a"),
    )
    assert cancelled.status_code == 200, cancelled.text
    final = await env.wait_for(submission_id, "CANCELLED")
    assert final["terminal"] is True


async def test_amend_reroutes_to_the_agencies_of_the_new_goods(env: Env) -> None:
    document = consignment("laptops")
    env.script.policies[document["ucr"]] = customs_inspects
    submission_id = await env.submitted(document)
    first = await env.wait_for(submission_id, "HELD")
    assert set(recipients_of(first)) == ROUTES["laptops"]
    del env.script.policies[document["ucr"]]  # the new version is accepted by everyone

    apples = consignment("apples")["goodsItems"][0]
    amended = {**document, "goodsItems": [*document["goodsItems"], {**apples, "sequenceNumber": 3}]}
    response = await env.http.post(
        f"{env.url(1)}/v1/submissions/{submission_id}/amend",
        json={"document": amended},
        headers=env.headers("trader-a"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 2
    final = await env.wait_for(submission_id, "CLEARED", version=2)
    assert recipients_of(final) == dict.fromkeys(ROUTES["laptops"] | {"phytosanitary", "sanitary"}, "ACCEPTED")
    phyto = [v for v in env.agencies["phytosanitary"].seen if v["submissionId"] == submission_id]
    assert {v["submissionVersion"] for v in phyto} == {2}
    assert [item["sequenceNumber"] for item in phyto[0]["goodsItems"]] == [3]


async def test_a_query_answered_reaches_the_asking_agency_which_decides_again(env: Env) -> None:
    document = consignment("beef")

    def sanitary_asks(agency: str, view: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        if agency == "sanitary":
            return "QUERY", {"query": {"question": "Which cold store receives the goods?"}}
        return accept(agency)

    env.script.policies[document["ucr"]] = sanitary_asks
    submission_id = await env.submitted(document)

    async def asked() -> bool:
        return recipients_of((await env.get(submission_id)).json()).get("sanitary") == "QUERY"

    await wait_until(asked, 20, "sanitary asks its question")
    held = (await env.get(submission_id)).json()
    assert held["status"] == "HELD"
    answered = await env.http.post(
        f"{env.url(0)}/v1/submissions/{submission_id}/answers",
        json={"recipient": "sanitary", "answer": "Cold store 7, Almaty"},
        headers=env.headers("trader-a"),
    )
    assert answered.status_code == 200, answered.text
    final = await env.wait_for(submission_id, "CLEARED")
    sanitary = next(r for r in final["recipients"] if r["recipient"] == "sanitary")["decision"]
    assert (sanitary["status"], sanitary["decisionSequence"]) == ("ACCEPTED", 2), "decided again after the answer"


async def test_resubmitting_is_idempotent_and_a_changed_payload_under_the_same_reference_conflicts(env: Env) -> None:
    document = consignment("apples")
    submission_id = await env.submitted(document, hub=0)
    again = await env.submit(document, hub=1)  # the other process answers the same
    assert again.status_code == 200, again.text
    assert again.json()["created"] is False and again.json()["submission"]["submissionId"] == submission_id
    changed = await env.submit({**document, "ucr": document["ucr"][:-1] + "Z"}, hub=1)
    assert changed.status_code == 409 and changed.json()["error"] == "conflict", changed.text
    await env.wait_for(submission_id, "CLEARED")
    async with env.engine.connect() as conn:
        stored = (
            await conn.execute(
                select(func.count())
                .select_from(submissions)
                .where(submissions.c.trader_reference == document["traderReference"])
            )
        ).scalar_one()
    assert stored == 1


async def test_the_same_decision_published_twice_is_applied_once(env: Env) -> None:
    document = consignment("laptops")
    env.script.policies[document["ucr"]] = customs_inspects
    submission_id = await env.submitted(document)
    held = await env.wait_for(submission_id, "HELD")
    inspected = decision(held, "customs", 2, "ACCEPTED", channel="GREEN")
    await env.publish_decision("customs", inspected)
    await env.publish_decision("customs", inspected)  # a redelivery, or an adapter that sent it again

    def applications() -> int:
        """Log lines of either hub saying it handled a customs decision of sequence 2 for this submission."""
        lines = [line for hub in env.cluster.hubs for line in hub.output().splitlines()]
        return sum(submission_id in line and '"decision applied"' in line and '"sequence": 2' in line for line in lines)

    async def both_handled() -> bool:
        return applications() >= 2

    final = await env.wait_for(submission_id, "CLEARED")
    await wait_until(both_handled, 10, "the hubs handled both copies")
    assert next(r for r in final["recipients"] if r["recipient"] == "customs")["decision"]["decisionSequence"] == 2
    async with env.engine.connect() as conn:
        decided = (
            (
                await conn.execute(
                    select(events.c.detail).where(
                        events.c.submission_id == submission_id,
                        events.c.kind == "DECISION",
                        events.c.recipient == "customs",
                    )
                )
            )
            .scalars()
            .all()
        )
        terminal = (
            await conn.execute(select(func.count()).where(terminal_statuses.c.submission_id == submission_id))
        ).scalar_one()
    assert [d["message_id"] for d in decided].count(inspected["documentId"]) == 1
    assert terminal == 1


async def test_a_decision_in_another_agencys_name_is_refused_and_parked(env: Env) -> None:
    document = consignment("laptops")
    env.script.policies[document["ucr"]] = customs_inspects
    submission_id = await env.submitted(document)
    held = await env.wait_for(submission_id, "HELD")
    forged = decision(held, "customs", 2, "ACCEPTED", channel="GREEN")
    await env.publish_decision("border-guard", forged)  # border guard's user, customs' name

    async with ManagementClient.from_settings(BrokerSettings()) as client:

        async def parked() -> bool:
            shown = await show(client, env.cluster.vhost, names.HUB_DLQ, 50)
            return forged["documentId"] in {message.message_id for message in shown}

        await wait_until(parked, 20, "the forged decision reaches nsw.hub.dlq")
    after = (await env.get(submission_id)).json()
    assert after["status"] == "HELD"
    assert recipients_of(after)["customs"] == "INSPECTION_REQUIRED"
    async with env.engine.connect() as conn:
        applied = (
            await conn.execute(
                select(func.count()).where(
                    events.c.submission_id == submission_id,
                    events.c.recipient == "customs",
                    events.c.actor == env.agencies["border-guard"].broker_user,
                )
            )
        ).scalar_one()
    assert applied == 0
    refused = [line for hub in env.cluster.hubs for line in hub.output().splitlines() if "decision refused" in line]
    assert any(env.agencies["border-guard"].broker_user in line for line in refused), refused


INVALID_CASES = ("01-hs-code-five-digits", "02-seal-type-unknown", "05-route-without-border-crossings", "13-origin")


@pytest.mark.parametrize("stem", INVALID_CASES)
async def test_an_invalid_document_is_rejected_with_its_pointer_and_not_stored(env: Env, stem: str) -> None:
    path = next(p for p in CONSIGNMENT.invalid_examples if p.name.startswith(stem))
    case = json.loads(path.read_text())
    base = json.loads((path.parent.parent / case["base"]).read_text())
    document = jsonpatch.apply_patch(base, case["patch"])
    document["traderReference"] = f"INVALID-{secrets.token_hex(4).upper()}"
    for hub in (0, 1):
        response = await env.submit(document, hub=hub)
        body = response.json()
        assert response.status_code == 422 and body["error"] == "invalid_input", body
        assert (case["expect"]["path"], case["expect"]["code"]) in {(p["path"], p["code"]) for p in body["problems"]}
    async with env.engine.connect() as conn:
        stored = (
            await conn.execute(
                select(func.count()).where(submissions.c.trader_reference == document["traderReference"])
            )
        ).scalar_one()
    assert stored == 0, "nothing invalid is stored"


async def test_another_trader_cannot_read_a_submission_a_granted_broker_can(env: Env) -> None:
    submission_id = await env.submitted(consignment("laptops"))
    missing = await env.get("s_0123456789abcdef", who="trader-b")
    assert missing.status_code == 404
    for who, expected in (("trader-a", 200), ("broker-granted", 200), ("trader-b", 404), ("broker-without", 404)):
        for hub in (0, 1):
            response = await env.get(submission_id, who=who, hub=hub)
            assert response.status_code == expected, (who, hub, response.text)
            if expected == 404:
                assert response.json()["error"] == missing.json()["error"], "ids cannot be probed"
        listed = await env.http.get(f"{env.url(0)}/v1/submissions?limit=1000", headers=env.headers(who))
        assert (submission_id in {s["submissionId"] for s in listed.json()["submissions"]}) is (expected == 200), who


async def test_a_poison_document_fails_delivery_and_once_replayed_reaches_its_decision(env: Env) -> None:
    document = consignment("laptops")
    env.script.poisoned.add(("customs", document["ucr"]))  # the customs system refuses it: dead-lettered
    submission_id = await env.submitted(document)

    async def failed() -> bool:
        return recipients_of((await env.get(submission_id)).json()).get("customs") == "DELIVERY_FAILED"

    await wait_until(failed, 20, "customs marked DELIVERY_FAILED")
    assert (await env.get(submission_id)).json()["status"] == "HELD"
    env.script.poisoned.clear()  # the agency system is fixed; the operator replays
    replayed = await asyncio.to_thread(
        nsw, "dlq", "replay", "--queue", names.dlq("customs"), environment=env.cluster.admin_environment()
    )
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert f"{submission_id}.v1.customs.a1" in replayed.stdout
    final = await env.wait_for(submission_id, "CLEARED")
    customs = next(r for r in final["recipients"] if r["recipient"] == "customs")
    assert (customs["effectiveStatus"], customs["attempt"]) == ("ACCEPTED", 2)


async def test_a_hub_killed_mid_batch_and_restarted_loses_nothing(env: Env) -> None:
    documents = [consignment(("apples", "beef", "laptops")[index % 3]) for index in range(20)]

    def inspection_done(agency: str, view: Mapping[str, Any], status: str) -> tuple[float, str, dict[str, Any]] | None:
        return (1.5, "ACCEPTED", {"channel": "GREEN"}) if status == "INSPECTION_REQUIRED" else None

    for document in documents:  # customs inspects, then revises: decisions keep arriving across the restart
        env.script.policies[document["ucr"]] = customs_inspects
        env.script.revisions[document["ucr"]] = inspection_done
    ids = list(await asyncio.gather(*(env.submitted(d, hub=i % 2) for i, d in enumerate(documents[:10]))))
    await asyncio.to_thread(env.cluster.kill, 0)  # SIGKILL while both processes route and aggregate the batch
    terminal = select(terminal_statuses.c.submission_id, func.count()).group_by(terminal_statuses.c.submission_id)
    async with env.engine.connect() as conn:
        assert (await conn.execute(terminal.where(terminal_statuses.c.submission_id.in_(ids)))).all() == []
    ids += [await env.submitted(document, hub=1) for document in documents[10:15]]
    await asyncio.to_thread(env.cluster.restart, 0)
    ids += [await env.submitted(document, hub=index % 2) for index, document in enumerate(documents[15:])]
    for submission_id in ids:
        final = await env.wait_for(submission_id, "CLEARED", seconds=60)
        customs = next(r for r in final["recipients"] if r["recipient"] == "customs")["decision"]
        # At least once: a view re-sent across the kill is decided again (INSPECTION, ACCEPTED, once more each),
        # so the sequence that cleared it is 2 or more; what matters is that it is the inspection's outcome.
        assert (customs["status"], customs["decisionSequence"] >= 2) == ("ACCEPTED", True), customs
    async with env.engine.connect() as conn:
        rows = (await conn.execute(terminal.where(terminal_statuses.c.submission_id.in_(ids)))).all()
    assert dict(rows) == dict.fromkeys(ids, 1), "exactly one terminal status per submission"
