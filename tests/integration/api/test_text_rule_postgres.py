"""The text rule on PostgreSQL (issue 11, defect 3): PostgreSQL refuses NUL in text, so a document with
"\\u0000" that got in broke later reads for other traders with 500s. It is refused at intake with its pointer,
nothing is stored, and the other trader's reads keep working; an id with NUL never reaches a query."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from singlewindow.platform.api.agency_services import build_agency_services
from singlewindow.platform.api.assembly import hub_from_settings
from singlewindow.platform.api.http_app import build_http_app
from singlewindow.platform.api.operations import SubmissionApi
from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.identity import Role
from singlewindow.platform.settings import AttachmentSettings, DatabaseSettings, Settings
from singlewindow.platform.specs import Catalog, DocumentValidator

pytestmark = pytest.mark.integration

DOCUMENT = json.loads(Catalog().get("consignment").valid_examples[0].read_text())


async def test_nul_is_refused_at_intake_and_other_traders_reads_keep_working(
    fresh_postgres_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        database=DatabaseSettings(url=fresh_postgres_url), attachments=AttachmentSettings(folder=tmp_path / "blobs")
    )
    async with hub_from_settings(settings) as hub:
        trader_a = (await hub.principals.add("trader-a", Role.TRADER)).token
        trader_b = (await hub.principals.add("trader-b", Role.TRADER)).token
        api = SubmissionApi(hub, settings.limits.max_document_bytes)
        agency = build_agency_services(hub, settings, DocumentValidator(Catalog()))
        app = build_http_app(api, extra_routes=agency.routes())
        as_a, as_b = {"authorization": f"Bearer {trader_a}"}, {"authorization": f"Bearer {trader_b}"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as http:
            uploaded = await http.post(
                "/v1/attachments?fileName=invoice.pdf",
                content=b"%PDF-1.4 invoice",
                headers={**as_a, "content-type": "application/pdf"},
            )
            assert uploaded.status_code == 201, uploaded.text
            sha256 = uploaded.json()["sha256"]

            poisoned = json.dumps({"documentType": "consignment", "document": DOCUMENT}).replace(
                json.dumps(DOCUMENT["consignor"]["name"]), '"Almaty\\u0000Fruit"', 1
            )
            refused = await http.post("/v1/submissions", content=poisoned, headers=as_b)
            assert refused.status_code == 422, refused.text
            assert refused.json()["problems"][0]["path"] == "/consignor/name"
            assert refused.json()["problems"][0]["code"] == "invalid-character"
            assert (await http.get("/v1/submissions", headers=as_b)).json() == {"submissions": []}

            for url in ("/v1/submissions/s_%00", "/v1/submissions?status=%00", "/v1/attachments/%00"):
                answer = await http.get(url, headers=as_b)
                assert answer.status_code == 422, (url, answer.text)

            read = await http.get(f"/v1/attachments/{sha256}", headers=as_a)
            assert read.status_code == 200 and read.content == b"%PDF-1.4 invoice"

        # Callers inside the process (CLI, embedded) meet the same rule at intake.
        principal = await api.principal(f"Bearer {trader_b}")
        with pytest.raises(InvalidInput) as caught:
            await api.submit(principal, "consignment", {**DOCUMENT, "ucr": "KZ\x00"}, None, None)
        assert [(p.path, p.code) for p in caught.value.problems] == [("/ucr", "invalid-character")]
