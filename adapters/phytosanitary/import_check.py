"""Import: find the exporting country's ePhyto among the submission's attachments, validate and read it,
check it against the declaration, and decide at once.

* No ePhyto attached: INSPECTION_REQUIRED (the paper original is checked at the border post).
* None of the attached XML files is a readable certificate: REJECTED with the exact rules broken, coded
  PHY-SCHEMA when the ePhyto format (UN/CEFACT SPS schema, hub envelope) refuses it and PHY-NATIONAL when the
  certificate is valid by the standard and only a national requirement refuses it.
* Otherwise the findings of ``checks.check``: REJECTED with reasons, ACCEPTED_WITH_CONDITIONS, or ACCEPTED.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from singlewindow.adapters import Condition, DecisionDraft, DecisionStatus, Officer, Reason, Reference
from singlewindow.adapters.phytosanitary.checks import Findings, check
from singlewindow.adapters.phytosanitary.ephyto import CertificateUnreadable, PhytoCertificate, read_certificate
from singlewindow.platform.api.agency_client import AgencyHubClient

AUTOMATIC = Officer(id="PHY-AUTO", name="Documentary check of the electronic certificate")


def _cited(view: Mapping[str, Any]) -> set[str]:
    return {
        d["number"]
        for item in view["goodsItems"]
        for d in item.get("supportingDocuments", [])
        if d["type"] == "PHYTO_CERTIFICATE"
    }


@dataclass(frozen=True, slots=True)
class Refusal:
    """An attached file that is no certificate the adapter can check, and why."""

    file_name: str
    unreadable: CertificateUnreadable

    @property
    def reason(self) -> Reason:
        code = "PHY-NATIONAL" if self.unreadable.national else "PHY-SCHEMA"
        return Reason(code=code, text=f"{self.file_name}: {self.unreadable}"[:1000])


async def find_certificates(
    hub: AgencyHubClient, submission_id: str, version: int, media_types: Sequence[str]
) -> tuple[list[PhytoCertificate], list[Refusal]]:
    """The readable certificates among the XML attachments, and what was wrong with the others."""
    readable: list[PhytoCertificate] = []
    refused: list[Refusal] = []
    for entry in await hub.attachments_of(submission_id, version):
        if entry.get("mediaType") not in media_types:
            continue
        try:
            readable.append(read_certificate(await hub.attachment(entry["sha256"])))
        except CertificateUnreadable as exc:
            refused.append(Refusal(str(entry.get("fileName", entry["sha256"])), exc))
    return readable, refused


def decide_import(
    view: Mapping[str, Any], certificates: list[PhytoCertificate], refused: list[Refusal]
) -> DecisionDraft:
    if not certificates and not refused:
        return DecisionDraft(
            status=DecisionStatus.INSPECTION_REQUIRED,
            reasons=(
                Reason(
                    code="PHY-NO-EPHYTO",
                    text="No electronic phytosanitary certificate attached; the original is checked at the border post",
                ),
            ),
            officer=AUTOMATIC,
        )
    if not certificates:
        reasons = tuple(refusal.reason for refusal in refused[:5])
        return DecisionDraft(status=DecisionStatus.REJECTED, reasons=reasons, officer=AUTOMATIC)
    cited = _cited(view)
    certificate = next((c for c in certificates if c.number in cited), certificates[0])
    return draft_from(check(certificate, view), certificate)


def draft_from(findings: Findings, certificate: PhytoCertificate) -> DecisionDraft:
    reference = Reference(type="PHYTO_CERTIFICATE", id=certificate.number[:70], issuer=certificate.export_country)
    if findings.reasons:
        reasons = tuple(Reason(code=code, text=text) for code, text in findings.reasons)
        return DecisionDraft(
            status=DecisionStatus.REJECTED, reasons=reasons, officer=AUTOMATIC, references=(reference,)
        )
    if findings.conditions:
        conditions = tuple(Condition(code=code, text=text) for code, text in findings.conditions)
        return DecisionDraft(
            status=DecisionStatus.ACCEPTED_WITH_CONDITIONS,
            conditions=conditions,
            officer=AUTOMATIC,
            references=(reference,),
        )
    return DecisionDraft(status=DecisionStatus.ACCEPTED, officer=AUTOMATIC, references=(reference,))
