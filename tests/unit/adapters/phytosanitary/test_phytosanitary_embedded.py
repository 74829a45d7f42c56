"""The phytosanitary adapter end to end on the embedded hub: the ePhyto arrives as an attachment and is
checked and decided at once on import; on export the plant-protection stand-in (a separate process) issues
the certificate, which is kept as an attachment and recorded in the permits register."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from singlewindow.adapters.phytosanitary.ephyto import schema_folder
from singlewindow.adapters.phytosanitary.standin import CertificateStore
from singlewindow.platform.identity import Role
from singlewindow.platform.testing.harness import consignment_example

WAIT = 40.0  # seconds; generous because CI machines run many suites at once

SAMPLES = schema_folder().parent / "samples"


async def with_ephyto(phyto: Any, sample: str) -> dict[str, Any]:
    """The apples consignment with the sample uploaded and listed among its attachments."""
    content = (SAMPLES / sample).read_bytes()
    stored = await phyto.trader_hub.put_attachment(content, "application/xml", sample)
    assert stored["sha256"] == hashlib.sha256(content).hexdigest()
    document = consignment_example("apples")
    entry = {"sha256": stored["sha256"], "mediaType": "application/xml", "fileName": sample,
             "sizeBytes": len(content), "kind": "CERTIFICATE"}  # fmt: skip
    document["attachments"] = [*document["attachments"], entry]
    return document


def decision_of(view: Any) -> dict[str, Any]:
    decision = next(r.decision for r in view.recipients if r.recipient == "phytosanitary")
    assert decision is not None
    return dict(decision)


def certificate_of(decision: dict[str, Any]) -> dict[str, Any]:
    [reference] = [r for r in decision["references"] if r["type"] == "PHYTO_CERTIFICATE"]
    return dict(reference)


async def test_a_matching_ephyto_is_accepted(phyto: Any) -> None:
    submission_id = await phyto.harness.submit(await with_ephyto(phyto, "valid-apples-cn-to-kz.xml"))
    decision = decision_of(await phyto.harness.wait_recipient(submission_id, "ACCEPTED", within=WAIT))
    assert certificate_of(decision) == {"type": "PHYTO_CERTIFICATE", "id": "CN650000-2026-0113457", "issuer": "CN"}


async def test_an_ephyto_refused_by_a_national_rule_says_so(phyto: Any) -> None:
    submission_id = await phyto.harness.submit(await with_ephyto(phyto, "national-no-scientific-name.xml"))
    decision = decision_of(await phyto.harness.wait_recipient(submission_id, "REJECTED", within=WAIT))
    [reason] = decision["reasons"]
    assert reason["code"] == "PHY-NATIONAL" and "refused by a national requirement" in reason["text"]
    assert "[national.certificate-type]" in reason["text"] and "[national.scientific-name]" in reason["text"]


async def test_an_ephyto_for_other_goods_is_rejected(phyto: Any) -> None:
    submission_id = await phyto.harness.submit(await with_ephyto(phyto, "valid-mismatching-pears.xml"))
    decision = decision_of(await phyto.harness.wait_recipient(submission_id, "REJECTED", within=WAIT))
    assert [r["code"] for r in decision["reasons"]] == ["PHY-SPECIES"]


async def test_no_ephyto_means_inspection_at_the_border(phyto: Any) -> None:
    submission_id = await phyto.harness.submit("apples")
    decision = decision_of(await phyto.harness.wait_recipient(submission_id, "INSPECTION_REQUIRED", within=WAIT))
    assert decision["reasons"][0]["code"] == "PHY-NO-EPHYTO"


async def test_export_certificate_is_issued_kept_and_registered(phyto: Any) -> None:
    from .conftest import export_consignment

    submission_id = await phyto.harness.submit(export_consignment())
    decision = decision_of(await phyto.harness.wait_recipient(submission_id, "ACCEPTED", within=WAIT))
    reference = certificate_of(decision)
    assert reference["id"].startswith("KZ-PHY-") and reference["issuer"] == "KZ"
    operator = await phyto.harness.embedded.hub.principals.add("operator", Role.OPERATOR)
    permit = await phyto.served.permits.get(operator.principal, reference["id"])
    assert permit.issuing_agency == "phytosanitary" and str(permit.quantity) == "20000.000"


async def test_plant_protection_system_down_for_a_while_and_back(phyto: Any) -> None:
    from .conftest import export_consignment

    await phyto.standin.stop()
    first = await phyto.harness.submit(export_consignment())
    second_document = export_consignment()
    second_document["goodsItems"][0]["netMassKg"] = "10000.000"
    second = await phyto.harness.submit(second_document)
    await asyncio.sleep(1.2)
    assert await phyto.harness.recipient_status(first) == "PENDING"
    await phyto.standin.restart()
    numbers = set()
    for submission_id in (first, second):
        decision = decision_of(await phyto.harness.wait_recipient(submission_id, "ACCEPTED", within=WAIT))
        numbers.add(certificate_of(decision)["id"])
        assert len(await phyto.harness.decisions(submission_id)) == 1
    store = await CertificateStore.open(str(phyto.standin.db))
    try:
        assert await store.count() == 2 and len(numbers) == 2
    finally:
        await store.close()


async def test_malformed_and_erroring_answers_are_retried_without_duplicates(phyto: Any) -> None:
    from .conftest import export_consignment

    for mode in ("malformed-json", "malformed-schema", "error"):
        await phyto.standin.set_script(mode=mode, times=1)
        submission_id = await phyto.harness.submit(export_consignment())
        await phyto.harness.wait_recipient(submission_id, "ACCEPTED", within=WAIT)
        assert len(await phyto.harness.decisions(submission_id)) == 1
    store = await CertificateStore.open(str(phyto.standin.db))
    try:
        assert await store.count() == 3
    finally:
        await store.close()


async def test_a_slow_system_counts_as_unavailable_then_succeeds_once(phyto: Any) -> None:
    from .conftest import export_consignment

    await phyto.standin.set_script(slow_seconds=1.5)  # the adapter waits 1 s
    submission_id = await phyto.harness.submit(export_consignment())
    await asyncio.sleep(1.2)
    assert await phyto.harness.recipient_status(submission_id) == "PENDING"
    await phyto.standin.set_script()
    await phyto.harness.wait_recipient(submission_id, "ACCEPTED", within=WAIT)
    assert len(await phyto.harness.decisions(submission_id)) == 1
    store = await CertificateStore.open(str(phyto.standin.db))
    try:
        assert await store.count() == 1  # the slow answer's certificate is the one the retry got back
    finally:
        await store.close()
