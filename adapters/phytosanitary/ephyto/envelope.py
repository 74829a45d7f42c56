"""The IPPC hub's delivery envelope: its header (From, To, CertificateType, CertificateStatus,
NPPOCertificateNumber, the hub's delivery number, tracking state and forwardings) and the certificate it
carries, as ``hub:Content`` (the XML as text, or base64 as Norway's hub client reads it) or inline as
``rsm:SPSCertificate``. The header must agree with the certificate it carries."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from lxml import etree

from singlewindow.adapters.formats import Problem
from singlewindow.adapters.phytosanitary.ephyto import schema
from singlewindow.adapters.phytosanitary.ephyto.model import PhytoCertificate
from singlewindow.adapters.phytosanitary.ephyto.names import NS

_DECLARATION = re.compile(r"^<\?xml[^>]*\?>")
_BYTE_ORDER_MARK_AND_SPACE = b"\xef\xbb\xbf \t\r\n"
Carried = bytes | etree._Element


@dataclass(frozen=True, slots=True)
class EnvelopeHeader:
    sender: str
    receiver: str
    certificate_type: str
    certificate_status: str
    certificate_number: str
    delivery_number: str
    tracking: str
    forwardings: tuple[str, ...]

    def document(self) -> dict[str, object]:
        return {
            "from": self.sender,
            "to": self.receiver,
            "certificateType": self.certificate_type,
            "certificateStatus": self.certificate_status,
            "nppoCertificateNumber": self.certificate_number,
            "hubDeliveryNumber": self.delivery_number,
            "hubTrackingInfo": self.tracking,
            "forwardings": list(self.forwardings),
        }


def _text(root: etree._Element, path: str) -> str:
    found = root.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def _where(root: etree._Element, name: str = "") -> str:
    """``/hub:Envelope/hub:name (line n)``, or the envelope itself without a name."""
    found = root.find(f"hub:{name}", NS) if name else None
    return f"/hub:Envelope{f'/hub:{name}' if name else ''} (line {(found if found is not None else root).sourceline})"


def _decoded(root: etree._Element, content: etree._Element) -> tuple[bytes | None, list[Problem]]:
    """The certificate's bytes from ``hub:Content``: XML text as it is, otherwise base64 of XML."""
    text, where = (content.text or "").strip(), _where(root, "Content")
    if not text:
        return None, [Problem(where, "envelope.no-certificate", "hub:Content is empty: there is no certificate")]
    if text.startswith("<"):
        return _DECLARATION.sub("", text).encode("utf-8"), []
    try:
        decoded = base64.b64decode("".join(text.split()), validate=True).lstrip(_BYTE_ORDER_MARK_AND_SPACE)
    except (binascii.Error, ValueError):
        decoded = b""
    if decoded.startswith(b"<"):
        return decoded, []
    return None, [Problem(where, "envelope.content-unreadable", "hub:Content is neither XML nor base64 of XML")]


def open_envelope(root: etree._Element) -> tuple[EnvelopeHeader | None, Carried | None, list[Problem]]:
    """The header and the certificate an envelope carries, or the problems that stop reading it."""
    found = schema.problems("IPPCHubEnvelope.xsd", root)
    if found:
        return None, None, found
    header = EnvelopeHeader(
        sender=_text(root, "hub:From"),
        receiver=_text(root, "hub:To"),
        certificate_type=_text(root, "hub:CertificateType"),
        certificate_status=_text(root, "hub:CertificateStatus"),
        certificate_number=_text(root, "hub:NPPOCertificateNumber"),
        delivery_number=_text(root, "hub:hubDeliveryNumber"),
        tracking=_text(root, "hub:HUBTrackingInfo"),
        forwardings=tuple(_text(f, "hub:Code") for f in root.findall("hub:Forwardings/hub:EnvelopeForwarding", NS)),
    )
    content = root.find("hub:Content", NS)
    if content is not None:
        carried, problems = _decoded(root, content)
        return header, carried, problems
    inline = root.find("rsm:SPSCertificate", NS)
    if inline is not None:
        return header, inline, []
    problem = Problem(_where(root), "envelope.no-certificate", "neither hub:Content nor rsm:SPSCertificate is there")
    return header, None, [problem]


def _same_code(a: str, b: str) -> bool:
    return int(a) == int(b) if a.isdigit() and b.isdigit() else a == b


def mismatches(root: etree._Element, header: EnvelopeHeader, certificate: PhytoCertificate) -> list[Problem]:
    """Where the envelope's header says something else than the certificate it carries."""
    compared = (
        ("CertificateType", "envelope.type-mismatch", header.certificate_type, certificate.type_code, "TypeCode"),
        ("CertificateStatus", "envelope.status-mismatch", header.certificate_status, certificate.status_code,
         "StatusCode"),
        ("NPPOCertificateNumber", "envelope.number-mismatch", header.certificate_number, certificate.number, "ID"),
    )  # fmt: skip
    return [
        Problem(_where(root, name), rule, f"hub:{name} is {said!r}, the certificate's ram:{field} is {actual!r}")
        for name, rule, said, actual, field in compared
        if not _same_code(said, actual)
    ]
