"""Reading an ePhyto the way the hub reads it, bare or in the IPPC hub's envelope: well-formed and safe XML,
then the UN/CEFACT schema, then the envelope header against the certificate, then the national layer. Each
stage runs only when the one before found nothing, so every problem reported is one the sender can act on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from lxml import etree

from singlewindow.adapters.formats import FormatReading, Problem
from singlewindow.adapters.phytosanitary.ephyto import safe_xml, schema
from singlewindow.adapters.phytosanitary.ephyto.envelope import EnvelopeHeader, mismatches, open_envelope
from singlewindow.adapters.phytosanitary.ephyto.model import PhytoCertificate
from singlewindow.adapters.phytosanitary.ephyto.names import CERTIFICATE, ENVELOPE, NS, qualified
from singlewindow.adapters.phytosanitary.ephyto.national import national_problems
from singlewindow.adapters.phytosanitary.ephyto.reading import certificate_from

FORMAT = "ePhyto"
_IN_CONTENT = "/hub:Envelope/hub:Content → "


@dataclass(frozen=True, slots=True)
class Inspection:
    certificate: PhytoCertificate | None
    """None when the format layer refused the file (nothing is taken from it)."""
    envelope: EnvelopeHeader | None
    problems: tuple[Problem, ...]


def _root_problem(root: etree._Element, within: str) -> list[Problem]:
    if root.tag in (CERTIFICATE, ENVELOPE):
        return []
    message = f"the root is {qualified(root.tag)}; an ePhyto is rsm:SPSCertificate (SPSCertificate:17) or hub:Envelope"
    return [Problem(f"{within}/ (line {root.sourceline})", "xsd.unknown-root", message)]


def _certificate(root: etree._Element, within: str) -> tuple[PhytoCertificate | None, list[Problem]]:
    found = _root_problem(root, within) or schema.problems("SPSCertificate.xsd", root, within)
    return (None, found) if found else (certificate_from(root), [])


def _located(found: list[Problem], root: etree._Element, within: str) -> tuple[Problem, ...]:
    """Each national problem with the line of the element it names, or of its nearest ancestor present."""
    located = []
    for problem in found:
        steps, line = problem.where.split("/")[2:], root.sourceline
        while steps:
            hits = root.xpath("/".join(steps), namespaces=NS)
            if isinstance(hits, list) and hits and isinstance(hits[0], etree._Element):
                line = hits[0].sourceline
                break
            steps.pop()
        located.append(replace(problem, where=f"{within}{problem.where} (line {line})"))
    return tuple(located)


def _finished(
    root: etree._Element, within: str, certificate: PhytoCertificate | None, header: EnvelopeHeader | None,
    found: list[Problem],
) -> Inspection:  # fmt: skip
    """The national layer runs only on a certificate the format layer accepted."""
    if certificate is None or found:
        return Inspection(None, header, tuple(found))
    return Inspection(certificate, header, _located(national_problems(certificate), root, within))


def _enveloped(root: etree._Element) -> Inspection:
    header, carried, found = open_envelope(root)
    if carried is None or header is None:
        return Inspection(None, header, tuple(found))
    within = "" if isinstance(carried, etree._Element) else _IN_CONTENT
    inner, found = (carried, []) if isinstance(carried, etree._Element) else safe_xml.parse(carried, within)
    if inner is None:
        return Inspection(None, header, tuple(found))
    certificate, found = _certificate(inner, within)
    if certificate is not None:
        found = mismatches(root, header, certificate)
    return _finished(inner, within, certificate, header, found)


def inspect(data: bytes) -> Inspection:
    """Everything the hub takes from ``data`` and everything wrong with it; never raises for bad input."""
    root, found = safe_xml.parse(data)
    if root is None:
        return Inspection(None, None, tuple(found))
    if root.tag == ENVELOPE:
        return _enveloped(root)
    certificate, found = _certificate(root, "")
    return _finished(root, "", certificate, None, found)


def check_ephyto(data: bytes, profile: str | None) -> FormatReading:
    """The :data:`~singlewindow.adapters.formats.Reader` for ePhyto XML. There are no code-set profiles for
    ePhyto (its codes are the standard's and the IPPC's), so ``profile`` is not used."""
    inspection = inspect(data)
    documents: tuple[Mapping[str, object], ...] = ()
    if inspection.certificate is not None:
        document = inspection.certificate.document()
        if inspection.envelope is not None:
            document["envelope"] = inspection.envelope.document()
        documents = (document,)
    return FormatReading(format=FORMAT, documents=documents, problems=inspection.problems)
