"""Parsing XML from a foreign system: a size limit, no DTD, no entity expansion, no network, no huge trees.
Whatever is wrong comes back as problems, never as an exception."""

from __future__ import annotations

import re

from lxml import etree

from singlewindow.adapters.formats import Problem

_POSITION = re.compile(r", line \d+, column \d+$")
MAX_BYTES = 8 * 1024 * 1024
"""An ePhyto with an embedded PDF is a few hundred kilobytes; anything far larger is refused unread."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse(data: bytes, within: str = "") -> tuple[etree._Element | None, list[Problem]]:
    """The root element, or None and why. ``within`` names the enclosing place (the hub envelope's Content)."""
    if len(data) > MAX_BYTES:
        return None, [Problem(within or "file", "xml.too-large", f"{len(data)} bytes; the limit is {MAX_BYTES}")]
    if not data.strip():
        return None, [Problem(within or "file", "xml.empty", "there is no XML, the content is empty")]
    try:
        tree = etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        reason = _POSITION.sub("", exc.msg)
        where = f"{within}line {line}, column {column}"
        return None, [Problem(where, "xml.not-well-formed", f"not well-formed XML: {reason}")]
    if getattr(tree.docinfo, "doctype", ""):  # lxml-stubs lack DocInfo.doctype
        return None, [Problem(f"{within}line 1", "xml.doctype", "a DOCTYPE (DTD, entities) is not accepted")]
    return tree.getroot(), []
