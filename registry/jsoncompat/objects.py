"""Rules for object assertions: properties under open, closed and partially open content models,
``required``, ``minProperties``/``maxProperties`` and ``dependentRequired``.

A property name is governed by ``properties`` (plus every matching ``patternProperties``) or, when
neither names it, by ``additionalProperties`` (absent = open).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from singlewindow.registry import regexes
from singlewindow.registry.jsoncompat.context import Context
from singlewindow.registry.jsoncompat.keywords import is_trivially_true, shared_types
from singlewindow.registry.jsoncompat.model import At, Schema, pointer_or_root

Governing = list[tuple[Schema, tuple[str, ...]]]


def _matches(pattern: str, name: str) -> bool:
    """RE2 (linear time) only: schema patterns and names come from the caller (see registry.regexes)."""
    try:
        return regexes.search(pattern, name)
    except regexes.UnsafePattern:
        return True  # a pattern RE2 cannot run may match anything


def governing(node: Mapping[str, Any], name: str) -> Governing:
    """The subschemas an object member called ``name`` must satisfy, with their paths in ``node``."""
    found: Governing = []
    properties = node.get("properties", {})
    if name in properties:
        found.append((properties[name], ("properties", name)))
    for pattern, schema in node.get("patternProperties", {}).items():
        if _matches(pattern, name):
            found.append((schema, ("patternProperties", pattern)))
    if not found:
        found.append((node.get("additionalProperties", True), ("additionalProperties",)))
    return found


def _objects(reader: Mapping[str, Any], writer: Mapping[str, Any]) -> bool:
    return shared_types(reader, writer, "object")


def _is_open(node: Mapping[str, Any]) -> bool:
    return "patternProperties" not in node and is_trivially_true(node.get("additionalProperties", True))


def rule_properties(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """Named properties: each writer member schema must be covered by what the reader applies to that name."""
    if not _objects(reader, writer):
        return
    rprops, wprops = reader.get("properties", {}), writer.get("properties", {})
    cost = 1 + len(reader.get("patternProperties", {})) + len(writer.get("patternProperties", {}))
    for name in sorted(set(rprops) | set(wprops)):
        ctx.budget.step(cost)
        wgov = governing(writer, name)
        if any(schema is False for schema, _ in wgov):
            continue  # the writer never produces this member
        for rschema, rpath in governing(reader, name):
            _cover_member(ctx, name, rschema, rpath, wgov, writer, at)


def _cover_member(
    ctx: Context, name: str, rschema: Schema, rpath: tuple[str, ...], wgov: Governing,
    writer: Mapping[str, Any], at: At,
) -> None:  # fmt: skip
    pointer = at.key("properties", name)
    if is_trivially_true(rschema):
        return
    if rschema is False and rpath[0] == "additionalProperties":
        ctx.report(pointer, "property-removed-closed-model",
                   f"property {name!r} of writer at {pointer_or_root(at.writer)} is not allowed by "
                   "the reader's closed content model")  # fmt: skip
        return
    attempts = [ctx.attempt(rschema, wschema, at.descend(rpath, wpath)) for wschema, wpath in wgov]
    if any(not found for found in attempts):
        return
    where = f"writer at {pointer_or_root(at.writer)}"
    if wgov[0][1][0] != "properties" and rpath[0] == "properties":
        if _is_open(writer):
            ctx.report(pointer, "property-added-open-model",
                       f"reader adds property {name!r} with a schema; the open {where} may already send "
                       "it with any value")  # fmt: skip
        else:
            ctx.report(pointer, "property-added-not-covered",
                       f"reader adds property {name!r}; {where} allows it via {'/'.join(wgov[0][1])} "
                       "with a schema the new one does not cover")  # fmt: skip
    elif wgov[0][1][0] == "properties" and rpath[0] != "properties":
        ctx.report(
            pointer,
            "property-removed-not-covered",
            f"property {name!r} of {where} falls under reader {'/'.join(rpath)}, which does not cover it",
        )
    else:
        ctx.found.extend(attempts[0])


def _buckets(node: Mapping[str, Any]) -> list[tuple[str | None, Schema]]:
    buckets: list[tuple[str | None, Schema]] = list(node.get("patternProperties", {}).items())
    buckets.append((None, node.get("additionalProperties", True)))
    return buckets


def rule_additional_properties(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """Unnamed members: each writer bucket (a pattern or additionalProperties) must fit every reader bucket
    it may share names with."""
    if not _objects(reader, writer):
        return
    rpatterns, wpatterns = reader.get("patternProperties", {}), writer.get("patternProperties", {})
    for wpattern, wschema in _buckets(writer):
        if wschema is False:
            continue
        for rpattern, rschema in _buckets(reader):
            ctx.budget.step()
            if is_trivially_true(rschema) or _disjoint_buckets(wpattern, rpattern, wpatterns, rpatterns):
                continue
            rpath = ("additionalProperties",) if rpattern is None else ("patternProperties", rpattern)
            wpath = ("additionalProperties",) if wpattern is None else ("patternProperties", wpattern)
            found = ctx.attempt(rschema, wschema, at.descend(rpath, wpath))
            if not found:
                continue
            if rpattern is None and rschema is False:
                ctx.report(at.key(*rpath), "additional-properties-closed",
                           f"reader closes the content model; writer at {pointer_or_root(at.writer)} allows "
                           f"members via {'/'.join(wpath)}")  # fmt: skip
            elif rpattern == wpattern and not is_trivially_true(wschema):
                ctx.found.extend(found)
            elif rpattern is None:
                ctx.report(
                    at.key(*rpath),
                    "additional-properties-narrowed",
                    f"reader constrains additional members; writer {'/'.join(wpath)} allows more",
                )
            else:
                ctx.report(at.key(*rpath), "pattern-properties-not-covered",
                           f"members matching {rpattern!r} may come from writer {'/'.join(wpath)}, "
                           "which the reader's pattern schema does not cover")  # fmt: skip


def _disjoint_buckets(
    wpattern: str | None, rpattern: str | None, wpatterns: Mapping[str, Any], rpatterns: Mapping[str, Any]
) -> bool:
    """Buckets that provably never share a member name: a pattern listed on both sides pairs only with itself."""
    if rpattern is not None and rpattern in wpatterns:
        return wpattern != rpattern
    if rpattern is None and wpattern is not None:
        return wpattern in rpatterns
    return False


def rule_required(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """``required``: a name the reader requires must be required by the writer (removal widens)."""
    if not _objects(reader, writer):
        return
    have = set(writer.get("required", []))
    for name in reader.get("required", []):
        if name not in have:
            ctx.report(at.key("required"), "required-added",
                       f"reader requires {name!r}, writer at {pointer_or_root(at.writer)} does not")  # fmt: skip


def _closed_size(node: Mapping[str, Any]) -> int | None:
    if node.get("additionalProperties", True) is False and "patternProperties" not in node:
        return sum(1 for schema in node.get("properties", {}).values() if schema is not False)
    return None


def rule_min_properties(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """``minProperties``: the writer's lower bound (or its required count) must reach the reader's."""
    limit = reader.get("minProperties")
    if limit is None or not _objects(reader, writer):
        return
    current = max(writer.get("minProperties", 0), len(set(writer.get("required", []))))
    if current < limit:
        rule = "min-properties-increased" if "minProperties" in writer else "min-properties-added"
        ctx.report(at.key("minProperties"), rule, f"reader minProperties {limit} > writer {current}")


def rule_max_properties(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """``maxProperties``: the writer's upper bound (or its closed model's size) must not exceed the reader's."""
    limit = reader.get("maxProperties")
    if limit is None or not _objects(reader, writer):
        return
    bounds = [b for b in (writer.get("maxProperties"), _closed_size(writer)) if b is not None]
    if not bounds:
        ctx.report(at.key("maxProperties"), "max-properties-added", f"reader maxProperties {limit}, writer unbounded")
    elif min(bounds) > limit:
        ctx.report(at.key("maxProperties"), "max-properties-decreased",
                   f"reader maxProperties {limit} < writer {min(bounds)}")  # fmt: skip


def rule_dependent_required(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """``dependentRequired``: each reader dependency must already hold for writer objects."""
    if not _objects(reader, writer):
        return
    always = set(writer.get("required", []))
    wdeps = writer.get("dependentRequired", {})
    for trigger, needed in reader.get("dependentRequired", {}).items():
        ctx.budget.step(1 + len(writer.get("patternProperties", {})))
        if any(schema is False for schema, _ in governing(writer, trigger)):
            continue  # the writer never sends the trigger
        missing = sorted(set(needed) - always - set(wdeps.get(trigger, [])))
        if missing:
            ctx.report(at.key("dependentRequired", trigger), "dependent-required-added",
                       f"reader requires {missing} whenever {trigger!r} is present; writer does not")  # fmt: skip


RULES = (
    rule_properties,
    rule_additional_properties,
    rule_required,
    rule_min_properties,
    rule_max_properties,
    rule_dependent_required,
)
