"""Validating against the project's XSDs (kept in ``schemas/``, nothing fetched at run time) and saying, for
each finding, which rule of the standard it breaks: a stable rule id, the place as a path with the line, and
a message in the standard's prefixes."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from pathlib import Path

from lxml import etree

from singlewindow.adapters.formats import Problem
from singlewindow.adapters.phytosanitary.ephyto.names import PREFIX_OF, qualified

_RULES = (
    ("This element is not expected", "xsd.unexpected-element"),
    ("Missing child element(s)", "xsd.missing-element"),
    ("Element content is not allowed", "xsd.unexpected-element"),
    ("Character content other than whitespace is not allowed", "xsd.unexpected-text"),
    ("is not allowed", "xsd.unexpected-attribute"),
    ("is required but missing", "xsd.missing-attribute"),
    ("No matching global declaration", "xsd.unknown-root"),
    ("is not a valid value", "xsd.bad-value"),
    ("is not facet-valid", "xsd.bad-value"),
    ("is not accepted by the pattern", "xsd.bad-value"),
)
_QUALIFIED = re.compile(r"\{([^}]*)\}(\w+)")


def schema_folder() -> Path:
    return Path(str(files("singlewindow.adapters.phytosanitary") / "schemas"))


@cache
def schema(name: str) -> etree.XMLSchema:
    """One of the XSDs in ``schemas/``, compiled once; its imports are the sibling files, never the network."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(schema_folder() / name), parser))


def _rule(message: str) -> str:
    return next((rule for phrase, rule in _RULES if phrase in message), "xsd.invalid")


def _readable(message: str) -> str:
    """libxml2's message with ``{urn}Name`` written ``prefix:Name`` and its ``Element 'x': `` lead cut."""
    text = _QUALIFIED.sub(lambda m: f"{PREFIX_OF.get(m.group(1), m.group(1))}:{m.group(2)}", message.strip())
    return re.sub(r"^Element '([^']+)'(, attribute '[^']+')?: ", r"\1\2: ", text)


def _step(element: etree._Element) -> str:
    parent = element.getparent()
    same = [e for e in parent if e.tag == element.tag] if parent is not None else [element]
    return qualified(element.tag) + (f"[{same.index(element) + 1}]" if len(same) > 1 else "")


def _path(path: str, declared: dict[str, str], root: etree._Element) -> str:
    """libxml2's path (in the sender's prefixes, or ``/*/*[3]`` for a default namespace) in the standard's
    prefixes, found again in the document; the path as libxml2 wrote it when it cannot be."""
    try:
        found = root.getroottree().xpath(path, namespaces=declared) if path else []
    except etree.XPathError:
        found = []
    if not isinstance(found, list) or not found or not isinstance(found[0], etree._Element):
        return path or "/"
    steps = [_step(e) for e in (found[0], *found[0].iterancestors())]
    return "/" + "/".join(reversed(steps))


def _declared(root: etree._Element) -> dict[str, str]:
    """Every prefix the document declares -> its namespace, to find libxml2's paths again."""
    found: dict[str, str] = {}
    for element in root.iter(etree.Element):
        for prefix, uri in element.nsmap.items():
            if prefix:
                found.setdefault(prefix, uri)
    return found


def problems(name: str, root: etree._Element, within: str = "") -> list[Problem]:
    """Every rule of the XSD ``name`` that ``root`` breaks (nothing when it is valid)."""
    checker = schema(name)
    if checker.validate(root):
        return []
    declared, seen, found = _declared(root), set(), []
    for entry in checker.error_log:  # type: ignore[attr-defined]
        where = f"{within}{_path(entry.path or '', declared, root)} (line {entry.line})"
        key = (where, _rule(entry.message), entry.message)
        if key not in seen:
            seen.add(key)
            found.append(Problem(where, key[1], _readable(entry.message)))
    return found
