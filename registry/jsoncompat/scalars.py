"""Rules for string and number assertions: lengths, ``pattern``, ``format``, bounds and ``multipleOf``.

Each rule runs only when the writer can produce an instance of that type which the reader's type
also admits (a ``maxLength`` never constrains a number).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from singlewindow.registry.jsoncompat.context import Context
from singlewindow.registry.jsoncompat.keywords import shared_types, writer_types
from singlewindow.registry.jsoncompat.model import At, pointer_or_root


def _where(at: At) -> str:
    return f"writer at {pointer_or_root(at.writer)}"


def rule_min_length(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """``minLength``: the reader's must not exceed the writer's (absent = 0)."""
    limit = reader.get("minLength")
    if limit is None or not shared_types(reader, writer, "string"):
        return
    current = writer.get("minLength", 0)
    if limit > current:
        rule = "min-length-increased" if "minLength" in writer else "min-length-added"
        ctx.report(at.key("minLength"), rule, f"reader minLength {limit} > {current} ({_where(at)})")


def rule_max_length(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """``maxLength``: the reader's must be at least the writer's (absent = unbounded)."""
    limit = reader.get("maxLength")
    if limit is None or not shared_types(reader, writer, "string"):
        return
    current = writer.get("maxLength")
    if current is None:
        ctx.report(at.key("maxLength"), "max-length-added", f"reader maxLength {limit}, {_where(at)} has none")
    elif current > limit:
        ctx.report(at.key("maxLength"), "max-length-decreased", f"reader maxLength {limit} < {current} ({_where(at)})")


def rule_pattern(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """``pattern``: regex inclusion is not decided, so any reader pattern other than the writer's is reported."""
    pattern = reader.get("pattern")
    if pattern is None or not shared_types(reader, writer, "string"):
        return
    current = writer.get("pattern")
    if current == pattern:
        return
    if current is None:
        ctx.report(at.key("pattern"), "pattern-added", f"reader pattern {pattern!r}, {_where(at)} has none")
    else:
        ctx.report(at.key("pattern"), "pattern-changed", f"reader pattern {pattern!r} != {current!r} ({_where(at)})")


def rule_format(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """``format``: treated as an assertion (registries may validate it), so a new or changed one is reported."""
    fmt = reader.get("format")
    if fmt is None or not shared_types(reader, writer, "string"):
        return
    current = writer.get("format")
    if current != fmt:
        rule = "format-added" if current is None else "format-changed"
        ctx.report(at.key("format"), rule, f"reader format {fmt!r}, writer {current!r} ({_where(at)})")


class Bound(NamedTuple):
    value: float
    exclusive: bool
    keyword: str


def _integer_only(node: Mapping[str, Any]) -> bool:
    types = writer_types(node)
    return "integer" in types and "number" not in types


def _bound(node: Mapping[str, Any], lower: bool, integral: bool) -> Bound | None:
    """The tighter of ``minimum``/``exclusiveMinimum`` (or the maximum pair), integral when asked."""
    inclusive_kw, exclusive_kw = ("minimum", "exclusiveMinimum") if lower else ("maximum", "exclusiveMaximum")
    candidates: list[Bound] = []
    if inclusive_kw in node:
        legacy = node.get(exclusive_kw) is True  # draft 4 boolean form
        candidates.append(Bound(node[inclusive_kw], legacy, exclusive_kw if legacy else inclusive_kw))
    if exclusive_kw in node and not isinstance(node[exclusive_kw], bool):
        candidates.append(Bound(node[exclusive_kw], True, exclusive_kw))
    if not candidates:
        return None
    sign = 1 if lower else -1
    best = max(candidates, key=lambda b: (sign * b.value, b.exclusive))
    if integral:
        if lower:
            value = math.floor(best.value) + 1 if best.exclusive else math.ceil(best.value)
        else:
            value = math.ceil(best.value) - 1 if best.exclusive else math.floor(best.value)
        return Bound(value, False, best.keyword)
    return best


def _kebab(keyword: str) -> str:
    return "".join("-" + c.lower() if c.isupper() else c for c in keyword)


def _check_bound(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At, lower: bool) -> None:
    if not shared_types(reader, writer, "number", "integer"):
        return
    limit = _bound(reader, lower, integral=False)
    if limit is None:
        return
    current = _bound(writer, lower, integral=_integer_only(writer))
    if current is None:
        ctx.report(at.key(limit.keyword), f"{_kebab(limit.keyword)}-added", f"reader {limit.keyword} "
                   f"{limit.value}, {_where(at)} is unbounded")  # fmt: skip
        return
    sign = 1 if lower else -1
    if sign * current.value > sign * limit.value:
        return
    if current.value == limit.value and (not limit.exclusive or current.exclusive):
        return
    change = "increased" if lower else "decreased"
    ctx.report(at.key(limit.keyword), f"{_kebab(limit.keyword)}-{change}", f"reader {limit.keyword} "
               f"{limit.value} excludes writer {current.keyword} {current.value} ({_where(at)})")  # fmt: skip


def rule_lower_bound(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """``minimum``/``exclusiveMinimum``: the reader's lower bound must not exceed the writer's."""
    _check_bound(ctx, reader, writer, at, lower=True)


def rule_upper_bound(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """``maximum``/``exclusiveMaximum``: the reader's upper bound must not be below the writer's."""
    _check_bound(ctx, reader, writer, at, lower=False)


def rule_multiple_of(ctx: Context, reader: Mapping[str, Any], writer: Mapping[str, Any], at: At) -> None:
    """``multipleOf``: the writer's step must be a multiple of the reader's (integers are multiples of 1/n)."""
    step = reader.get("multipleOf")
    if step is None or not shared_types(reader, writer, "number", "integer"):
        return
    reader_step = Decimal(str(step))
    current = writer.get("multipleOf")
    if current is None:
        if _integer_only(writer) and (Decimal(1) % reader_step) == 0:
            return
        ctx.report(at.key("multipleOf"), "multiple-of-added", f"reader multipleOf {step}, {_where(at)} has none")
    elif Decimal(str(current)) % reader_step != 0:
        ctx.report(at.key("multipleOf"), "multiple-of-changed", f"writer multipleOf {current} is not a "
                   f"multiple of reader multipleOf {step} ({_where(at)})")  # fmt: skip


RULES = (
    rule_min_length,
    rule_max_length,
    rule_pattern,
    rule_format,
    rule_lower_bound,
    rule_upper_bound,
    rule_multiple_of,
)
