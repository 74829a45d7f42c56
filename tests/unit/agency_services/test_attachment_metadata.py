"""Attachment bytes are shared by hash, metadata is not: two traders uploading the same bytes each see only
their own file name, media type and upload time, and an agency sees the upload of the trader whose routed
document lists the file, never another uploader's."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from typing import Any

CONTENT = b"%PDF-1.7 the same invoice, uploaded twice"
DIGEST = hashlib.sha256(CONTENT).hexdigest()


async def upload(env: Any, who: str, name: str, media_type: str) -> Any:
    return await env.http.post(
        "/v1/attachments",
        params={"fileName": name},
        content=CONTENT,
        headers={**env.auth(who), "content-type": media_type},
    )


async def read(env: Any, who: str) -> Any:
    response = await env.http.get(f"/v1/attachments/{DIGEST}", headers=env.auth(who))
    assert response.status_code == 200, (who, response.text)
    assert response.content == CONTENT
    return response


def listing(document: dict[str, Any], name: str) -> dict[str, Any]:
    entry = {"sha256": DIGEST, "mediaType": "application/pdf", "fileName": name, "sizeBytes": len(CONTENT)}
    return {**document, "attachments": [{**entry, "kind": "INVOICE"}]}


async def test_two_uploaders_of_the_same_bytes_each_see_only_their_own_metadata(env: Any) -> None:
    first = await upload(env, "trader", "a-secret-supplier-invoice.pdf", "application/pdf")
    await asyncio.sleep(0.01)  # distinct upload times
    second = await upload(env, "other-trader", "b-invoice.bin", "application/octet-stream")
    # Both are new uploads: a 200 would tell B that someone already holds these bytes.
    assert first.status_code == 201 and second.status_code == 201
    assert first.json()["fileName"] == "a-secret-supplier-invoice.pdf"
    assert second.json()["fileName"] == "b-invoice.bin"
    assert second.json()["mediaType"] == "application/octet-stream"
    assert second.json()["uploadedAt"] != first.json()["uploadedAt"]
    assert "a-secret" not in second.text

    mine = await read(env, "trader")
    assert "a-secret-supplier-invoice.pdf" in mine.headers["content-disposition"]
    assert mine.headers["content-type"].startswith("application/pdf")
    theirs = await read(env, "other-trader")
    assert "b-invoice.bin" in theirs.headers["content-disposition"]
    assert "a-secret" not in theirs.headers["content-disposition"]
    assert theirs.headers["content-type"].startswith("application/octet-stream")

    # Uploading again replaces only the uploader's own metadata.
    again = await upload(env, "other-trader", "b-invoice-renamed.pdf", "application/pdf")
    assert again.status_code == 200 and again.json()["fileName"] == "b-invoice-renamed.pdf"
    assert "a-secret-supplier-invoice.pdf" in (await read(env, "trader")).headers["content-disposition"]


async def test_an_agency_sees_the_upload_of_the_trader_whose_document_was_routed_to_it(
    env: Any, example: Callable[[str], dict[str, Any]]
) -> None:
    assert (await upload(env, "trader", "a-secret-supplier-invoice.pdf", "application/pdf")).status_code == 201
    assert (await upload(env, "other-trader", "b-invoice.pdf", "application/pdf")).status_code == 201
    _, recipients = await env.submit(listing(example("apples"), "b-invoice.pdf"), who="other-trader")
    assert "phytosanitary" in recipients
    seen = await read(env, "phyto-adapter")
    assert "b-invoice.pdf" in seen.headers["content-disposition"]
    assert "a-secret" not in seen.headers["content-disposition"]


async def test_bytes_referred_to_but_uploaded_only_by_someone_else_show_the_documents_own_metadata(
    env: Any, example: Callable[[str], dict[str, Any]]
) -> None:
    """B lists A's bytes without uploading them: the agency may read the file, under the name B's document
    gives it, never A's."""
    assert (await upload(env, "trader", "a-secret-supplier-invoice.pdf", "application/pdf")).status_code == 201
    _, recipients = await env.submit(listing(example("apples"), "as-listed-by-b.pdf"), who="other-trader")
    assert "phytosanitary" in recipients
    seen = await read(env, "phyto-adapter")
    assert "as-listed-by-b.pdf" in seen.headers["content-disposition"]
    assert "a-secret" not in seen.headers["content-disposition"]
    refused = await env.http.get(f"/v1/attachments/{DIGEST}", headers=env.auth("other-trader"))
    assert refused.status_code == 403  # listing a hash in one's own document is not a way to read it
