"""Parsing an ISO 20022 file that came from outside: a size cap, no DTD, no entities, no external references.

A bank file arrives through a folder the hub does not control end to end, so it is parsed as hostile:
``defusedxml`` refuses any DOCTYPE (and with it entity expansion, the "billion laughs", and external
entities that would read local files or the network) before the standard library's parser builds the tree,
and the size is checked before a byte is parsed. Whatever is wrong is an ``InvalidInput`` with a path.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import defusedxml
import defusedxml.ElementTree as SafeET

from singlewindow.platform.errors import InvalidInput, PayloadTooLarge, Problem

MAX_BYTES = 16 * 1024 * 1024
"""A day's notification for one treasury account is well under a megabyte; far larger is refused unread."""
_POSITION = re.compile(r": line \d+, column \d+$")


def parse(data: bytes, *, max_bytes: int = MAX_BYTES) -> ET.Element:
    """The root element of ``data``, or InvalidInput (PayloadTooLarge over ``max_bytes``)."""
    if len(data) > max_bytes:
        message = f"{len(data)} bytes; the limit is {max_bytes}"
        raise PayloadTooLarge(f"file: {message}", [Problem("/", "xml.too-large", message)])
    if not data.strip():
        raise InvalidInput("file: there is no XML, the file is empty", [Problem("/", "xml.empty", "empty file")])
    try:
        root: ET.Element = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        message = f"a DOCTYPE, entity or external reference is not accepted ({type(exc).__name__})"
        raise InvalidInput(f"file: {message}", [Problem("/", "xml.doctype", message)]) from exc
    except ET.ParseError as exc:
        line, column = exc.position
        where = f"line {line}, column {column}"
        message = f"not well-formed XML: {_POSITION.sub('', str(exc.msg))}"
        raise InvalidInput(f"{where}: {message}", [Problem(where, "xml.not-well-formed", message)]) from exc
    return root


def split_tag(tag: str) -> tuple[str, str]:
    """``{namespace}Local`` -> (namespace, local); no namespace gives ``""``."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag
