"""The public seam: ``check(reader, writer)`` lists why a writer's instances may fail the reader.

BACKWARD is ``check(new, old)``, FORWARD ``check(old, new)``, FULL both (draft 2020-12 semantics).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from singlewindow.registry.budget import CheckBudget
from singlewindow.registry.jsoncompat.compare import compare
from singlewindow.registry.jsoncompat.context import Context
from singlewindow.registry.jsoncompat.model import At, Incompatibility
from singlewindow.registry.jsoncompat.shape import InvalidSchemaError, check_shape
from singlewindow.registry.jsoncompat.side import Side

__all__ = ["InvalidSchemaError", "check"]


def _validated(role: str, schema: Any) -> Mapping[str, Any] | bool:
    if not isinstance(schema, Mapping | bool):
        raise InvalidSchemaError(f"{role} schema must be a JSON object or boolean, got {type(schema).__name__}")
    check_shape(role, schema)
    return schema


def check(
    reader: Mapping[str, Any] | bool, writer: Mapping[str, Any] | bool, *, budget: CheckBudget | None = None
) -> list[Incompatibility]:
    """Every reason an instance valid under ``writer`` may be invalid under ``reader`` (empty = compatible).

    Conservative: a rule that cannot decide reports an incompatibility (its rule id says so). ``budget``
    bounds the work; when it runs out ``BudgetExhausted`` propagates (the caller refuses, never passes).
    """
    reader = _validated("reader", reader)
    writer = _validated("writer", writer)
    ctx = Context(Side(reader), Side(writer), compare, budget)
    ctx.compare(reader, writer, At("", ""))
    unique = list(dict.fromkeys(ctx.found))
    return sorted(unique, key=lambda item: (item.pointer, item.rule))
