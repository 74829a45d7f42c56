"""The schema rules of docs/specs-conventions.md that JSON Schema itself cannot express.

Self-contained (every $ref local and resolvable: nothing is fetched at run time), a title and description
at the root, a description a trader can read on every property, lowerCamelCase property names, and the
fields every document carries: documentId, ucr, issuedAt and references.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

COMMON_FIELDS = ("documentId", "ucr", "issuedAt", "references")
PROPERTY_NAME = re.compile(r"^[a-z][A-Za-z0-9]*$")


def convention_problems(schema: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(schema pointer, message) for every broken convention."""
    yield from _reference_problems(schema)
    for key in ("title", "description"):
        if not isinstance(schema.get(key), str) or not schema[key].strip():
            yield f"/{key}", "the document type needs a title and a description"
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    for name in COMMON_FIELDS:
        if name not in properties or name not in required:
            yield "/required", f"every document carries a required {name!r} (conventions)"
    yield from _property_problems(schema, schema.get("$defs", {}), "")


def _property_problems(node: Any, defs: Mapping[str, Any], where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, Mapping):
        properties = node.get("properties")
        if isinstance(properties, Mapping):
            for name, sub in properties.items():
                here = f"{where}/properties/{name}"
                if not PROPERTY_NAME.match(name):
                    yield here, f"property name {name!r} is not lowerCamelCase"
                if isinstance(sub, Mapping) and not _description(sub, defs):
                    yield here, "every property needs a description a trader can read"
        for key, value in node.items():
            yield from _property_problems(value, defs, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _property_problems(value, defs, f"{where}/{index}")


def _description(node: Mapping[str, Any], defs: Mapping[str, Any]) -> bool:
    for _ in range(32):
        if isinstance(node.get("description"), str) and node["description"].strip():
            return True
        ref = node.get("$ref")
        if not isinstance(ref, str) or not isinstance(defs.get(ref.removeprefix("#/$defs/")), Mapping):
            return False
        node = defs[ref.removeprefix("#/$defs/")]
    return False


def _reference_problems(schema: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Every $ref must be local ('#/...') and resolve inside the schema: nothing is fetched at run time."""

    def walk(node: Any, where: str) -> Iterator[tuple[str, str]]:
        if isinstance(node, Mapping):
            ref = node.get("$ref")
            if ref is not None:
                if not isinstance(ref, str) or not ref.startswith("#"):
                    yield f"{where}/$ref", f"remote or invalid $ref {ref!r}: the schema must be self-contained"
                elif not _resolves(schema, ref[1:]):
                    yield f"{where}/$ref", f"$ref {ref!r} points at nothing in this schema"
            for key, value in node.items():
                yield from walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, f"{where}/{index}")

    yield from walk(schema, "")


def _resolves(schema: Any, ref_pointer: str) -> bool:
    node = schema
    for token in [t.replace("~1", "/").replace("~0", "~") for t in ref_pointer.split("/")[1:]]:
        if isinstance(node, Mapping) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False
    return True
