"""The console's QR box verifies the decision's QR code (a hub-signed status proof) through the hub: the
verdict is shown with the signed statement and a link to the agency's open document of that consignment; an
altered code is shown as not signed, text that is no proof as unreadable."""

from __future__ import annotations

from typing import Any


async def test_a_scanned_proof_is_verified_by_the_hub(console: Any) -> None:
    trader = {"authorization": f"Bearer {console.tokens['trader']}"}
    proof = (await console.hub.get(f"/v1/submissions/{console.submission_id}/status-proof", headers=trader)).json()
    await console.sign_in("bg-officer")

    page = (await console.portal.get("/console/open", params={"payload": proof["payload"]})).text
    assert "Status proof: Signed by the hub and current: this is the consignment" in page
    assert f'<dd id="proof-status">{proof["statement"]["status"]}</dd>' in page
    assert f'<a href="/console/items/{console.ticket}">Open the document {console.ticket}</a>' in page

    head, statement, signature = proof["payload"].split(".")
    altered = f"{head}.{statement}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    page = (await console.portal.get("/console/open", params={"payload": altered})).text
    assert "Status proof: Not signed by this hub: altered or forged." in page and "Open the document" not in page
    page = (await console.portal.get("/console/open", params={"payload": "NSW1.not-a-proof"})).text
    assert "Status proof: Not a status proof the hub can read." in page
