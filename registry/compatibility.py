"""Compatibility levels applied to a new schema and a subject's live versions (Confluent semantics).

BACKWARD: the new schema reads data written with the old; FORWARD: the old reads data written with the
new; FULL: both. Plain levels compare with the latest live version, ``_TRANSITIVE`` ones with every live
version (research §1.6). One pair check per format, dispatched on the closed SchemaType.

One ``CheckBudget`` bounds the whole check (every version it compares with): when it runs out the answer
is a refusal whose reason says "undecidable within budget" and which limit was hit, never a pass.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import assert_never

from singlewindow.registry.avro_compat import check_avro
from singlewindow.registry.budget import BudgetExhausted, CheckBudget
from singlewindow.registry.formats import ParsedSchema
from singlewindow.registry.models import CompatibilityLevel, SchemaType

JSON_UNAVAILABLE = (
    "JSON Schema compatibility checking is not available yet: a changed JSON schema is refused under "
    "every compatibility level except NONE"
)

PairCheck = Callable[..., Sequence[object]]


def undecidable(exc: BudgetExhausted) -> str:
    """The refusal reason of a check that ran out of budget (``limit``: "time" or "steps")."""
    return (
        f"undecidable within budget ({exc.limit} limit): {exc.detail}; the schema is refused because "
        "its compatibility could not be shown (simplify nested anyOf/oneOf/allOf and $ref, or split the schema)"
    )


def check_compatibility(
    level: CompatibilityLevel,
    new: ParsedSchema,
    previous: Sequence[tuple[int, ParsedSchema]],
    budget: CheckBudget | None = None,
) -> list[str]:
    """Reasons ``new`` breaks ``level`` against ``previous`` (live versions, newest first); empty if fine.
    A check that exhausts ``budget`` answers the reasons found so far plus the "undecidable" one."""
    if level is CompatibilityLevel.NONE:
        return []
    budget = budget if budget is not None else CheckBudget.unlimited()
    reasons: list[str] = []
    try:
        _check_versions(level, new, previous, budget, reasons)
    except BudgetExhausted as exc:
        reasons.append(undecidable(exc))
    return reasons


def _check_versions(
    level: CompatibilityLevel,
    new: ParsedSchema,
    previous: Sequence[tuple[int, ParsedSchema]],
    budget: CheckBudget,
    reasons: list[str],
) -> None:
    targets = previous if level.transitive else previous[:1]
    for version, old in targets:
        if old.schema_type is not new.schema_type:
            reasons.append(
                f"version {version} is {old.schema_type.value} and the new schema is {new.schema_type.value}: "
                "a subject cannot change schema type"
            )
            continue
        if level.checks_backward:
            reasons.extend(
                f"the new schema cannot read data written with version {version}: {problem}"
                for problem in check_pair(reader=new, writer=old, budget=budget)
            )
        if level.checks_forward:
            reasons.extend(
                f"version {version} cannot read data written with the new schema: {problem}"
                for problem in check_pair(reader=old, writer=new, budget=budget)
            )


def check_pair(*, reader: ParsedSchema, writer: ParsedSchema, budget: CheckBudget | None = None) -> list[str]:
    """Why ``reader`` cannot accept what ``writer`` produces (one format, both parsed); ``BudgetExhausted``
    when ``budget`` runs out."""
    schema_type = reader.schema_type
    if schema_type is SchemaType.AVRO:
        return [str(item) for item in check_avro(reader.parsed, writer.parsed, budget=budget)]
    if schema_type is SchemaType.JSON:
        return compatibility_json(reader, writer, budget)
    assert_never(schema_type)


def compatibility_json(reader: ParsedSchema, writer: ParsedSchema, budget: CheckBudget | None = None) -> list[str]:
    """JSON Schema pair check: ``singlewindow.registry.jsoncompat.check`` when it exists (issue 4);
    until then any change is refused with an explicit reason, never silently accepted."""
    if reader.canonical == writer.canonical:
        return []
    check = _json_checker()
    if check is None:
        return [JSON_UNAVAILABLE]
    try:
        found = check(reader.parsed, writer.parsed, budget=budget)
    except RecursionError:  # defensive: limits keep schemas shallow, but never answer 500 or pass
        return ["JSON Schema compatibility could not be decided: the schemas nest too deeply"]
    except ValueError as exc:  # the checker refuses a schema it cannot reason about: never accept silently
        return [f"JSON Schema compatibility could not be decided: {exc}"]
    return [_describe_json(item) for item in found]


def _describe_json(item: object) -> str:
    """``pointer: message [rule]`` for jsoncompat's Incompatibility; plain text for anything else."""
    pointer, rule, message = (getattr(item, name, None) for name in ("pointer", "rule", "message"))
    if message is None:
        return str(item)
    return f"{pointer or '#'}: {message}" + (f" [{rule}]" if rule else "")


def _json_checker() -> PairCheck | None:
    try:
        module = importlib.import_module("singlewindow.registry.jsoncompat")
    except ModuleNotFoundError as exc:
        if exc.name in ("singlewindow.registry.jsoncompat", "singlewindow.registry"):
            return None
        raise
    check = getattr(module, "check", None)
    return check if callable(check) else None
