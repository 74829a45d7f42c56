"""The national layer: what this country's plant quarantine needs of a certificate beyond the UN/CEFACT
standard, to check it against a declaration at all. It runs only on certificates the standard accepts, and
each refusal says it is national (``layer="national"``, rule ``national.*``), so a valid foreign certificate
is never refused for a national reason without saying so. Matching the declaration is ``checks.py``."""

from __future__ import annotations

import re

from singlewindow.adapters.formats import Problem
from singlewindow.adapters.phytosanitary.ephyto.model import CertificateLine, PhytoCertificate

CERTIFICATE_TYPES = {"851": "phytosanitary certificate", "657": "phytosanitary certificate for re-export"}
_COUNTRY = re.compile(r"[A-Z]{2}")
_DOCUMENT = "/rsm:SPSCertificate/rsm:SPSExchangedDocument"
_CONSIGNMENT = "/rsm:SPSCertificate/rsm:SPSConsignment"
_LINE = f"{_CONSIGNMENT}/ram:IncludedSPSConsignmentItem/ram:IncludedSPSTradeLineItem"


def _national(where: str, rule: str, message: str) -> Problem:
    return Problem(where, rule, f"national rule: {message}", layer="national")


def _country_problems(where: str, codes: tuple[str, ...]) -> list[Problem]:
    return [
        _national(where, "national.country-code", f"{code!r} is not an ISO 3166-1 alpha-2 country code")
        for code in codes
        if not _COUNTRY.fullmatch(code)
    ]


def _document_problems(certificate: PhytoCertificate) -> list[Problem]:
    found = []
    if not certificate.number:
        found.append(_national(f"{_DOCUMENT}/ram:ID", "national.certificate-number", "the number is empty"))
    if certificate.type_code not in CERTIFICATE_TYPES:
        message = f"type {certificate.type_code!r} is neither 851 (phytosanitary) nor 657 (re-export)"
        found.append(_national(f"{_DOCUMENT}/ram:TypeCode", "national.certificate-type", message))
    if certificate.issued_at is None:
        message = f"the issue date-time {certificate.issued_as_written!r} is not a point in time it can read"
        found.append(_national(f"{_DOCUMENT}/ram:IssueDateTime", "national.issue-date", message))
    found += _country_problems(f"{_CONSIGNMENT}/ram:ExportSPSCountry/ram:ID", (certificate.export_country,))
    found += _country_problems(f"{_CONSIGNMENT}/ram:ImportSPSCountry/ram:ID", (certificate.import_country,))
    return found


def _line_problems(where: str, line: CertificateLine) -> list[Problem]:
    found, named = [], f"line {line.sequence}"
    if not line.scientific_names:
        message = f"{named} names no species, and the declaration is matched by botanical name"
        found.append(_national(f"{where}/ram:ScientificName", "national.scientific-name", message))
    if line.net_weight is None:
        message = f"{named} states no net weight to check the declared quantity against"
        found.append(_national(f"{where}/ram:NetWeightMeasure", "national.net-weight", message))
    elif not line.net_weight.unit:
        message = f"{named}: the net weight {line.net_weight.value} has no unitCode"
        found.append(_national(f"{where}/ram:NetWeightMeasure", "national.net-weight-unit", message))
    if not line.origin_countries:
        message = f"{named} states no country of origin"
        found.append(_national(f"{where}/ram:OriginSPSCountry", "national.origin-country", message))
    return found + _country_problems(f"{where}/ram:OriginSPSCountry/ram:ID", line.origin_countries)


def national_problems(certificate: PhytoCertificate) -> list[Problem]:
    """Every national requirement ``certificate`` does not meet (nothing when it meets them all)."""
    found = _document_problems(certificate)
    for position, line in enumerate(certificate.lines, start=1):
        found += _line_problems(f"{_LINE}[{position}]", line)
    return found
