"""Taking the facts out of a certificate the schema accepted (so every required element is there)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from lxml import etree

from singlewindow.adapters.phytosanitary.ephyto import datetimes
from singlewindow.adapters.phytosanitary.ephyto.model import (
    CertificateLine,
    Classification,
    Measure,
    Note,
    PhytoCertificate,
    Treatment,
)
from singlewindow.adapters.phytosanitary.ephyto.names import NS


def _text(node: etree._Element | None, path: str) -> str:
    found = node.find(path, NS) if node is not None else None
    return (found.text or "").strip() if found is not None else ""


def _texts(node: etree._Element, path: str) -> tuple[str, ...]:
    return tuple(text for found in node.findall(path, NS) if (text := (found.text or "").strip()))


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:  # the schema's xs:decimal makes this unreachable for validated input
        return Decimal(0)


def _measure(node: etree._Element, path: str) -> Measure | None:
    found = node.find(path, NS)
    if found is None:
        return None
    return Measure(_decimal((found.text or "").strip()), found.get("unitCode", "").strip())


def _notes(node: etree._Element, path: str) -> tuple[Note, ...]:
    return tuple(Note(_text(note, "ram:Subject"), _texts(note, "ram:Content")) for note in node.findall(path, NS))


def _treatment(node: etree._Element) -> Treatment:
    period = node.find("ram:CompletionSPSPeriod", NS)
    characteristics = []
    for characteristic in node.findall("ram:ApplicableSPSProcessCharacteristic", NS):
        value = _measure(characteristic, "ram:ValueMeasure")
        described = _texts(characteristic, "ram:Description")
        characteristics.append(described + ((f"{value.value} {value.unit}".strip(),) if value else ()))
    return Treatment(
        type_code=_text(node, "ram:TypeCode"),
        started=datetimes.read(period.find("ram:StartDateTime", NS) if period is not None else None)[2],
        ended=datetimes.read(period.find("ram:EndDateTime", NS) if period is not None else None)[2],
        duration=_measure(period, "ram:DurationMeasure") if period is not None else None,
        characteristics=tuple(characteristics),
    )


def _line(node: etree._Element) -> CertificateLine:
    return CertificateLine(
        sequence=_decimal(_text(node, "ram:SequenceNumeric")),
        description=" ".join(_texts(node, "ram:Description")),
        common_names=_texts(node, "ram:CommonName"),
        scientific_names=_texts(node, "ram:ScientificName"),
        intended_uses=_texts(node, "ram:IntendedUse"),
        net_weight=_measure(node, "ram:NetWeightMeasure"),
        gross_weight=_measure(node, "ram:GrossWeightMeasure"),
        net_volume=_measure(node, "ram:NetVolumeMeasure"),
        gross_volume=_measure(node, "ram:GrossVolumeMeasure"),
        classifications=tuple(
            Classification(" ".join(_texts(c, "ram:SystemName")), _text(c, "ram:ClassCode"), _texts(c, "ram:ClassName"))
            for c in node.findall("ram:ApplicableSPSClassification", NS)
        ),
        origin_countries=_texts(node, "ram:OriginSPSCountry/ram:ID"),
        treatments=tuple(_treatment(t) for t in node.findall("ram:AppliedSPSProcess", NS)),
        notes=_notes(node, "ram:AdditionalInformationSPSNote"),
    )


def certificate_from(root: etree._Element) -> PhytoCertificate:
    """The facts of a schema-valid ``rsm:SPSCertificate``."""
    document = root.find("rsm:SPSExchangedDocument", NS)
    consignment = root.find("rsm:SPSConsignment", NS)
    assert document is not None and consignment is not None  # the schema requires both
    written, _, issued_at = datetimes.read(document.find("ram:IssueDateTime", NS))
    lines = consignment.findall("ram:IncludedSPSConsignmentItem/ram:IncludedSPSTradeLineItem", NS)
    return PhytoCertificate(
        number=_text(document, "ram:ID"),
        type_code=_text(document, "ram:TypeCode"),
        status_code=_text(document, "ram:StatusCode"),
        issued_as_written=written,
        issued_at=issued_at,
        issuer=_text(document, "ram:IssuerSPSParty/ram:Name"),
        consignor=_text(consignment, "ram:ConsignorSPSParty/ram:Name"),
        consignee=_text(consignment, "ram:ConsigneeSPSParty/ram:Name"),
        export_country=_text(consignment, "ram:ExportSPSCountry/ram:ID"),
        import_country=_text(consignment, "ram:ImportSPSCountry/ram:ID"),
        transit_countries=_texts(consignment, "ram:TransitSPSCountry/ram:ID"),
        notes=_notes(document, "ram:IncludedSPSNote"),
        lines=tuple(_line(node) for node in lines),
    )
