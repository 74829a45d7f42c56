"""The recursive comparison: resolve references, split the writer, then run every keyword rule.

``compare(ctx, reader, writer, at)`` reports why an instance valid under ``writer`` may be rejected
by ``reader``. Every rule is sound in one direction: it stays silent only when it can show the
writer's instances pass; when it cannot decide it reports (never a silent pass).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from singlewindow.registry.jsoncompat import arrays, combinators, objects, scalars, types
from singlewindow.registry.jsoncompat.context import MAX_DEPTH, Context
from singlewindow.registry.jsoncompat.keywords import is_trivially_true
from singlewindow.registry.jsoncompat.model import At, Schema, pointer_or_root
from singlewindow.registry.jsoncompat.side import ANNOTATION_ONLY_WITH_REF, Side, Unresolvable

Rule = Callable[[Context, Mapping[str, Any], Mapping[str, Any], At], None]

KEYWORD_RULES: tuple[Rule, ...] = (
    *combinators.READER_RULES,
    *types.RULES,
    *scalars.RULES,
    *objects.RULES,
    *arrays.RULES,
    types.rule_undecided_keywords,
)


def follow_refs(side: Side, node: Schema, pointer: str) -> tuple[Schema, str]:
    """Replace a ``$ref``-only node by its target (repeatedly); ``$ref`` with siblings becomes ``allOf``."""
    hops = 0
    while isinstance(node, Mapping) and "$ref" in node:
        if any(key not in ANNOTATION_ONLY_WITH_REF for key in node):
            return side.split_ref(node), pointer
        hops += 1
        if hops > MAX_DEPTH:
            raise Unresolvable(str(node["$ref"]))
        node, pointer = side.resolve(str(node["$ref"]))
    if isinstance(node, Mapping) and isinstance(node.get("items"), list):
        node = side.legacy_items(node)
    return node, pointer


def compare(ctx: Context, reader: Schema, writer: Schema, at: At) -> None:
    """Report why an instance of ``writer`` (at ``at.writer``) may fail ``reader`` (at ``at.reader``)."""
    try:
        reader, rptr = follow_refs(ctx.reader, reader, at.reader)
    except Unresolvable as exc:
        ctx.report(at.reader, "ref-unresolvable", f"reader $ref {exc} is not local to the schema: cannot decide")
        return
    try:
        writer, wptr = follow_refs(ctx.writer, writer, at.writer)
    except Unresolvable as exc:
        ctx.report(at.reader, "ref-unresolvable", f"writer $ref {exc} is not local to the schema: cannot decide")
        return
    at = at.jump(rptr, wptr)
    if writer is False or is_trivially_true(reader):
        return
    if reader is False:
        ctx.report(
            at.reader,
            "false-schema",
            f"reader accepts nothing here, writer at {pointer_or_root(at.writer)} accepts instances",
        )
        return
    if writer is True:
        writer = {}
    key = (id(reader), id(writer))
    known = ctx.memo.get(key)
    if known is not None and known[0] is reader and known[1] is writer:
        ctx.found.extend(known[2])  # compared before: the same verdict, reported where it was first found
        return
    if key in ctx.active:
        ctx.uncertain += 1
        if at.depth <= ctx.active[key]:
            ctx.report(at.reader, "recursive-ref-undecidable", "reference cycle without a nested instance")
        return
    if at.depth > MAX_DEPTH:
        ctx.uncertain += 1
        ctx.report(at.reader, "recursion-limit", f"schemas nest deeper than {MAX_DEPTH}: cannot decide")
        return
    if ctx.same(reader, writer):
        return
    ctx.active[key] = at.depth
    start, uncertain = len(ctx.found), ctx.uncertain
    try:
        _compare_nodes(ctx, reader, writer, at)
    finally:
        del ctx.active[key]
    if ctx.uncertain == uncertain:  # decided without a cycle or limit cut-off: valid wherever the pair recurs
        ctx.memo[key] = (reader, writer, tuple(ctx.found[start:]))


def _compare_nodes(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    reader = combinators.drop_shared_combinators(ctx, reader, writer)
    if combinators.split_writer(ctx, reader, writer, at):
        return
    if types.check_writer_values(ctx, reader, writer, at):
        return
    for rule in KEYWORD_RULES:
        rule(ctx, reader, writer, at)
