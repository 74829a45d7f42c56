"""Conjunction of two writer subschemas, used to flatten writer ``allOf`` and distribute a writer's
own keywords into its ``anyOf``/``oneOf`` branches.

The result may accept *more* than the true conjunction (a conflicting keyword may be kept from one
side only) but never less, which keeps the comparison sound: a wider writer is harder to cover.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from singlewindow.registry.jsoncompat.keywords import declared_types
from singlewindow.registry.jsoncompat.model import Schema

LOWER = frozenset({"minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"})
UPPER = frozenset({"maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"})
CONJOIN = frozenset({"additionalProperties", "items", "not"})


def _both(a: Schema, b: Schema) -> Schema:
    return {"allOf": [a, b]}


def _types(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    ta, tb = declared_types(a), declared_types(b)
    common = set(ta & tb)
    if ("number" in ta and "integer" in tb) or ("integer" in ta and "number" in tb):
        common.add("integer")
    return sorted(common)


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _conflict(key: str, mine: Any, theirs: Any, base: Mapping[str, Any], branch: Mapping[str, Any]) -> Any:
    """The merged value of a keyword both sides set differently (``None`` means unsatisfiable)."""
    if key == "type":
        return _types(base, branch) or None
    if key == "required":
        return list(dict.fromkeys([*mine, *theirs]))
    if key in ("properties", "patternProperties", "dependentRequired"):
        merged = dict(mine)
        for name, schema in theirs.items():
            if name not in merged:
                merged[name] = schema
            elif key == "dependentRequired":
                merged[name] = list(dict.fromkeys([*merged[name], *schema]))
            else:
                merged[name] = _both(merged[name], schema)
        return merged
    if key == "prefixItems":
        longer, shorter = (mine, theirs) if len(mine) >= len(theirs) else (theirs, mine)
        return [_both(a, b) for a, b in zip(longer, shorter, strict=False)] + list(longer[len(shorter) :])
    if key in CONJOIN:
        return _both(mine, theirs)
    if key == "allOf":
        return [*mine, *theirs]
    if key in LOWER and isinstance(mine, int | float) and isinstance(theirs, int | float):
        return max(mine, theirs)
    if key in UPPER and isinstance(mine, int | float) and isinstance(theirs, int | float):
        return min(mine, theirs)
    if key == "uniqueItems":
        return bool(mine or theirs)
    if key == "enum":
        allowed = {_canon(v) for v in theirs}
        return [v for v in mine if _canon(v) in allowed] or None
    if key == "const":
        return None  # two different constants: nothing satisfies both
    return mine  # keep one side: accepts more than the conjunction, which stays sound


def conjoin(base: Schema, branch: Schema) -> Schema:
    """A schema accepting every instance valid under both ``base`` and ``branch`` (perhaps a few more)."""
    if base is False or branch is False:
        return False
    if base is True or (isinstance(base, Mapping) and not base):
        return branch  # the branch itself, not a copy: shared branches stay one node (memoised once)
    if branch is True or (isinstance(branch, Mapping) and not branch):
        return base
    merged: dict[str, Any] = dict(base)
    for key, value in branch.items():
        if key not in merged:
            merged[key] = value
        elif _canon(merged[key]) != _canon(value):
            combined = _conflict(key, merged[key], value, base, branch)
            if combined is None:
                return False
            merged[key] = combined
    return merged
