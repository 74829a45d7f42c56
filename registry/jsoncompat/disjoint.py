"""A cheap, sound test that two subschemas share no instance (used for ``oneOf`` and ``not``).

It answers True only with a proof: disjoint types, finite value sets the other side rejects, or an
object member both require with provably disjoint schemas (a discriminator). Otherwise False.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from singlewindow.registry.jsoncompat.context import Context
from singlewindow.registry.jsoncompat.keywords import accepts_type, declared_types, enumerated_values
from singlewindow.registry.jsoncompat.side import Side, Unresolvable

MAX_NESTING = 16


def _resolve(side: Side, node: Any) -> Any:
    from singlewindow.registry.jsoncompat.compare import follow_refs  # the dispatcher imports this module

    return follow_refs(side, node, "")[0]


def _types_apart(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    ta, tb = declared_types(a), declared_types(b)
    return not any(accepts_type(tb, t) or (t == "number" and "integer" in tb) for t in ta)


def _values_rejected(va: Side, a: Mapping[str, Any], vb: Side, b: Mapping[str, Any]) -> bool:
    values = enumerated_values(a) if ("enum" in a or "const" in a) else None
    if values is None:
        return False
    return all(not va.is_valid(a, v) or not vb.is_valid(b, v) for v in values)


def _objects_only(node: Mapping[str, Any]) -> bool:
    return "type" in node and declared_types(node) <= {"object"}


def _discriminated(ctx: Context, sa: Side, a: Mapping[str, Any], sb: Side, b: Mapping[str, Any], nesting: int) -> bool:
    """``a`` only has objects carrying a member that ``b``'s schema for it rejects."""
    if not _objects_only(a):
        return False
    aprops, bprops = a.get("properties", {}), b.get("properties", {})
    for name in a.get("required", []):
        if name in aprops and name in bprops and _apart(ctx, sa, aprops[name], sb, bprops[name], nesting + 1):
            return True
    return False


def _apart(ctx: Context, sa: Side, a: Any, sb: Side, b: Any, nesting: int) -> bool:
    if nesting > MAX_NESTING:
        return False
    ctx.budget.step()
    try:
        a, b = _resolve(sa, a), _resolve(sb, b)
    except Unresolvable:
        return False
    if a is False or b is False:
        return True
    if not isinstance(a, Mapping) or not isinstance(b, Mapping):
        return False
    if "type" in a and "type" in b and _types_apart(a, b):
        return True
    if _values_rejected(sa, a, sb, b) or _values_rejected(sb, b, sa, a):
        return True
    return _discriminated(ctx, sa, a, sb, b, nesting) or _discriminated(ctx, sb, b, sa, a, nesting)


def disjoint(ctx: Context, sa: Side, a: Any, sb: Side, b: Any) -> bool:
    """True only if no instance is valid under both ``a`` (from side ``sa``) and ``b`` (from ``sb``)."""
    return _apart(ctx, sa, a, sb, b, 0)
