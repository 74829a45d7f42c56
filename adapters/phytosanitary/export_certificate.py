"""Export: have the plant-protection system issue the phytosanitary certificate, check what it returned
against the XSD, keep the XML in the hub's attachment store (for the partner country's NPPO), record the
certificate in the hub's permits register, and accept with the certificate as the decision's reference."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import structlog

from singlewindow.adapters import AgencyUnavailable, DecisionDraft, DecisionStatus, Officer, Reference
from singlewindow.adapters.phytosanitary.ephyto import CertificateUnreadable, read_certificate
from singlewindow.adapters.phytosanitary.plant_protection import PlantProtectionClient
from singlewindow.adapters.phytosanitary.ppp_api import CertificateRequest, IssuedCertificate
from singlewindow.platform.api.agency_client import AgencyHubClient, Conflict, NotFound

log = structlog.get_logger(__name__)


def _trader(party: Mapping[str, Any]) -> dict[str, Any]:
    address = party["address"]
    return {
        "name": party["name"][:200],
        "addressLine": address.get("streetAndNumber"),
        "city": address.get("city"),
        "country": address["country"],
    }


def certificate_request(view: Mapping[str, Any], local_reference: str) -> CertificateRequest:
    means = view.get("transport", {}).get("transportMeans", {})
    route = view.get("transport", {}).get("route", {})
    countries = route.get("itineraryCountries", [])
    return CertificateRequest.model_validate(
        {
            "localReference": local_reference,
            "consignor": _trader(view.get("consignor") or view["exporter"]),
            "consignee": _trader(view.get("consignee") or view["importer"]),
            "exportCountry": view["exportCountry"],
            "importCountry": view["destinationCountry"],
            "transitCountries": [
                c for c in countries[1:-1] if c not in (view["exportCountry"], view["destinationCountry"])
            ],
            "transportModeCode": view.get("transport", {}).get("modeOfTransportAtBorder", "3")[:1],
            "transportMeans": means.get("registrationNumber"),
            "lines": [
                {
                    "scientificName": item.get("scientificName") or item["description"][:140],
                    "description": item["description"],
                    "hsCode": item["commodityCode"]["hsCode"],
                    "netWeightKg": item["netMassKg"],
                    "grossWeightKg": item["grossMassKg"],
                    "originCountry": item["originCountry"],
                    "packages": [{"typeCode": p["typeCode"], "count": p["count"]} for p in item["packages"]],
                }
                for item in view["goodsItems"]
            ],
        }
    )


def permit_record(view: Mapping[str, Any], issued: IssuedCertificate) -> dict[str, Any]:
    items = view["goodsItems"]
    total = sum(Decimal(item["netMassKg"]) for item in items)
    return {
        "number": issued.certificateNumber,
        "kind": "PHYTO_CERTIFICATE",
        "holderId": view["exporter"].get("identificationNumber", view["exporter"]["name"])[:64],
        "hsCodes": sorted({item["commodityCode"]["hsCode"] for item in items}),
        "description": "; ".join(item["description"] for item in items)[:512],
        "quantity": {"value": f"{total:.3f}", "unit": "KGM"},
        "validFrom": issued.issuedAt[:10],
        "validUntil": issued.validUntil,
    }


async def issue_for_export(
    view: Mapping[str, Any], local_reference: str, system: PlantProtectionClient, hub: AgencyHubClient, country: str
) -> DecisionDraft:
    issued = await system.issue(certificate_request(view, local_reference))
    try:
        certificate = read_certificate(issued.xml.encode())
    except CertificateUnreadable as exc:
        raise AgencyUnavailable(f"the plant-protection system issued an unreadable certificate: {exc}") from exc
    stored = await hub.put_attachment(issued.xml.encode(), "application/xml", f"{certificate.number}.xml")
    try:
        await hub.record_permit(permit_record(view, issued))
    except Conflict:
        pass  # recorded by an earlier attempt of this hand-over
    except NotFound:
        log.warning("the hub serves no permits register: certificate kept only in the attachment store",
                    certificate=certificate.number, sha256=stored["sha256"])  # fmt: skip
    return DecisionDraft(
        status=DecisionStatus.ACCEPTED,
        officer=Officer(id="PHY-EXPORT", name="Export certification"),
        references=(Reference(type="PHYTO_CERTIFICATE", id=certificate.number, issuer=country),),
        idempotency_key=f"export-certificate:{certificate.number}",
    )
