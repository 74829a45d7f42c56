"""Reading a UN/CEFACT SPS certificate (ePhyto XML): parse safely, validate against the project's XSD
(``schemas/SPSCertificate.xsd``, kept in the repository, nothing fetched at run time), and take out the
facts the plant quarantine officer checks against the declaration.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files
from pathlib import Path

from lxml import etree

RSM = "urn:un:unece:uncefact:data:standard:SPSCertificate:17"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:21"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:21"
NS = {"rsm": RSM, "ram": RAM, "udt": UDT}
_KILOGRAMS_PER = {"KGM": Decimal(1), "TNE": Decimal(1000), "GRM": Decimal("0.001")}


class CertificateUnreadable(ValueError):
    """Not well-formed XML, or not valid against the SPS certificate schema; ``problems`` says where."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True, slots=True)
class CertificateLine:
    sequence: int
    scientific_names: tuple[str, ...]
    description: str
    net_weight_kg: Decimal | None
    """None when the line's weight is in a unit that is not a mass."""
    hs_codes: tuple[str, ...]
    origin_countries: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PhytoCertificate:
    number: str
    type_code: str
    status_code: str
    issued_at: str
    issuer: str
    consignor: str
    consignee: str
    export_country: str
    import_country: str
    transit_countries: tuple[str, ...]
    lines: tuple[CertificateLine, ...]

    @property
    def withdrawn(self) -> bool:
        return self.status_code == "40"


def schema_folder() -> Path:
    return Path(str(files("singlewindow.adapters.phytosanitary") / "schemas"))


@cache
def _schema() -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    document = etree.parse(str(schema_folder() / "SPSCertificate.xsd"), parser)
    return etree.XMLSchema(document)


def _parser() -> etree.XMLParser:
    """No DTDs, no entities, no network: a certificate from abroad is untrusted input."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def validate(content: bytes) -> etree._Element:
    """The certificate's root element, valid against the XSD; CertificateUnreadable otherwise."""
    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as exc:
        raise CertificateUnreadable(f"the certificate is not well-formed XML: {exc}") from exc
    schema = _schema()
    if not schema.validate(root):
        problems = tuple(f"line {e.line}: {e.message}" for e in schema.error_log)  # type: ignore[attr-defined]
        raise CertificateUnreadable("the certificate is not valid against the SPS certificate schema", problems)
    return root


def _text(node: etree._Element, path: str) -> str:
    found = node.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def _texts(node: etree._Element, path: str) -> tuple[str, ...]:
    return tuple((found.text or "").strip() for found in node.findall(path, NS) if (found.text or "").strip())


def _kilograms(node: etree._Element | None) -> Decimal | None:
    if node is None:
        return None
    factor = _KILOGRAMS_PER.get(node.get("unitCode", ""))
    try:
        return Decimal((node.text or "").strip()) * factor if factor is not None else None
    except InvalidOperation:
        return None


def _line(node: etree._Element) -> CertificateLine:
    hs = [
        _text(c, "ram:ClassCode")
        for c in node.findall("ram:ApplicableSPSClassification", NS)
        if _text(c, "ram:SystemName").upper() == "HS"
    ]
    return CertificateLine(
        sequence=int(_text(node, "ram:SequenceNumeric")),
        scientific_names=_texts(node, "ram:ScientificName"),
        description=" ".join(_texts(node, "ram:Description")),
        net_weight_kg=_kilograms(node.find("ram:NetWeightMeasure", NS)),
        hs_codes=tuple(hs),
        origin_countries=_texts(node, "ram:OriginSPSCountry/ram:ID"),
    )


def read_certificate(content: bytes) -> PhytoCertificate:
    """Validate and read an ePhyto certificate; CertificateUnreadable for anything the XSD refuses."""
    root = validate(content)
    document = root.find("rsm:SPSExchangedDocument", NS)
    consignment = root.find("rsm:SPSConsignment", NS)
    assert document is not None and consignment is not None  # the schema requires both
    lines = consignment.findall("ram:IncludedSPSConsignmentItem/ram:IncludedSPSTradeLineItem", NS)
    return PhytoCertificate(
        number=_text(document, "ram:ID"),
        type_code=_text(document, "ram:TypeCode"),
        status_code=_text(document, "ram:StatusCode"),
        issued_at=_text(document, "ram:IssueDateTime/udt:DateTimeString"),
        issuer=_text(document, "ram:IssuerSPSParty/ram:Name"),
        consignor=_text(consignment, "ram:ConsignorSPSParty/ram:Name"),
        consignee=_text(consignment, "ram:ConsigneeSPSParty/ram:Name"),
        export_country=_text(consignment, "ram:ExportSPSCountry/ram:ID"),
        import_country=_text(consignment, "ram:ImportSPSCountry/ram:ID"),
        transit_countries=_texts(consignment, "ram:TransitSPSCountry/ram:ID"),
        lines=tuple(_line(node) for node in lines),
    )
