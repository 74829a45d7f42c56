"""Attachments over HTTP: stored by SHA-256, the one size limit (413), the declared hash checked, and read
access only for the uploader and the agencies a routed submission refers the file to."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from typing import Any

MAX_ATTACHMENT = 4096  # as in conftest.py
XML = b'<?xml version="1.0"?><SPSCertificate>apples</SPSCertificate>'


async def upload(env: Any, who: str, content: bytes, name: str = "ephyto.xml", **params: str) -> Any:
    return await env.http.post(
        "/v1/attachments",
        params={"fileName": name, **params},
        content=content,
        headers={**env.auth(who), "content-type": "application/xml"},
    )


def with_attachment(document: dict[str, Any], content: bytes) -> dict[str, Any]:
    entry = {
        "sha256": hashlib.sha256(content).hexdigest(),
        "mediaType": "application/xml",
        "fileName": "ephyto.xml",
        "sizeBytes": len(content),
        "kind": "CERTIFICATE",
    }
    return {**document, "attachments": [*document.get("attachments", []), entry]}


async def test_upload_is_stored_by_hash_and_read_back_by_the_uploader(env: Any) -> None:
    answer = await upload(env, "trader", XML)
    assert answer.status_code == 201, answer.text
    digest = hashlib.sha256(XML).hexdigest()
    assert answer.json()["sha256"] == digest and answer.json()["sizeBytes"] == len(XML)
    again = await upload(env, "trader", XML)
    assert again.status_code == 200  # same content: stored once
    fetched = await env.http.get(f"/v1/attachments/{digest}", headers=env.auth("trader"))
    assert fetched.status_code == 200
    assert fetched.content == XML
    assert fetched.headers["content-type"].startswith("application/xml")
    assert fetched.headers["x-content-sha256"] == digest


async def test_an_attachment_over_the_limit_gets_413(env: Any) -> None:
    declared = await upload(env, "trader", b"x" * (MAX_ATTACHMENT + 1))
    assert declared.status_code == 413
    assert declared.json()["error"] == "payload_too_large"

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: the limit is enforced while reading
        for _ in range(MAX_ATTACHMENT // 512 + 2):
            yield b"y" * 512

    streamed = await env.http.post(
        "/v1/attachments",
        params={"fileName": "big.bin"},
        content=chunked(),
        headers={**env.auth("trader"), "content-type": "application/octet-stream"},
    )
    assert streamed.status_code == 413
    assert "limit" in streamed.json()["message"]
    assert not [p for p in env.services.attachments.blobs.folder.rglob("*") if p.is_file()]  # nothing kept


async def test_a_declared_hash_that_does_not_match_is_refused(env: Any) -> None:
    answer = await upload(env, "trader", XML, sha256="0" * 64)
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["code"] == "hashMismatch"
    assert (await upload(env, "trader", XML, sha256=hashlib.sha256(XML).hexdigest())).status_code == 201


async def test_bad_uploads_get_clear_errors(env: Any) -> None:
    no_name = await env.http.post(
        "/v1/attachments", content=XML, headers={**env.auth("trader"), "content-type": "application/xml"}
    )
    assert no_name.status_code == 422 and no_name.json()["problems"][0]["path"] == "/fileName"
    empty = await upload(env, "trader", b"")
    assert empty.status_code == 422
    anonymous = await env.http.post("/v1/attachments", params={"fileName": "a.xml"}, content=XML)
    assert anonymous.status_code == 401


async def test_served_to_an_agency_whose_documents_refer_to_it_and_refused_to_others(
    env: Any, example: Callable[[str], dict[str, Any]]
) -> None:
    assert (await upload(env, "trader", XML)).status_code == 201
    digest = hashlib.sha256(XML).hexdigest()
    submission_id, recipients = await env.submit(with_attachment(example("apples"), XML))
    assert "phytosanitary" in recipients and "veterinary" not in recipients

    served = await env.http.get(f"/v1/attachments/{digest}", headers=env.auth("phyto-adapter"))
    assert served.status_code == 200 and served.content == XML
    for stranger in ("vet-adapter", "vet-officer", "other-trader"):
        refused = await env.http.get(f"/v1/attachments/{digest}", headers=env.auth(stranger))
        assert refused.status_code == 403, stranger
    unknown = await env.http.get(f"/v1/attachments/{'1' * 64}", headers=env.auth("phyto-adapter"))
    assert unknown.status_code == 403  # the same answer as for a foreign file: hashes cannot be probed
    assert (await env.http.get(f"/v1/attachments/{digest}", headers=env.auth("operator"))).status_code == 200

    listed = await env.http.get(
        "/v1/attachments", params={"submissionId": submission_id, "version": "1"}, headers=env.auth("phyto-adapter")
    )
    assert listed.status_code == 200
    assert digest in [entry["sha256"] for entry in listed.json()["attachments"]]
    foreign = await env.http.get(
        "/v1/attachments", params={"submissionId": submission_id, "version": "1"}, headers=env.auth("vet-adapter")
    )
    assert foreign.status_code == 403
