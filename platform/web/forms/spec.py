"""A document type's JSON Schema read as a form: which fields, of which kind, required or not, with which
choices (enums, code lists), nested as the schema nests them.

Only what the shipped schemas use is read (local ``$ref``s into ``$defs``, objects, arrays, strings,
integers, numbers, booleans, enums, ``x-codelist``); the form never validates anything itself: the hub's
validator does, when the document is submitted, and its JSON pointers put each problem next to its field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["object", "array", "text", "integer", "number", "boolean", "choice"]
MAX_DEPTH = 12  # the shipped schemas nest 6 deep; a deeper (or cyclic) one is cut, not followed forever
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_SPECIAL_WORDS = {"ucr": "UCR", "hs": "HS", "id": "ID", "un": "UN", "sha256": "SHA-256", "iso": "ISO", "kg": "kg"}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str  # the property name; "" for an array's items
    kind: Kind
    label: str  # English; the catalogues translate it
    description: str
    required: bool
    children: tuple[FieldSpec, ...] = ()  # an object's properties, in schema order
    item: FieldSpec | None = None  # an array's items
    choices: tuple[str, ...] = ()  # an enum's values
    codelist: str | None = None  # the x-codelist the value comes from
    min_items: int = 0
    max_items: int | None = None
    pattern: str | None = None
    max_length: int | None = None

    def child(self, name: str) -> FieldSpec | None:
        return next((c for c in self.children if c.name == name), None)


def label_of(name: str) -> str:
    """``customsOfficeOfEntry`` -> ``Customs office of entry``; ``hsCode`` -> ``HS code``."""
    words = [_SPECIAL_WORDS.get(word.lower(), word.lower()) for word in _WORD.findall(name)]
    if not words:
        return name
    first = words[0]
    return " ".join([first[:1].upper() + first[1:], *words[1:]])


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> dict[str, Any]:
    """A ``$ref``'s target with the referring schema's own keywords (its description) on top."""
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
        return dict(schema)
    target = root.get("$defs", {}).get(ref.removeprefix("#/$defs/"), {})
    merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return merged


def _kind(schema: Mapping[str, Any]) -> Kind:
    if "enum" in schema:
        return "choice"
    kind = schema.get("type")
    if kind in ("object", "array", "integer", "number", "boolean"):
        return kind  # type: ignore[no-any-return]
    if schema.get("properties"):
        return "object"
    return "text"


def field_spec(schema: Mapping[str, Any], root: Mapping[str, Any], name: str = "", required: bool = True,
               depth: int = 0) -> FieldSpec:  # fmt: skip
    """The form of ``schema`` (a document type's whole schema when called with the defaults)."""
    resolved = _resolve(schema, root)
    kind = _kind(resolved)
    children: tuple[FieldSpec, ...] = ()
    item = None
    if kind == "object" and depth < MAX_DEPTH:
        needed = set(resolved.get("required", []))
        properties = resolved.get("properties", {})
        children = tuple(field_spec(sub, root, key, key in needed, depth + 1) for key, sub in properties.items())
    if kind == "array" and depth < MAX_DEPTH:
        item = field_spec(resolved.get("items", {}), root, "", True, depth + 1)
    max_items = resolved.get("maxItems")
    max_length = resolved.get("maxLength")
    return FieldSpec(
        name=name,
        kind=kind,
        label=label_of(name) if name else "",
        description=str(resolved.get("description", "")),
        required=required,
        children=children,
        item=item,
        choices=tuple(str(choice) for choice in resolved.get("enum", ())),
        codelist=resolved.get("x-codelist") if isinstance(resolved.get("x-codelist"), str) else None,
        min_items=int(resolved.get("minItems", 0)),
        max_items=int(max_items) if isinstance(max_items, int) else None,
        pattern=resolved.get("pattern") if isinstance(resolved.get("pattern"), str) else None,
        max_length=int(max_length) if isinstance(max_length, int) else None,
    )


def labels(spec: FieldSpec) -> set[str]:
    """Every label of ``spec`` and below: what the catalogues must translate (descriptions stay English)."""
    found = {spec.label} if spec.label else set()
    for child in (*spec.children, *((spec.item,) if spec.item else ())):
        found |= labels(child)
    return found


def codelists_of(spec: FieldSpec) -> set[str]:
    """The code lists ``spec`` and below take values from: the page ships each one once (a ``<datalist>``)."""
    found = {spec.codelist} if spec.codelist else set()
    for child in (*spec.children, *((spec.item,) if spec.item else ())):
        found |= codelists_of(child)
    return found
