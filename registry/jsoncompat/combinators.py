"""Rules for ``allOf``, ``anyOf``, ``oneOf`` and ``not``.

Writer side: ``allOf`` is flattened into one conjunction and ``anyOf``/``oneOf`` split into branches
(each carrying the writer's own keywords); every branch must then pass the reader. Reader side:
``allOf`` must hold member by member; each writer branch must be covered by some reader ``anyOf``/
``oneOf`` branch (for ``oneOf`` also provably by no other); a changed ``not`` must be shown harmless.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from singlewindow.registry.jsoncompat.context import Context
from singlewindow.registry.jsoncompat.disjoint import disjoint
from singlewindow.registry.jsoncompat.merge import conjoin
from singlewindow.registry.jsoncompat.model import At, Schema, pointer_or_root
from singlewindow.registry.jsoncompat.side import Side, Unresolvable

COMBINATORS = ("allOf", "anyOf", "oneOf", "not")


def drop_shared_combinators(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any]) -> Mapping[str, Any]:
    """Reader combinators identical to the writer's hold for every writer instance: drop them."""
    shared = tuple(k for k in COMBINATORS if k in reader and k in writer and ctx.same(reader[k], writer[k]))
    if not shared:
        return reader
    key = ("drop", id(reader), shared)
    if key not in ctx.cache:
        ctx.cache[key] = (reader, {k: v for k, v in reader.items() if k not in shared})
    result: Mapping[str, Any] = ctx.cache[key][1]
    return result


def _resolved(side: Side, node: Schema) -> Schema:
    from singlewindow.registry.jsoncompat.compare import follow_refs  # the dispatcher imports this module

    return follow_refs(side, node, "")[0]


def split_writer(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> bool:
    """Flatten a writer ``allOf`` or split its ``anyOf``/``oneOf``; compare each result. True if it did."""
    for keyword in ("allOf", "anyOf", "oneOf"):
        if keyword in writer:
            break
    else:
        return _split_writer_types(ctx, reader, writer, at)
    key = ("split", id(writer), keyword)
    if key not in ctx.cache:
        ctx.budget.step(len(writer[keyword]))
        base = {k: v for k, v in writer.items() if k != keyword}
        try:
            members = [_resolved(ctx.writer, m) for m in writer[keyword]]
        except Unresolvable as exc:
            ctx.report(at.reader, "ref-unresolvable", f"writer $ref {exc} is not local to the schema")
            return True
        if keyword == "allOf":
            merged: Schema = base
            for member in members:
                merged = conjoin(merged, member)
            parts: list[Schema] = [merged]
        else:
            parts = [conjoin(base, member) for member in members]
        ctx.cache[key] = (writer, parts)
    parts = ctx.cache[key][1]
    for index, part in enumerate(parts):
        where = at if keyword == "allOf" else at.child((), (keyword, index))
        ctx.compare(reader, part, where)
    return True


def _split_writer_types(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> bool:
    """A writer type list facing a reader ``anyOf``/``oneOf`` is split by type (each may fit another branch)."""
    types = writer.get("type")
    if not isinstance(types, list) or len(types) < 2 or not ("anyOf" in reader or "oneOf" in reader):
        return False
    key = ("types", id(writer))
    if key not in ctx.cache:
        ctx.cache[key] = (writer, [{**writer, "type": name} for name in types])
    for part in ctx.cache[key][1]:
        ctx.compare(reader, part, at)
    return True


def rule_all_of(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """Reader ``allOf``: the writer must satisfy every member (an added member is a narrowing)."""
    for index, member in enumerate(reader.get("allOf", [])):
        ctx.compare(member, writer, at.child(("allOf", index), ()))


def _covering(ctx: Context, branches: list[Schema], keyword: str, writer: Mapping[str, Any], at: At) -> int | None:
    for index, branch in enumerate(branches):
        if not ctx.attempt(branch, writer, at.child((keyword, index), ())):
            return index
    return None


def _rule_union(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At, keyword: str) -> None:
    branches = reader.get(keyword)
    if branches is None:
        return
    index = _covering(ctx, branches, keyword, writer, at)
    rule = "any-of-narrowed" if keyword == "anyOf" else "one-of-narrowed"
    if index is None:
        ctx.report(at.key(keyword), rule, f"writer at {pointer_or_root(at.writer)} is not covered by any "
                   f"of the reader's {len(branches)} {keyword} branches")  # fmt: skip
        return
    if keyword == "oneOf":
        for other, branch in enumerate(branches):
            if other != index and not disjoint(ctx, ctx.reader, branch, ctx.writer, writer):
                ctx.report(at.key(keyword, other), "one-of-overlap",
                           f"writer at {pointer_or_root(at.writer)} matches reader oneOf branch {index} and "
                           f"may also match branch {other}, which oneOf rejects")  # fmt: skip


def rule_any_of(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """Reader ``anyOf``: the writer (or each of its branches) must fit one reader branch."""
    _rule_union(ctx, reader, writer, at, "anyOf")


def rule_one_of(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """Reader ``oneOf``: as ``anyOf``, and the writer must be provably outside every other branch."""
    _rule_union(ctx, reader, writer, at, "oneOf")


def rule_not(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """Reader ``not``: fine when the writer excludes at least as much, or never meets the negated part."""
    if "not" not in reader:
        return
    negated = reader["not"]
    if "not" in writer and not ctx.swapped().attempt(writer["not"], negated, at.child(("not",))):
        return
    if disjoint(ctx, ctx.reader, negated, ctx.writer, writer):
        return
    ctx.report(at.key("not"), "not-changed",
               f"reader 'not' may exclude instances that writer at {pointer_or_root(at.writer)} allows")  # fmt: skip


READER_RULES = (rule_all_of, rule_any_of, rule_one_of, rule_not)
