"""Rules for ``type``, ``enum`` and ``const``, and the catch-all for keywords the checker cannot decide."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from singlewindow.registry.jsoncompat.context import Context
from singlewindow.registry.jsoncompat.keywords import (
    UNDECIDED,
    accepts_type,
    declared_types,
    enumerated_values,
    json_type_of,
    writer_types,
)
from singlewindow.registry.jsoncompat.model import At, pointer_or_root


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)[:80]


def check_writer_values(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> bool:
    """When the writer allows a finite set of values (``enum``, ``const``), validate each one exactly.

    Returns True when it decided the pair. A writer that is only ``null``/``boolean`` is finite too,
    but is decided this way only against a reader ``enum``/``const`` (the type rule words it better).
    """
    if "enum" not in writer and "const" not in writer and "enum" not in reader and "const" not in reader:
        return False
    values = enumerated_values(writer)
    if values is None:
        return False
    for value in values:
        ctx.budget.step(2)
        if not ctx.writer.is_valid(writer, value) or ctx.reader.is_valid(reader, value):
            continue
        if "const" in reader:
            pointer, rule = at.key("const"), "const-changed"
        elif "enum" in reader:
            pointer, rule = at.key("enum"), "enum-narrowed"
        elif not accepts_type(declared_types(reader), json_type_of(value)):
            pointer, rule = at.key("type"), "type-changed"
        else:
            pointer, rule = at.reader, "enum-value-rejected"
        ctx.report(
            pointer,
            rule,
            f"value {_show(value)} allowed by writer at {pointer_or_root(at.writer)} is rejected by the reader",
        )
    return True


def rule_type(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """``type``: every writer type must be a reader type; integer -> number widens, number -> integer narrows."""
    if "type" not in reader:
        return
    rtypes, wtypes = declared_types(reader), writer_types(writer)
    uncovered = sorted(t for t in wtypes if not accepts_type(rtypes, t))
    if not uncovered:
        return
    narrowed = all(accepts_type(wtypes, t) for t in rtypes)
    ctx.report(
        at.key("type"),
        "type-narrowed" if narrowed else "type-changed",
        f"reader type {sorted(rtypes)} rejects {uncovered} allowed by writer at "
        f"{pointer_or_root(at.writer)} (type {'absent' if 'type' not in writer else sorted(wtypes)})",
    )


def rule_enum(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """``enum`` added where the writer allows unboundedly many values (finite writers were decided exactly)."""
    if "enum" in reader:
        ctx.report(
            at.key("enum"),
            "enum-added",
            f"reader restricts values to an enum of {len(reader['enum'])}, writer at "
            f"{pointer_or_root(at.writer)} has no enum",
        )


def rule_const(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """``const`` added where the writer allows unboundedly many values."""
    if "const" in reader:
        ctx.report(
            at.key("const"),
            "const-added",
            f"reader requires const {_show(reader['const'])}, writer at {pointer_or_root(at.writer)} has none",
        )


def rule_undecided_keywords(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """Assertions the checker does not model: any reader change to one is reported, never passed."""
    for keyword in sorted(UNDECIDED.intersection(reader)):
        if keyword in writer and ctx.same(reader[keyword], writer[keyword]):
            continue
        ctx.report(
            at.key(keyword),
            "undecidable-keyword",
            f"reader {keyword} differs from writer at {pointer_or_root(at.writer)}: "
            "the checker cannot decide it, so it is reported as incompatible",
        )


RULES = (rule_type, rule_enum, rule_const)
