"""Risk end to end on RabbitMQ and PostgreSQL: two ``nsw hub run`` processes, agencies as auto-deciders under
their own broker users, everything else over HTTP.

Agencies publish signed profiles through the API (and the bad publications are refused); a consignment is
routed with each agency's own outcome in its view; two PHYSICAL_INSPECTION outcomes make one hub-proposed
joint inspection that the agencies accept and record findings on, which count in the trader's next
assessment. And the confidentiality test: no agency ever sees another agency's criteria or hits through its
view messages, the risk API, the profile listing, the joint inspection API, the officer queue, nor
``nsw risk explain``; traders see no risk data at all.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.risk import RiskKeys
from singlewindow.platform.risk.signing import public_text, sign
from singlewindow.platform.specs import Catalog
from singlewindow.platform.storage import open_engine
from tests.integration.hub.two_hubs import Cluster, ScriptedDecider, deciders, nsw, two_hub_cluster, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

APPLES = json.loads(next(p for p in Catalog().get("consignment").valid_examples if "apples" in p.name).read_text())
SECRETS = {
    "customs": ("customs-secret", "C-SECRET-APPLES", "customs watch on Chinese apples"),
    "phytosanitary": ("phyto-secret", "P-SECRET-FRUIT", "phyto codling moth season"),
    "sanitary": ("sanitary-secret", "S-SECRET-CN", "sanitary alert on Chinese produce"),
}
APPLE_HEADING = {"from": "0808", "to": "0808"}
FRUIT_CHAPTER = {"from": "08", "to": "08"}
PRINCIPALS = {
    "customs-system": (Role.AGENCY, "customs"),
    "customs-officer": (Role.OFFICER, "customs"),
    "phyto-system": (Role.AGENCY, "phytosanitary"),
    "sanitary-system": (Role.AGENCY, "sanitary"),
    "sanitary-officer": (Role.OFFICER, "sanitary"),
    "guard-system": (Role.AGENCY, "border-guard"),
    "trader": (Role.TRADER, None),
}


def profile(agency: str, version: int = 1) -> dict[str, Any]:
    pid, cid, description = SECRETS[agency]
    criteria: list[dict[str, Any]] = {
        "customs": [{"id": cid, "description": description, "score": 80, "hsRanges": [APPLE_HEADING]}],
        "phytosanitary": [{"id": cid, "description": description, "score": 80, "hsRanges": [FRUIT_CHAPTER]}],
        "sanitary": [
            {"id": cid, "description": description, "score": 25, "originCountries": ["CN"]},
            {"id": "S-NEGATIVE", "description": "sanitary: negative joint findings", "score": 40,
             "traderHistory": {"withinDays": 30, "negativeFindingsAtLeast": 1}},
        ],
    }[agency]  # fmt: skip
    return {
        "agency": agency, "id": pid, "version": version, "validFrom": "2026-01-01T00:00:00Z",
        "thresholds": {"documentCheck": 20, "physicalInspection": 60}, "criteria": criteria,
    }  # fmt: skip


def strangers(agency: str) -> list[str]:
    """Everything of the other agencies' profiles that must never reach ``agency``."""
    return [text for other, found in SECRETS.items() if other != agency for text in found]


@dataclass
class Env:
    cluster: Cluster
    agencies: dict[str, ScriptedDecider]
    http: httpx.AsyncClient
    engine: AsyncEngine
    tokens: dict[str, str]
    keys: dict[str, Ed25519PrivateKey]

    def url(self, hub: int = 0) -> str:
        return self.cluster.hubs[hub].http_url

    async def call(self, method: str, path: str, who: str, hub: int = 0, **options: Any) -> httpx.Response:
        headers = {"authorization": f"Bearer {self.tokens[who]}"}
        return await self.http.request(method, f"{self.url(hub)}{path}", headers=headers, **options)

    async def cleared(self, reference: str) -> str:
        document = {**APPLES, "traderReference": reference, "ucr": f"KZ-SEL-{reference}"}
        body = {"documentType": "consignment", "document": document}
        submitted = await self.call("POST", "/v1/submissions", "trader", json=body)
        assert submitted.status_code == 201, submitted.text
        submission_id = str(submitted.json()["submission"]["submissionId"])

        async def done() -> bool:
            return bool((await self.call("GET", f"/v1/submissions/{submission_id}", "trader", 1)).json()["terminal"])

        await wait_until(done, 30, f"{submission_id} terminal")
        return submission_id

    def view(self, agency: str, submission_id: str) -> dict[str, Any]:
        found = [v for v in self.agencies[agency].seen if v.get("submissionId") == submission_id]
        assert found, f"{agency} got no view of {submission_id}"
        return dict(found[-1])


@pytest.fixture(scope="module")
def cluster(
    rabbitmq_available: None, rabbitmq_management_available: None, module_postgres_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:  # fmt: skip
    with two_hub_cluster(module_postgres_url, tmp_path_factory.mktemp("hubs"), name="nsw-risk") as started:
        yield started


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def env(cluster: Cluster) -> AsyncIterator[Env]:
    engine = open_engine(cluster.database_url)
    principals = PrincipalStore(engine)
    tokens = {name: (await principals.add(name, role, agency)).token for name, (role, agency) in PRINCIPALS.items()}
    keys = {agency: Ed25519PrivateKey.generate() for agency in SECRETS}
    for agency, key in keys.items():  # the operator registers each agency's public key
        await RiskKeys(engine).add(agency, public_text(key.public_key()))
    try:
        async with deciders(cluster) as agencies, httpx.AsyncClient(timeout=30) as http:
            yield Env(cluster, agencies, http, engine, tokens, keys)
    finally:
        await engine.dispose()


async def test_publication_through_the_api_refuses_what_it_must(env: Env) -> None:
    """Runs first: the profiles every later test relies on are published here."""
    customs = profile("customs")

    async def publish(who: str, document: dict[str, Any], signature: str | None) -> httpx.Response:
        body = {"profile": document, **({"signature": signature} if signature is not None else {})}
        return await env.call("POST", "/v1/risk/profiles", who, json=body)

    assert (await publish("customs-system", customs, None)).status_code == 422  # unsigned
    assert (await publish("customs-system", customs, sign(env.keys["sanitary"], customs))).status_code == 422
    assert (await publish("sanitary-system", customs, sign(env.keys["customs"], customs))).status_code == 403
    assert (await publish("customs-officer", customs, sign(env.keys["customs"], customs))).status_code == 403
    assert (await publish("trader", customs, sign(env.keys["customs"], customs))).status_code == 403
    broken = {**customs, "thresholds": {"documentCheck": 1}}
    assert (await publish("customs-system", broken, sign(env.keys["customs"], broken))).status_code == 422
    for agency, who in (
        ("customs", "customs-system"),
        ("phytosanitary", "phyto-system"),
        ("sanitary", "sanitary-system"),
    ):
        document = profile(agency)
        published = await publish(who, document, sign(env.keys[agency], document))
        assert published.status_code == 201, published.text
    again = await publish("customs-system", customs, sign(env.keys["customs"], customs))
    assert again.status_code == 409  # not newer than the stored version


async def test_each_agency_gets_its_own_outcome_and_two_inspections_make_one_joint_proposal(env: Env) -> None:
    submission_id = await env.cleared(f"R{secrets.token_hex(4).upper()}")
    customs, phyto = env.view("customs", submission_id), env.view("phytosanitary", submission_id)
    sanitary, guard = env.view("sanitary", submission_id), env.view("border-guard", submission_id)
    assert [h["criterion"] for h in customs["risk"]["hits"]] == ["C-SECRET-APPLES"]
    assert customs["risk"]["level"] == phyto["risk"]["level"] == "PHYSICAL_INSPECTION"
    assert [h["criterion"] for h in sanitary["risk"]["hits"]] == ["S-SECRET-CN"]
    assert "risk" not in guard  # no profile of its own: no risk field at all

    listed = await env.call("GET", f"/v1/joint-inspections?submissionId={submission_id}", "customs-system")
    (inspection,) = listed.json()["inspections"]
    assert inspection["proposingAgency"] == "hub" and inspection["status"] == "PROPOSED"
    assert [p["agency"] for p in inspection["parties"]] == ["customs", "phytosanitary"]
    for who in ("customs-system", "phyto-system"):
        answered = await env.call(
            "POST", f"/v1/joint-inspections/{inspection['id']}/response", who, json={"accept": True}
        )
        assert answered.status_code == 200, answered.text
    await env.call("POST", f"/v1/joint-inspections/{inspection['id']}/attendance", "customs-system",
                   json={"attended": True, "compliant": True})  # fmt: skip
    attended = await env.call(
        "POST", f"/v1/joint-inspections/{inspection['id']}/attendance", "phyto-system",
        json={"attended": True, "findings": "codling moth larvae in 3 of 40 cartons", "compliant": False},
    )  # fmt: skip
    assert attended.json()["status"] == "COMPLETED"

    later = await env.cleared(f"R{secrets.token_hex(4).upper()}")  # the same trader's next consignment
    hits = [h["criterion"] for h in env.view("sanitary", later)["risk"]["hits"]]
    assert hits == ["S-SECRET-CN", "S-NEGATIVE"]
    explained = await env.call("GET", f"/v1/risk/assessments/{later}", "sanitary-officer", 1)
    (assessment,) = explained.json()["assessments"]
    assert assessment["traderHistory"] == [
        {"withinDays": 30, "submissions": 1, "rejections": 0, "inspections": 0, "negativeFindings": 1}
    ]


async def test_no_agency_sees_another_agencys_criteria_or_hits_and_traders_see_no_risk(env: Env) -> None:
    submission_id = await env.cleared(f"R{secrets.token_hex(4).upper()}")

    # 1. the view messages each agency received
    for agency in ("customs", "phytosanitary", "sanitary", "border-guard"):
        text = json.dumps(env.view(agency, submission_id))
        assert not [s for s in strangers(agency) if s in text], agency

    # 2. the risk API: own assessment only; another agency's is a 404 exactly like an unknown submission
    own = await env.call("GET", f"/v1/risk/assessments/{submission_id}", "sanitary-system")
    assert own.status_code == 200 and "S-SECRET-CN" in own.text
    assert not [s for s in strangers("sanitary") if s in own.text]
    guard = await env.call("GET", f"/v1/risk/assessments/{submission_id}", "guard-system")
    unknown = await env.call("GET", "/v1/risk/assessments/s_0000000000000000", "guard-system")
    assert guard.status_code == unknown.status_code == 404
    assert guard.json()["error"] == unknown.json()["error"] and "customs" not in guard.text
    assert (await env.call("GET", f"/v1/risk/assessments/{submission_id}", "trader")).status_code == 403

    # 3. profile listings: own profiles only
    for who, agency in (
        ("sanitary-system", "sanitary"),
        ("sanitary-officer", "sanitary"),
        ("guard-system", "border-guard"),
    ):
        listed = await env.call("GET", "/v1/risk/profiles", who)
        assert listed.status_code == 200
        assert not [s for s in strangers(agency) if s in listed.text], who
    assert (await env.call("GET", "/v1/risk/profiles", "trader")).status_code == 403

    # 4. the joint inspection API: the parties read the slot, never one another's criteria or hits
    for who, agency in (
        ("customs-system", "customs"),
        ("phyto-system", "phytosanitary"),
        ("sanitary-system", "sanitary"),
    ):
        listed = await env.call("GET", f"/v1/joint-inspections?submissionId={submission_id}", who)
        assert not [s for s in strangers(agency) if s in listed.text], who
        assert '"risk"' not in listed.text and "score" not in listed.text
    # the trader's negative finding made the sanitary outcome a physical inspection too: three parties
    parties = [p["agency"] for p in listed.json()["inspections"][0]["parties"]]
    assert parties == ["customs", "phytosanitary", "sanitary"]
    guard_joint = await env.call("GET", f"/v1/joint-inspections?submissionId={submission_id}", "guard-system")
    assert guard_joint.status_code == 200 and guard_joint.json()["inspections"] == []  # not a party

    # 5. the officer console queue: customs' adapter queues its view (its own outcome in it) for its officers
    queued = await env.call("POST", "/v1/officer/queue", "customs-system",
                            json={"document": env.view("customs", submission_id), "attempt": 1})  # fmt: skip
    assert queued.status_code in (200, 201), queued.text
    ticket = queued.json()["ticket"]
    customs_queue = await env.call("GET", "/v1/officer/queue", "customs-officer")
    assert "C-SECRET-APPLES" in customs_queue.text  # the data is there for its owner...
    sanitary_queue = await env.call("GET", "/v1/officer/queue", "sanitary-officer")
    assert not [s for s in strangers("sanitary") if s in sanitary_queue.text]  # ...and nowhere else
    assert (await env.call("GET", f"/v1/officer/queue/{ticket}", "sanitary-officer")).status_code == 404
    history = await env.call("GET", f"/v1/officer/queue/{ticket}/history", "customs-officer")
    assert history.status_code == 200 and not [s for s in strangers("customs") if s in history.text]

    # 6. traders: status, document, listing: no risk data at all, nor the joint proposal
    for path in (f"/v1/submissions/{submission_id}", f"/v1/submissions/{submission_id}/document", "/v1/submissions"):
        seen = await env.call("GET", path, "trader", 1)
        assert seen.status_code == 200, path
        assert '"risk"' not in seen.text and "SECRET" not in seen.text and "JOINT" not in seen.text, path

    # 7. nsw risk explain with an agency's token: its own criteria; another agency's name gets nothing
    explain = ["risk", "explain", submission_id, "--url", env.url(), "--agency"]
    mine = nsw(*explain, "customs", "--token", env.tokens["customs-system"], environment=env.cluster.environment)
    assert mine.returncode == 0, mine.stderr
    assert "C-SECRET-APPLES" in mine.stdout and not [s for s in strangers("customs") if s in mine.stdout]
    theirs = nsw(*explain, "customs", "--token", env.tokens["sanitary-system"], environment=env.cluster.environment)
    assert theirs.returncode != 0 and "C-SECRET" not in theirs.stdout + theirs.stderr
    denied = nsw(*explain, "customs", "--token", env.tokens["guard-system"], environment=env.cluster.environment)
    assert denied.returncode != 0 and "SECRET" not in denied.stdout + denied.stderr
