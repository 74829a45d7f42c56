"""Import checks in the plant-protection system's register (issue 12): the documentary check of an ePhyto is
filed there with the findings, so the system can ask the trader first (a QUERY with the fields concerned),
abandon it when the consignment is cancelled, and redo it when the consignment is amended.

The findings travel as the hub's decision draft: the system keeps them and releases them (at once, or once
the trader's answer arrived), and the adapter publishes what the system released.
"""

from __future__ import annotations

from singlewindow.adapters import DecisionDraft, DecisionStatus, Query
from singlewindow.adapters.phytosanitary.import_check import AUTOMATIC
from singlewindow.adapters.phytosanitary.plant_protection import PlantProtectionClient
from singlewindow.adapters.phytosanitary.ppp_api import ImportCheck, ImportCheckRequest

PREFIX = "import-check:"


def check_reference(handover_reference: str | None) -> str | None:
    """The register's reference inside a hand-over reference (exports hand over certificates instead)."""
    if handover_reference and handover_reference.startswith(PREFIX):
        return handover_reference[len(PREFIX) :]
    return None


def released(check: ImportCheck, key: str | None = None) -> DecisionDraft | None:
    """The hub decision for what the register says: its findings, a QUERY, or nothing (the check ended)."""
    if check.status == "DECIDED" and check.findings is not None:
        draft = DecisionDraft.model_validate(check.findings)
        return draft.model_copy(update={"idempotency_key": key}) if key else draft
    if check.status == "QUERY":
        question = check.question or "The plant quarantine inspector has a question"
        return DecisionDraft(
            status=DecisionStatus.QUERY,
            query=Query.about(question, check.fieldsConcerned),
            officer=AUTOMATIC,
            idempotency_key=f"{PREFIX}{check.checkReference}:query",
        )
    return None


async def file_check(
    system: PlantProtectionClient, local_reference: str, ucr: str, certificate: str | None, findings: DecisionDraft,
    replaces: str | None,
) -> ImportCheck:  # fmt: skip
    request = ImportCheckRequest(
        localReference=local_reference,
        customsReferenceNumber=ucr,
        certificateNumber=certificate,
        findings=findings.model_dump(mode="json"),
        replacesCheckReference=check_reference(replaces),
    )
    return await system.file_check(request)


async def live_checks(system: PlantProtectionClient, ucr: str, submission_id: str, version: int) -> list[str]:
    """The register's live checks filed for one submission version (local reference = hand-over key)."""
    prefix = f"{submission_id}.v{version}.phytosanitary."
    return [
        c.checkReference
        for c in (await system.checks_of(ucr)).checks
        if c.localReference.startswith(prefix) and c.status in ("DECIDED", "QUERY")
    ]
