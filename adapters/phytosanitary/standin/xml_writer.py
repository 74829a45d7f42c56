"""The stand-in NPPO writes its certificates as UN/CEFACT SPS XML, in the element order of the schema."""

from __future__ import annotations

from lxml import etree

from singlewindow.adapters.phytosanitary.ephyto import RAM, RSM, UDT
from singlewindow.adapters.phytosanitary.ppp_api import CertificateRequest, Trader

_NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT}
INSPECTION_PLACE = "Astana"
CERTIFYING_CLAUSE = (
    "This is to certify that the plants, plant products or other regulated articles described herein have been "
    "inspected and/or tested according to appropriate official procedures."
)


def _ram(parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{RAM}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def _when(parent: etree._Element, name: str, at: str) -> None:
    etree.SubElement(_ram(parent, name), f"{{{UDT}}}DateTimeString").text = at


def _party(parent: etree._Element, name: str, trader: Trader) -> None:
    party = _ram(parent, name)
    _ram(party, "Name", trader.name)
    address = _ram(party, "SpecifiedSPSAddress")
    if trader.addressLine:
        _ram(address, "LineOne", trader.addressLine)
    if trader.city:
        _ram(address, "CityName", trader.city)
    _ram(address, "CountryID", trader.country)


def _country(parent: etree._Element, name: str, code: str) -> None:
    """The standard requires a Name; the request carries only the code, so it stays empty, as GeNS writes it."""
    country = _ram(parent, name)
    _ram(country, "ID", code)
    _ram(country, "Name", "")


def certificate_xml(request: CertificateRequest, number: str, issued_at: str, authority: str, officer: str) -> bytes:
    root = etree.Element(f"{{{RSM}}}SPSCertificate", nsmap=_NSMAP)
    document = etree.SubElement(root, f"{{{RSM}}}SPSExchangedDocument")
    _ram(document, "Name", "Phytosanitary Certificate")
    _ram(document, "ID", number)
    _ram(document, "TypeCode", "851")
    _ram(document, "StatusCode", "70")
    _when(document, "IssueDateTime", issued_at)
    _ram(_ram(document, "IssuerSPSParty"), "Name", authority)
    signatory = _ram(document, "SignatorySPSAuthentication")
    _when(signatory, "ActualDateTime", issued_at)
    _ram(_ram(signatory, "IssueSPSLocation"), "Name", INSPECTION_PLACE)
    provider = _ram(signatory, "ProviderSPSParty")
    _ram(provider, "Name", authority)
    _ram(_ram(provider, "SpecifiedSPSPerson"), "Name", officer)
    clause = _ram(signatory, "IncludedSPSClause")
    _ram(clause, "ID", "1")
    _ram(clause, "Content", CERTIFYING_CLAUSE, languageID="en")

    consignment = etree.SubElement(root, f"{{{RSM}}}SPSConsignment")
    _party(consignment, "ConsignorSPSParty", request.consignor)
    _party(consignment, "ConsigneeSPSParty", request.consignee)
    _country(consignment, "ExportSPSCountry", request.exportCountry)
    _country(consignment, "ImportSPSCountry", request.importCountry)
    for transit in request.transitCountries:
        _country(consignment, "TransitSPSCountry", transit)
    examination = _ram(_ram(consignment, "ExaminationSPSEvent"), "OccurrenceSPSLocation")
    _ram(examination, "Name", request.consignor.city or INSPECTION_PLACE)
    movement = _ram(consignment, "MainCarriageSPSTransportMovement")
    _ram(movement, "ModeCode", request.transportModeCode)
    if request.transportMeans:
        _ram(_ram(movement, "UsedSPSTransportMeans"), "Name", request.transportMeans)
    item = _ram(consignment, "IncludedSPSConsignmentItem")
    for sequence, line in enumerate(request.lines, start=1):
        trade = _ram(item, "IncludedSPSTradeLineItem")
        _ram(trade, "SequenceNumeric", str(sequence))
        _ram(trade, "Description", line.description, languageID="en")
        _ram(trade, "ScientificName", line.scientificName)
        _ram(trade, "NetWeightMeasure", line.netWeightKg, unitCode="KGM")
        if line.grossWeightKg:
            _ram(trade, "GrossWeightMeasure", line.grossWeightKg, unitCode="KGM")
        classification = _ram(trade, "ApplicableSPSClassification")
        _ram(classification, "SystemName", "HS")
        _ram(classification, "ClassCode", line.hsCode[:6])
        _ram(classification, "ClassName", line.description, languageID="en")
        for package in line.packages:
            physical = _ram(trade, "PhysicalSPSPackage")
            _ram(physical, "LevelCode", "1")
            _ram(physical, "TypeCode", package.typeCode)
            _ram(physical, "ItemQuantity", str(package.count))
        _country(trade, "OriginSPSCountry", line.originCountry)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
