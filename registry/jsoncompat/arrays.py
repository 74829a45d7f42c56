"""Rules for array assertions: ``prefixItems`` and ``items`` position by position, ``minItems``,
``maxItems`` and ``uniqueItems``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from singlewindow.registry.jsoncompat.context import Context
from singlewindow.registry.jsoncompat.keywords import is_trivially_true, shared_types
from singlewindow.registry.jsoncompat.model import At, Schema, pointer_or_root


def _arrays(reader: Mapping[str, Any], writer: Mapping[str, Any]) -> bool:
    return shared_types(reader, writer, "array")


def _position(node: Mapping[str, Any], index: int) -> tuple[Schema, tuple[str | int, ...]]:
    prefix = node.get("prefixItems", [])
    if index < len(prefix):
        return prefix[index], ("prefixItems", index)
    return node.get("items", True), ("items",)


def max_length(node: Mapping[str, Any]) -> int | None:
    """The most items the node allows: ``maxItems``, or the prefix length when ``items`` is false."""
    bounds = [b for b in (node.get("maxItems"),) if b is not None]
    if node.get("items", True) is False:
        bounds.append(len(node.get("prefixItems", [])))
    return min(bounds) if bounds else None


def _report_item(ctx: Context, rschema: Schema, rpath: tuple[str | int, ...], found: list[Any], at: At) -> None:
    if rschema is False:
        rule = "items-closed" if rpath[0] == "items" else "prefix-item-closed"
        ctx.report(at.key(*rpath), rule,
                   f"reader forbids items here that writer at {pointer_or_root(at.writer)} allows")  # fmt: skip
    else:
        ctx.found.extend(found)


def rule_prefix_items(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """``prefixItems``: each position the writer can fill must satisfy the reader's schema for it."""
    if not _arrays(reader, writer):
        return
    longest = max(len(reader.get("prefixItems", [])), len(writer.get("prefixItems", [])))
    limit = max_length(writer)
    for index in range(longest if limit is None else min(longest, limit)):
        rschema, rpath = _position(reader, index)
        wschema, wpath = _position(writer, index)
        if wschema is False:
            return  # no writer array reaches this position
        if is_trivially_true(rschema) or (rpath[0] == "items" and wpath[0] == "items"):
            continue
        found = ctx.attempt(rschema, wschema, at.descend(rpath, wpath))
        if found:
            _report_item(ctx, rschema, rpath, found, at)


def rule_items(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """``items``: the schema for the items after both prefixes must cover the writer's."""
    if not _arrays(reader, writer):
        return
    start = max(len(reader.get("prefixItems", [])), len(writer.get("prefixItems", [])))
    limit = max_length(writer)
    if limit is not None and limit <= start:
        return
    rschema, rpath = _position(reader, start)
    wschema, wpath = _position(writer, start)
    if wschema is False or is_trivially_true(rschema):
        return
    found = ctx.attempt(rschema, wschema, at.descend(rpath, wpath))
    if found:
        _report_item(ctx, rschema, rpath, found, at)


def rule_min_items(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """``minItems``: the reader's must not exceed the writer's (absent = 0)."""
    limit = reader.get("minItems")
    if limit is None or not _arrays(reader, writer):
        return
    current = writer.get("minItems", 0)
    if current < limit:
        rule = "min-items-increased" if "minItems" in writer else "min-items-added"
        ctx.report(at.key("minItems"), rule, f"reader minItems {limit} > writer {current}")


def rule_max_items(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """``maxItems``: the writer's bound (``maxItems`` or a closed tuple) must not exceed the reader's."""
    limit = reader.get("maxItems")
    if limit is None or not _arrays(reader, writer):
        return
    current = max_length(writer)
    if current is None:
        ctx.report(at.key("maxItems"), "max-items-added", f"reader maxItems {limit}, writer unbounded")
    elif current > limit:
        ctx.report(at.key("maxItems"), "max-items-decreased", f"reader maxItems {limit} < writer {current}")


def rule_unique_items(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """``uniqueItems``: a reader demanding unique items needs a writer that does too (or at most one item)."""
    if reader.get("uniqueItems") is not True or not _arrays(reader, writer):
        return
    if writer.get("uniqueItems") is True:
        return
    current = max_length(writer)
    if current is not None and current <= 1:
        return
    ctx.report(at.key("uniqueItems"), "unique-items-added", "reader requires unique items, writer does not")


RULES = (rule_prefix_items, rule_items, rule_min_items, rule_max_items, rule_unique_items)
