"""The XML namespaces of an ePhyto and of the IPPC hub's envelope, and the prefixes problems are written with
(whatever prefixes the sender chose, ``ns0:`` or none, a problem says ``rsm:``/``ram:``/``udt:``/``hub:``)."""

from __future__ import annotations

RSM = "urn:un:unece:uncefact:data:standard:SPSCertificate:17"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:21"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:21"
HUB = "http://ephyto.ippc.int/HUB.Entities"
NS = {"rsm": RSM, "ram": RAM, "udt": UDT, "hub": HUB}
PREFIX_OF = {uri: prefix for prefix, uri in NS.items()}

CERTIFICATE = f"{{{RSM}}}SPSCertificate"
ENVELOPE = f"{{{HUB}}}Envelope"


def qualified(tag: str) -> str:
    """``{urn}Name`` as ``prefix:Name`` (the namespace itself when it is none of ours)."""
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        prefix = PREFIX_OF.get(uri)
        return f"{prefix}:{local}" if prefix else f"{local} (namespace {uri})"
    return tag
