"""Between the form and the document: a posted form read back as a draft, and a draft made a document.

Every input is named by its JSON pointer (``/goodsItems/0/commodityCode/hsCode``), the same pointer the
hub's validator gives a problem, so a problem lands next to its field with no mapping table. The draft
keeps what the trader typed, blanks included (an added goods item stays on the page while still empty);
``document_of`` drops the blanks and reads numbers, and anything it cannot read is passed on as typed, for
the validator to name precisely.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from singlewindow.platform.web.forms.spec import FieldSpec

_INTEGER = re.compile(r"-?[0-9]{1,18}")
_NUMBER = re.compile(r"-?[0-9]{1,18}(\.[0-9]{1,18})?")
TRUE = "true"


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def tokens(pointer: str) -> list[str]:
    return [unescape(token) for token in pointer.split("/")[1:]] if pointer else []


def blank(spec: FieldSpec) -> Any:
    """An empty value of ``spec``'s shape: what a new form, or an added array item, starts from."""
    if spec.kind == "object":
        return {child.name: blank(child) for child in spec.children if child.required}
    if spec.kind == "array":
        return [blank(spec.item) for _ in range(spec.min_items)] if spec.item else []
    if spec.kind == "boolean" and spec.required:
        return False
    return ""


def _indices(fields: Mapping[str, str], pointer: str) -> list[int]:
    found: set[int] = set()
    prefix = pointer + "/"
    for key in fields:
        if key.startswith(prefix):
            head = key[len(prefix) :].split("/", 1)[0]
            if head.isascii() and head.isdigit() and len(head) <= 4:
                found.add(int(head))
    return sorted(found)


def read_form(spec: FieldSpec, fields: Mapping[str, str], pointer: str = "") -> Any:
    """The draft a posted form holds (``fields``: input name -> value). An array's items are the indices
    found among the names (an array with none is empty); a required boolean is a checkbox (absent = false)."""
    if spec.kind == "object":
        return {child.name: read_form(child, fields, f"{pointer}/{escape(child.name)}") for child in spec.children}
    if spec.kind == "array":
        assert spec.item is not None
        return [read_form(spec.item, fields, f"{pointer}/{index}") for index in _indices(fields, pointer)]
    if spec.kind == "boolean" and spec.required:
        return fields.get(pointer) == TRUE
    return fields.get(pointer, "")


def _leaf(spec: FieldSpec, value: Any) -> tuple[bool, Any]:
    if value is None or value == "":
        return False, None
    if spec.kind == "boolean":
        if isinstance(value, bool):
            return True, value
        return True, {"true": True, "false": False}.get(str(value), value)
    if spec.kind in ("integer", "number") and isinstance(value, str):
        text = value.strip()
        if spec.kind == "integer" and _INTEGER.fullmatch(text):
            return True, int(text)
        if spec.kind == "number" and _NUMBER.fullmatch(text):
            return True, float(text) if "." in text else int(text)
    return True, value


def _pruned(spec: FieldSpec, value: Any) -> tuple[bool, bool, Any]:
    """(present, has content, value): a false checkbox is present but no content, so an optional object
    holding nothing else is left out."""
    if spec.kind == "object" and isinstance(value, Mapping):
        kept: dict[str, Any] = {}
        content = False
        for child in spec.children:
            present, child_content, child_value = _pruned(child, value.get(child.name))
            if present:
                kept[child.name] = child_value
                content = content or child_content
        for name, extra in value.items():  # an uploaded document's unknown fields: the validator names them
            if spec.child(name) is None:
                kept[name], content = extra, True
        return content or spec.required, content, kept
    if spec.kind == "array" and isinstance(value, list):
        assert spec.item is not None
        items = [item for present, content, item in map(lambda v: _pruned(spec.item, v), value) if content]  # type: ignore[arg-type]
        return bool(items) or spec.required, bool(items), items
    if spec.kind == "boolean" and value is False:
        return True, False, False
    present, leaf = _leaf(spec, value)
    return present, present, leaf


def document_of(spec: FieldSpec, draft: Any) -> dict[str, Any]:
    """The document to submit: blanks dropped, numbers read; the top level is always an object."""
    _, _, value = _pruned(spec, draft if isinstance(draft, Mapping) else {})
    return value if isinstance(value, dict) else {}


def spec_at(spec: FieldSpec, pointer: str) -> FieldSpec | None:
    current: FieldSpec | None = spec
    for token in tokens(pointer):
        if current is None:
            return None
        current = current.item if current.kind == "array" else current.child(token)
    return current


def value_at(draft: Any, pointer: str) -> Any:
    current = draft
    for token in tokens(pointer):
        if isinstance(current, list) and token.isdigit() and int(token) < len(current):
            current = current[int(token)]
        elif isinstance(current, dict):
            current = current.get(token)
        else:
            return None
    return current


def add_item(spec: FieldSpec, draft: dict[str, Any], pointer: str) -> None:
    """Append a blank item to the array at ``pointer`` (made if absent), up to its ``maxItems``."""
    array_spec = spec_at(spec, pointer)
    parts = tokens(pointer)
    if array_spec is None or array_spec.kind != "array" or array_spec.item is None or not parts:
        return
    parent = value_at(draft, "".join(f"/{escape(t)}" for t in parts[:-1])) if len(parts) > 1 else draft
    if not isinstance(parent, (dict, list)):
        return
    key: Any = int(parts[-1]) if isinstance(parent, list) else parts[-1]
    array = parent[key] if isinstance(parent, list) else parent.setdefault(key, [])
    if isinstance(array, list) and (array_spec.max_items is None or len(array) < array_spec.max_items):
        array.append(blank(array_spec.item))


def remove_item(draft: dict[str, Any], pointer: str) -> None:
    """Remove the array item at ``pointer`` (``/goodsItems/1``)."""
    parts = tokens(pointer)
    if not parts or not parts[-1].isdigit():
        return
    array = value_at(draft, "".join(f"/{escape(t)}" for t in parts[:-1]))
    if isinstance(array, list) and int(parts[-1]) < len(array):
        del array[int(parts[-1])]
