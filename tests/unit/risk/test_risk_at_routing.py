"""Risk at routing on the embedded hub (memory broker, SQLite) with the demo profiles: each agency's view
carries its own outcome only, the outcomes are stored once per version, two PHYSICAL_INSPECTION outcomes
make one hub-proposed joint inspection (once, even when routing is retried), findings marked not compliant
count in the trader's next assessment, and the API and ``nsw risk explain`` answer each agency only its own.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from singlewindow.platform.api.agency_services import agency_services_app, build_agency_services
from singlewindow.platform.cli.main import cli
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.officers import JointAttendanceInput, JointInspections, JointResponseInput
from singlewindow.platform.officers.joint_tables import joint_inspections
from singlewindow.platform.risk import AeoRegister, shipped_profiles
from singlewindow.platform.risk.signing import public_text, sign
from singlewindow.platform.risk.tables import risk_assessments
from singlewindow.platform.settings import AttachmentSettings, RiskSettings, Settings
from singlewindow.platform.specs import Catalog, DocumentValidator
from singlewindow.platform.state.recipients import Routing
from singlewindow.platform.testing import AutoDecider, EmbeddedHub, accept_all, embedded_hub

from .conftest import criterion, profile_document

APPLES = json.loads(next(p for p in Catalog().get("consignment").valid_examples if "apples" in p.name).read_text())
ROUTED = {"border-guard", "customs", "phytosanitary", "sanitary"}


@dataclass
class Env:
    embedded: EmbeddedHub
    deciders: dict[str, AutoDecider]
    trader: Principal
    db_url: str
    settings: Settings


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    settings = Settings(
        risk=RiskSettings(demo_profiles=True), attachments=AttachmentSettings(folder=tmp_path / "blobs")
    )
    async with embedded_hub(tmp_path / "hub.db", settings) as embedded:
        # the border guard also publishes a profile of its own that sends everything through Nur Zholy to the yard
        key = Ed25519PrivateKey.generate()
        await embedded.hub.risk.keys.add("border-guard", public_text(key.public_key()))
        yard = profile_document("border-guard", criterion("BG-YARD", 60, borderCrossingPoints=["KZNZH"]))
        await embedded.hub.risk.profiles.publish("border-guard", yard, sign(key, yard), "p-bg")
        deciders = {}
        for agency in embedded.catalogue.agencies():
            transport = await embedded.agency_transport(agency.id)
            deciders[agency.id] = AutoDecider(agency.id, agency.broker_user, transport, embedded.hub.codec, accept_all)
            await deciders[agency.id].start()
        trader = (await embedded.hub.principals.add("kz-importer", Role.TRADER)).principal
        try:
            yield Env(embedded, deciders, trader, f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}", settings)
        finally:
            for decider in deciders.values():
                await decider.stop()
                await decider.transport.close()


async def _submit(env: Env, reference: str) -> str:
    document = {**APPLES, "traderReference": reference, "ucr": f"KZ-SEL-{reference}"}
    view, _ = await env.embedded.hub.intake.submit(env.trader, "consignment", document)
    for _ in range(300):
        if (await env.embedded.hub.intake.get(env.trader, view.submission_id)).terminal:
            return view.submission_id
        await asyncio.sleep(0.02)
    raise AssertionError("no terminal status")


def _views(env: Env, submission_id: str) -> dict[str, dict[str, Any]]:
    return {a: v for a, d in env.deciders.items() for v in d.seen if v.get("submissionId") == submission_id}


def _officer(agency: str) -> Principal:
    return Principal(f"p-{agency}", f"{agency}-officer", Role.OFFICER, agency, datetime(2026, 1, 1, tzinfo=UTC))


async def test_each_agency_sees_its_own_outcome_and_two_physical_outcomes_propose_one_joint_inspection(
    env: Env,
) -> None:
    submission_id = await _submit(env, "R-1")
    views = _views(env, submission_id)
    assert set(views) == ROUTED
    shipped = shipped_profiles()
    own_profiles = {agency: {shipped[agency]["id"]} for agency in ROUTED} | {
        "border-guard": {shipped["border-guard"]["id"], "border-guard-test"}
    }
    for agency, view in views.items():
        risk = view["risk"]
        assert {p["id"] for p in risk["profiles"]} == own_profiles[agency], agency
        assert {h["profile"] for h in risk["hits"]} <= own_profiles[agency], agency
        text = json.dumps(view)
        for other, document in shipped.items():
            if other != agency:
                assert document["id"] not in text
                for other_criterion in document["criteria"]:
                    assert other_criterion["description"] not in text, (agency, other)
    assert views["phytosanitary"]["risk"]["level"] == "PHYSICAL_INSPECTION"
    assert views["border-guard"]["risk"]["level"] == "PHYSICAL_INSPECTION"
    assert "BG-YARD" in {h["criterion"] for h in views["border-guard"]["risk"]["hits"]}

    engine = env.embedded.hub.engine
    async with engine.connect() as conn:
        stored = {r.agency: r.level for r in await conn.execute(select(risk_assessments))}
    assert set(stored) == ROUTED

    joint = JointInspections(engine, env.embedded.hub.recipients)
    proposed = await joint.of_agency(_officer("border-guard"), submission_id)
    assert len(proposed) == 1
    inspection = proposed[0]
    assert (inspection["proposingAgency"], inspection["status"]) == ("hub", "PROPOSED")
    physical = sorted(a for a, v in views.items() if v["risk"]["level"] == "PHYSICAL_INSPECTION")
    assert {"border-guard", "phytosanitary"} <= set(physical)  # a random criterion may add a third
    assert [(p["agency"], p["response"]) for p in inspection["parties"]] == [(a, "PENDING") for a in physical]
    assert await joint.of_agency(_officer("customs"), submission_id) == []  # 45 at most: never physical
    assert "BG-YARD" not in json.dumps(inspection) and "FRESH-FRUIT" not in json.dumps(inspection)

    status = json.dumps((await env.embedded.hub.intake.get(env.trader, submission_id)).as_dict(), default=str)
    assert '"risk"' not in status and "JOINT" not in status and "BG-YARD" not in status and "score" not in status

    # a retried routing of the same version (redelivery after the commit): nothing new is written
    assessment = await env.embedded.hub.risk.assess(
        submission_id, 1, "consignment", APPLES, env.trader.id, sorted(ROUTED)
    )
    again = Routing(submission_id, 1, [], lambda entry: None, (), assessment)  # type: ignore[arg-type,return-value]
    outcomes, _ = await env.embedded.hub.recipients.commit_routings([again], env.embedded.hub.risk.record_routings)
    assert outcomes == [False]
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(joint_inspections))).scalar() == 1
        assert (await conn.execute(select(func.count()).select_from(risk_assessments))).scalar() == len(ROUTED)

    # every party accepts and records its findings; only the phytosanitary one is not compliant
    for agency in physical:
        await joint.respond(_officer(agency), inspection["id"], JointResponseInput(accept=True))
    for agency in physical:
        verdict = JointAttendanceInput(
            attended=True, findings=f"{agency} findings", compliant=agency != "phytosanitary"
        )
        done = await joint.attend(_officer(agency), inspection["id"], verdict)
        assert done["compliant"] is (agency != "phytosanitary")
    assert done["status"] == "COMPLETED"

    # the next consignment of the same trader: the sanitary profile's negative-findings criterion hits
    second = await _submit(env, "R-2")
    sanitary = _views(env, second)["sanitary"]["risk"]
    assert "NEGATIVE-FINDINGS" in {h["criterion"] for h in sanitary["hits"]}
    assert "TRADER-UNKNOWN" not in {h["criterion"] for h in _views(env, second)["customs"]["risk"]["hits"]}


async def test_the_api_and_explain_answer_each_agency_only_its_own(env: Env) -> None:
    hub = env.embedded.hub
    await AeoRegister(hub.engine).add(env.trader.id, "KZ-AEO-0042", datetime(2099, 1, 1, tzinfo=UTC))
    submission_id = await _submit(env, "R-3")
    customs_risk = _views(env, submission_id)["customs"]["risk"]  # unknown trader 15, AEO -30, no random draw
    assert (customs_risk["aeo"], customs_risk["score"], customs_risk["level"]) == (True, 0, "NONE")
    assert [h["criterion"] for h in customs_risk["hits"]] == ["TRADER-UNKNOWN"]
    services = build_agency_services(hub, env.settings, DocumentValidator(Catalog()))
    tokens = {
        name: (await hub.principals.add(name, role, agency)).token
        for name, role, agency in (
            ("customs-system", Role.AGENCY, "customs"),
            ("phyto-officer", Role.OFFICER, "phytosanitary"),
            ("vet-system", Role.AGENCY, "veterinary"),
            ("trader-2", Role.TRADER, None),
        )
    }
    transport = httpx.ASGITransport(app=agency_services_app(services))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:

        async def get(path: str, who: str) -> httpx.Response:
            return await http.get(path, headers={"authorization": f"Bearer {tokens[who]}"})

        mine = await get(f"/v1/risk/assessments/{submission_id}", "customs-system")
        assert mine.status_code == 200 and mine.json()["agency"] == "customs"
        assert {h["profile"] for a in mine.json()["assessments"] for h in a["hits"]} <= {"customs-import"}
        phyto = await get(f"/v1/risk/assessments/{submission_id}", "phyto-officer")
        assert phyto.json()["agency"] == "phytosanitary" and "customs-import" not in phyto.text
        not_routed = await get(f"/v1/risk/assessments/{submission_id}", "vet-system")
        unknown = await get("/v1/risk/assessments/no-such-submission", "vet-system")
        assert not_routed.status_code == unknown.status_code == 404
        assert not_routed.json()["error"] == unknown.json()["error"] == "not_found"
        assert (await get(f"/v1/risk/assessments/{submission_id}", "trader-2")).status_code == 403
        listed = await get("/v1/risk/profiles", "phyto-officer")
        assert {p["id"] for p in listed.json()["profiles"]} == {"phyto-plants"}
        assert "customs-import" not in listed.text and "HOT-CROSSING" not in listed.text
        foreign = shipped_profiles()["phytosanitary"]
        body = {"profile": {**foreign, "version": 9}, "signature": "AAAA"}
        refused = await http.post(
            "/v1/risk/profiles", json=body, headers={"authorization": f"Bearer {tokens['customs-system']}"}
        )
        assert refused.status_code == 403
        unsigned = await http.post(
            "/v1/risk/profiles",
            json={"profile": {**shipped_profiles()["customs"], "version": 2}},
            headers={"authorization": f"Bearer {tokens['customs-system']}"},
        )
        assert unsigned.status_code == 422 and "not signed" in unsigned.text

    def explain(*args: str) -> Result:  # the command runs its own event loop: off this one
        return CliRunner().invoke(cli, ["risk", "explain", submission_id, *args, "--db", env.db_url],
                                  env={"NSW_CONFIG_FILE": ""})  # fmt: skip

    explained = await asyncio.to_thread(explain, "--agency", "phytosanitary")
    assert explained.exit_code == 0, explained.output
    assert "FRESH-FRUIT" in explained.output and "customs-import" not in explained.output
    as_json = await asyncio.to_thread(explain, "--agency", "customs", "--json")
    assert json.loads(as_json.output)["agency"] == "customs"
    missing = await asyncio.to_thread(explain, "--agency", "veterinary")
    assert missing.exit_code != 0 and "no risk assessment" in str(missing.exception)


async def test_a_partner_hub_gets_no_risk_data_even_with_a_profile_in_its_name(env: Env) -> None:
    hub = env.embedded.hub
    key = Ed25519PrivateKey.generate()
    await hub.risk.keys.add("partner-cn", public_text(key.public_key()))
    everything = profile_document("partner-cn", criterion("ALL", 100, randomShare=1.0))
    await hub.risk.profiles.publish("partner-cn", everything, sign(key, everything), "p-operator")
    example = next(p for p in Catalog().get("control-result").valid_examples if "wheat" in p.name)
    view, _ = await hub.intake.submit(env.trader, "control-result", json.loads(example.read_text()), "CR-WHEAT-1")
    for _ in range(300):
        routed = await hub.recipients.routed_views(view.submission_id, 1)
        if routed is not None:
            break
        await asyncio.sleep(0.02)
    assert routed == {"partner-cn": "control-result"}
    async with hub.engine.connect() as conn:
        stored = list(await conn.execute(select(risk_assessments).where(
            risk_assessments.c.submission_id == view.submission_id)))  # fmt: skip
    assert stored == []
