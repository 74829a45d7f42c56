"""The hub's signed status proofs over HTTP, and the current document to amend from: issued with the grants of
reading the submission, verified for anyone signed in; tampered, foreign-key and outdated payloads told apart."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from click.testing import CliRunner, Result

import singlewindow.platform.proofs as proofs_package
from singlewindow.adapters.gateway.keystore import Keystore
from singlewindow.adapters.gateway.signing import SigningKey
from singlewindow.platform.api.agency_services import build_agency_services
from singlewindow.platform.api.http_server import HttpListener
from singlewindow.platform.api.operations import SubmissionApi
from singlewindow.platform.api.serve import hub_http_app
from singlewindow.platform.cli.main import cli
from singlewindow.platform.identity import GrantScope, Role
from singlewindow.platform.proofs import StatusProofs, StatusStatement, decode_payload, encode_payload, status_keystore
from singlewindow.platform.settings import AttachmentSettings, HubSettings, Settings
from singlewindow.platform.specs import Catalog, DocumentValidator
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.testing import embedded_hub

from .conftest import example

pytestmark = pytest.mark.asyncio(loop_scope="module")
REFERENCES = itertools.count(1)


@dataclass
class Proofs:
    http: httpx.AsyncClient
    tokens: dict[str, str]
    keys_dir: Path
    url: str  # the same app on a loopback port, for the CLI

    def headers(self, who: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.tokens[who]}"}

    async def submitted(self) -> dict[str, Any]:
        """A new submission of the apples example under a reference of its own."""
        reference = f"PROOF-{next(REFERENCES)}"
        body = {"documentType": "consignment", "document": {**example("apples"), "traderReference": reference}}
        response = await self.http.post("/v1/submissions", json=body, headers=self.headers("trader-a"))
        assert response.status_code == 201, response.text
        return response.json()["submission"]  # type: ignore[no-any-return]

    async def routed(self) -> dict[str, Any]:
        """A new submission once the hub has routed it: the hub logs nothing more about it until an agency
        answers, so no log line of the hub's (printed to whatever ``sys.stdout`` is) falls into a CLI's output
        captured meanwhile."""
        submission = await self.submitted()
        async with asyncio.timeout(10):
            while submission["status"] == "RECEIVED":
                await asyncio.sleep(0.02)
                response = await self.http.get(
                    f"/v1/submissions/{submission['submissionId']}", headers=self.headers("trader-a")
                )
                submission = response.json()
        return submission

    async def proof(self, submission_id: str, who: str = "trader-a") -> httpx.Response:
        return await self.http.get(f"/v1/submissions/{submission_id}/status-proof", headers=self.headers(who))

    async def verify(self, payload: object, who: str = "officer") -> httpx.Response:
        return await self.http.post("/v1/status-proofs/verify", json={"payload": payload}, headers=self.headers(who))


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def proofs(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Proofs]:
    """One hub for the module (each test submits its own consignment): the hub's start is most of the cost."""
    tmp_path = tmp_path_factory.mktemp("proofs")
    settings = Settings(
        attachments=AttachmentSettings(folder=tmp_path / "blobs"),
        hub=HubSettings(status_keys_dir=tmp_path / "status-keys"),
    )
    async with embedded_hub(tmp_path / "hub.db", settings) as embedded:
        hub = embedded.hub
        roles = {"trader-a": Role.TRADER, "trader-b": Role.TRADER, "broker": Role.BROKER, "officer": Role.OPERATOR}
        tokens = {name: (await hub.principals.add(name, role)).token for name, role in roles.items()}
        await hub.principals.grant("broker", "trader-a", GrantScope.READ)
        api = SubmissionApi(hub, settings.limits.max_document_bytes)
        agency = build_agency_services(hub, settings, DocumentValidator(Catalog()))
        app = hub_http_app(hub, api, agency, asyncio.Event())
        listener = HttpListener(app, "127.0.0.1", 0, grace_seconds=1)
        await listener.start()
        try:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as http:
                yield Proofs(http, tokens, tmp_path / "status-keys", f"http://127.0.0.1:{listener.port}")
        finally:
            await listener.stop()


async def test_a_fresh_proof_verifies_as_current_and_names_the_submission(proofs: Proofs) -> None:
    submission = await proofs.submitted()
    issued = (await proofs.proof(submission["submissionId"])).json()
    statement = issued["statement"]
    assert {k: statement[k] for k in ("submissionId", "version", "ucr", "keyId")} == {
        "submissionId": submission["submissionId"],
        "version": 1,
        "ucr": submission["ucr"],
        "keyId": "nsw-status-" + statement["issuedAt"][:4] + "-01",
    }
    assert len(issued["payload"]) < 400 and issued["payload"].startswith("NSW1.")
    verdict = (await proofs.verify(issued["payload"])).json()
    assert (verdict["verdict"], verdict["signed"], verdict["current"]) == ("current", True, True)
    assert verdict["statement"] == statement
    assert verdict["latest"] == {
        "version": 1,
        "status": statement["status"],
        "statusSequence": statement["statusSequence"],
    }


async def test_a_proof_after_an_amendment_is_outdated_and_says_what_is_latest(proofs: Proofs) -> None:
    submission = await proofs.submitted()
    payload = (await proofs.proof(submission["submissionId"])).json()["payload"]
    document = (await proofs.http.get(f"/v1/submissions/{submission['submissionId']}/document",
                                      headers=proofs.headers("trader-a"))).json()["document"]  # fmt: skip
    document["goodsItems"][0]["description"] = "Fresh apples, amended"
    amended = await proofs.http.post(f"/v1/submissions/{submission['submissionId']}/amend",
                                     json={"document": document}, headers=proofs.headers("trader-a"))  # fmt: skip
    assert amended.status_code == 200, amended.text
    verdict = (await proofs.verify(payload)).json()
    assert (verdict["verdict"], verdict["signed"], verdict["current"]) == ("outdated", True, False)
    assert verdict["message"] == "signed by the hub, but a later status exists"
    assert verdict["latest"]["version"] == 2


async def test_a_tampered_payload_is_not_signed(proofs: Proofs) -> None:
    submission = await proofs.submitted()
    payload = (await proofs.proof(submission["submissionId"])).json()["payload"]
    statement, signature = decode_payload(payload)
    forged = StatusStatement(**{**_fields(statement), "status": "CLEARED", "status_sequence": 99})
    verdict = (await proofs.verify(encode_payload(forged, signature))).json()
    assert (verdict["verdict"], verdict["signed"], verdict["latest"]) == ("bad-signature", False, None)


async def test_a_payload_signed_by_another_key_is_not_signed(proofs: Proofs) -> None:
    submission = await proofs.submitted()
    statement, _ = decode_payload((await proofs.proof(submission["submissionId"])).json()["payload"])
    impostor = SigningKey.generate(statement.key_id)  # the hub's key id, someone else's key
    signature = base64.b64decode(impostor.sign(statement.signed_bytes()))
    verdict = (await proofs.verify(encode_payload(statement, signature))).json()
    assert verdict["verdict"] == "bad-signature"
    unknown = StatusStatement(**{**_fields(statement), "key_id": "other-hub-2026-01"})
    signature = base64.b64decode(SigningKey.generate("other-hub-2026-01").sign(unknown.signed_bytes()))
    assert (await proofs.verify(encode_payload(unknown, signature))).json()["verdict"] == "unknown-key"


MALFORMED = [
    ("", "the text of the QR code"),
    (42, "the text of the QR code"),
    ("NSW2.e30.AA", "expected NSW1.<statement>.<signature>"),
    ("NSW1.e30=.AA", "the statement or the signature is not base64url of JSON"),
    ("NSW1.e30.AA", "the statement must have exactly the keys ['at', 'id', 'kid', 'seq', 'st', 'ucr', 'v']"),
    ("NSW1." + "A" * 1100, "longer than 1024 characters"),
]


async def test_a_payload_not_of_the_form_is_a_precise_422(proofs: Proofs) -> None:
    for payload, detail in MALFORMED:  # one hub for all: each case is a single request
        response = await proofs.verify(payload)
        assert response.status_code == 422, payload
        assert [(p["path"], p["message"]) for p in response.json()["problems"]] == [("/payload", detail)]


async def test_a_statement_with_a_wrong_type_or_not_canonical_is_refused(proofs: Proofs) -> None:
    fields = {
        "at": "2026-12-07T10:00:00.000Z",
        "id": "s_1",
        "kid": "k",
        "seq": True,
        "st": "CLEARED",
        "ucr": "U",
        "v": 1,
    }
    body = base64.urlsafe_b64encode(json.dumps(fields).encode()).rstrip(b"=").decode()
    response = await proofs.verify(f"NSW1.{body}.AA")
    assert response.json()["problems"][0]["message"] == "seq must be an integer"
    fields["seq"] = 1
    body = base64.urlsafe_b64encode(json.dumps(fields, indent=1).encode()).rstrip(b"=").decode()
    assert (await proofs.verify(f"NSW1.{body}.AA")).json()["problems"][0]["message"] == (
        "the statement is not in canonical form"
    )


async def test_proofs_and_documents_follow_the_read_grants(proofs: Proofs) -> None:
    submission = await proofs.submitted()
    submission_id = submission["submissionId"]
    assert (await proofs.proof(submission_id, "broker")).status_code == 200
    for path in (f"/v1/submissions/{submission_id}/status-proof", f"/v1/submissions/{submission_id}/document",
                 "/v1/submissions/s_missing/document"):  # fmt: skip
        response = await proofs.http.get(path, headers=proofs.headers("trader-b"))
        assert (response.status_code, response.json()["error"]) == (404, "not_found")
    document = (await proofs.http.get(f"/v1/submissions/{submission_id}/document",
                                      headers=proofs.headers("broker"))).json()  # fmt: skip
    assert (document["version"], document["document"]) == (
        1,
        {**example("apples"), "traderReference": submission["traderReference"]},
    )


async def test_the_public_keys_are_published_and_the_private_key_kept_private(proofs: Proofs) -> None:
    await proofs.proof((await proofs.submitted())["submissionId"])
    keys = (await proofs.http.get("/v1/status-proofs/keys", headers=proofs.headers("officer"))).json()["keys"]
    assert [len(base64.b64decode(key["publicKey"])) for key in keys] == [32]
    assert oct((proofs.keys_dir / f"{keys[0]['keyId']}.key").stat().st_mode & 0o777) == "0o600"


async def test_a_hub_that_never_issued_a_proof_has_no_key_and_writes_none(tmp_path: Path) -> None:
    unused = StatusProofs(tmp_path / "status-keys", submissions=None)  # type: ignore[arg-type]
    assert unused.public_keys() == []
    assert (await unused.verify(encode_payload(_statement(), b"\0" * 64))).verdict == "unknown-key"
    assert not (tmp_path / "status-keys").exists()


async def test_hub_processes_making_the_first_key_at_once_make_one(tmp_path: Path) -> None:
    folder = tmp_path / "status-keys"
    await asyncio.gather(*(asyncio.to_thread(status_keystore, folder) for _ in range(4)))
    assert [record.key_id for record in Keystore(folder).records()] == [f"nsw-status-{utcnow().year}-01"]
    assert sorted(path.name for path in folder.glob("*.key")) == [f"nsw-status-{utcnow().year}-01.key"]


async def test_public_names_are_pinned() -> None:
    assert sorted(proofs_package.__all__) == [
        "StatusProofs",
        "StatusStatement",
        "Verification",
        "decode_payload",
        "encode_payload",
        "status_keystore",
    ]


def _statement() -> StatusStatement:
    return StatusStatement("s_1", 1, "UCR-1", "CLEARED", 3, "2026-12-07T10:00:00.000Z", "nsw-status-2026-01")


async def nsw(proofs: Proofs, who: str, *args: str) -> Result:
    environment = {"NSW_TOKEN": proofs.tokens[who], "NSW_HUB_URL": proofs.url}
    return await asyncio.to_thread(CliRunner().invoke, cli, list(args), env=environment, catch_exceptions=False)


async def test_the_cli_shows_and_verifies_a_proof(proofs: Proofs) -> None:
    submission_id = (await proofs.routed())["submissionId"]
    shown = await nsw(proofs, "trader-a", "status-proof", "show", submission_id)
    assert shown.exit_code == 0, shown.output
    payload = shown.stdout.strip()
    verified = await nsw(proofs, "officer", "status-proof", "verify", payload)
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.splitlines()[0] == "current: signed by the hub; this is the submission's latest status"
    statement, signature = decode_payload(payload)
    forged = encode_payload(StatusStatement(**{**_fields(statement), "version": 7}), signature)
    refused = await nsw(proofs, "officer", "status-proof", "verify", forged)
    assert refused.exit_code == 1 and refused.stdout.startswith("bad-signature: not signed by this hub")
    malformed = await nsw(proofs, "officer", "status-proof", "verify", "NSW1.x")
    assert malformed.exit_code == 1 and "/payload" in malformed.stderr


def _fields(statement: StatusStatement) -> dict[str, Any]:
    return {name: getattr(statement, name) for name in StatusStatement.__slots__}
