"""A readable outline of a document type for ``nsw specs show TYPE``.

One line per field, indented by nesting: required (``*``) or optional (``?``), the name, the kind of value
with its constraints (length, pattern, enum, code list, decimal scale) and the start of its description.
Every named object is expanded once and referred to afterwards, so the outline stays terminal-sized and the
output is deterministic (a golden test holds it).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

from singlewindow.registry.jsonavro.patterns import DATE_PATTERN, TIMESTAMP_PATTERN

WIDTH = 110
INDENT = "  "


def outline(doc_type: str, json_schema: Mapping[str, Any], avro_name: str | None = None) -> str:
    """The outline text (ends with a newline)."""
    return "\n".join(_Outliner(json_schema).lines(doc_type, avro_name)) + "\n"


def _clip(text: str, width: int = WIDTH) -> str:
    """One line of at most ``width`` characters; the leading indentation is kept."""
    body = text.lstrip(" ")
    text = text[: len(text) - len(body)] + " ".join(body.split())
    return text if len(text) <= width else text[: width - 1] + "…"


class _Outliner:
    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self.defs: Mapping[str, Any] = schema.get("$defs", {})
        self.expanded: dict[str, str] = {}  # object $defs entry -> field path where it was shown

    def lines(self, doc_type: str, avro_name: str | None) -> list[str]:
        title = self.schema.get("title", doc_type)
        out = [f"{doc_type}: {title}"]
        description = self.schema.get("description")
        if isinstance(description, str):
            out += textwrap.wrap(
                " ".join(description.split()), WIDTH - 2, initial_indent=INDENT, subsequent_indent=INDENT
            )
        out.append(f"{INDENT}JSON Schema {self.schema.get('$id', '?')}")
        if avro_name:
            out.append(f"{INDENT}Avro record {avro_name}")
        out.append(f"{INDENT}* required  ? optional  [list] code list  /re/ pattern")
        out.append("")
        out += self._object_lines(self.schema, 0, "")
        return out

    def _resolve(self, node: Mapping[str, Any]) -> tuple[Mapping[str, Any], str | None, str | None]:
        """(target node, $defs name, x-codelist) after following $refs."""
        name, codelist = None, node.get("x-codelist")
        for _ in range(32):
            ref = node.get("$ref")
            if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
                break
            name = ref.removeprefix("#/$defs/")
            target = self.defs.get(name)
            if not isinstance(target, Mapping):
                break
            node = target
            codelist = codelist or node.get("x-codelist")
        return node, name, codelist

    def _object_lines(self, node: Mapping[str, Any], depth: int, path: str) -> list[str]:
        out: list[str] = []
        required = set(node.get("required", []))
        for prop, sub in node.get("properties", {}).items():
            out += self._field_lines(prop, sub, prop in required, depth, f"{path}/{prop}")
        return out

    def _field_lines(self, prop: str, sub: Any, required: bool, depth: int, path: str) -> list[str]:
        if not isinstance(sub, Mapping):
            return [f"{INDENT * depth}{'*' if required else '?'} {prop}: (not a schema)"]
        kind, children, child_path = self._kind(sub, path)
        description = sub.get("description") or self._resolve(sub)[0].get("description") or ""
        head = f"{INDENT * depth}{'*' if required else '?'} {prop}: {kind}"
        if len(head) > WIDTH:  # long enums and patterns wrap rather than lose values
            out = textwrap.wrap(head, WIDTH, subsequent_indent=INDENT * (depth + 2), break_on_hyphens=False)
        else:
            out = [_clip(f"{head} — {description}" if description and len(head) < WIDTH - 12 else head)]
        if children is not None:
            out += self._object_lines(children, depth + 1, child_path)
        return out

    def _kind(self, sub: Mapping[str, Any], path: str) -> tuple[str, Mapping[str, Any] | None, str]:
        """(one-line kind, object whose fields follow or None, path of those fields)."""
        node, def_name, codelist = self._resolve(sub)
        kind = node.get("type")
        if kind == "object":
            label = f"object {def_name}" if def_name else "object"
            if def_name and def_name in self.expanded:
                return f"{label} (fields as at {self.expanded[def_name]})", None, path
            if def_name:
                self.expanded[def_name] = path
            return label, node, path
        if kind == "array":
            items = node.get("items", {})
            item_kind, children, _ = self._kind(items, path) if isinstance(items, Mapping) else ("?", None, path)
            return f"array of {item_kind}{_count(node, 'minItems', 'maxItems', ' items')}", children, f"{path}/*"
        return self._scalar(node, codelist), None, path

    @staticmethod
    def _scalar(node: Mapping[str, Any], codelist: object) -> str:
        kind = node.get("type")
        parts: list[str] = []
        if "enum" in node:
            parts.append("one of " + " | ".join(str(v) for v in node["enum"]))
        elif "x-decimal" in node:
            spec = node["x-decimal"]
            parts.append(f"decimal string, {spec.get('scale')} decimals (precision {spec.get('precision')})")
        elif node.get("pattern") == TIMESTAMP_PATTERN:
            parts.append("timestamp, UTC with milliseconds (2026-11-25T06:30:00.000Z)")
        elif node.get("pattern") == DATE_PATTERN and node.get("format") == "date":
            parts.append("date (YYYY-MM-DD)")
        else:
            parts.append(str(kind))
            if kind == "string":
                parts.append(_count(node, "minLength", "maxLength", " chars").strip())
                if "pattern" in node:
                    parts.append(f"/{node['pattern']}/")
            elif kind in {"integer", "number"}:
                parts.append(_range(node))
        if codelist:
            parts.append(f"[{codelist}]")
        return " ".join(part for part in parts if part)


def _count(node: Mapping[str, Any], low_key: str, high_key: str, unit: str) -> str:
    low, high = node.get(low_key), node.get(high_key)
    if low is None and high is None:
        return ""
    if high is None:
        return f" {low}+{unit}"
    return f" {low or 0}-{high}{unit}"


def _range(node: Mapping[str, Any]) -> str:
    low = node.get("minimum", node.get("exclusiveMinimum"))
    high = node.get("maximum", node.get("exclusiveMaximum"))
    if low is None and high is None:
        return ""
    return f"{'' if low is None else low}..{'' if high is None else high}"
