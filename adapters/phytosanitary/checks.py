"""The plant quarantine officer's documentary check: the exporting country's certificate against the
declaration's goods items (botanical names, quantities, HS codes, country of origin) and the consignment
(exporting and importing country, the certificate number the declaration cites).

Findings are of two weights: a ``reason`` (the certificate does not cover the goods: REJECTED) and a
``condition`` (covered, with something to watch, such as a partial shipment: ACCEPTED_WITH_CONDITIONS).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from singlewindow.adapters.phytosanitary.ephyto import CertificateLine, PhytoCertificate

TOLERANCE = Decimal("0.02")  # declared net mass may differ from the certified one by 2 % (weighing, moisture)


@dataclass
class Findings:
    reasons: list[tuple[str, str]] = field(default_factory=list)
    conditions: list[tuple[str, str]] = field(default_factory=list)

    def reject(self, code: str, text: str) -> None:
        self.reasons.append((code, text))

    def condition(self, code: str, text: str) -> None:
        self.conditions.append((code, text))


def _name(value: str) -> str:
    return " ".join(value.lower().split())


def _line_for(item: Mapping[str, Any], lines: tuple[CertificateLine, ...]) -> CertificateLine | None:
    wanted = _name(item.get("scientificName", ""))
    for line in lines:
        if wanted and wanted in {_name(n) for n in line.scientific_names}:
            return line
    return None


def _check_item(item: Mapping[str, Any], line: CertificateLine, findings: Findings) -> None:
    number = item["sequenceNumber"]
    declared_hs = item["commodityCode"]["hsCode"]
    # The HS subheading (6 digits) is international; a certificate may give fewer digits (a heading).
    if line.hs_codes and not any(declared_hs.startswith(code[:6]) for code in line.hs_codes):
        findings.reject(
            "PHY-HS",
            f"item {number}: HS {item['commodityCode']['hsCode']} is not certified ({', '.join(line.hs_codes)})",
        )
    if item["originCountry"] not in line.origin_countries:
        findings.reject(
            "PHY-ORIGIN",
            f"item {number}: origin {item['originCountry']} is not the certified {', '.join(line.origin_countries)}",
        )
    declared = Decimal(item["netMassKg"])
    certified = line.net_weight_kg
    if certified is None:
        findings.condition(
            "PHY-QTY-UNIT", f"item {number}: the certificate states no mass; quantity checked at the border post"
        )
    elif declared > certified * (1 + TOLERANCE):
        findings.reject("PHY-QTY", f"item {number}: {declared} kg declared, only {certified} kg certified")
    elif declared < certified * (1 - TOLERANCE):
        findings.condition("PHY-PARTIAL", f"item {number}: partial shipment, {declared} kg of {certified} kg certified")


def check(certificate: PhytoCertificate, view: Mapping[str, Any]) -> Findings:
    """Everything that does not agree between ``certificate`` and the phytosanitary view of the declaration."""
    findings = Findings()
    if certificate.withdrawn:
        findings.reject("PHY-WITHDRAWN", f"certificate {certificate.number} was withdrawn by its issuer")
    if certificate.export_country != view["exportCountry"]:
        findings.reject(
            "PHY-EXPORT",
            f"certified for export from {certificate.export_country}, goods dispatched from {view['exportCountry']}",
        )
    if certificate.import_country != view["destinationCountry"] and certificate.import_country not in _transit(view):
        findings.reject(
            "PHY-IMPORT",
            f"certificate addressed to {certificate.import_country}, goods go to {view['destinationCountry']}",
        )
    for item in view["goodsItems"]:
        cited = [d["number"] for d in item.get("supportingDocuments", []) if d["type"] == "PHYTO_CERTIFICATE"]
        if cited and certificate.number not in cited:
            findings.reject(
                "PHY-NUMBER",
                f"item {item['sequenceNumber']} cites {', '.join(cited)}, the certificate is {certificate.number}",
            )
        line = _line_for(item, certificate.lines)
        if line is None:
            findings.reject(
                "PHY-SPECIES",
                f"item {item['sequenceNumber']}: {item.get('scientificName', 'no botanical name')} is not certified",
            )
        else:
            _check_item(item, line, findings)
    return findings


def _transit(view: Mapping[str, Any]) -> list[str]:
    return list(view.get("transport", {}).get("route", {}).get("itineraryCountries", []))
