"""Regular expressions from schemas, evaluated only by RE2 (linear time: no catastrophic backtracking).

``pattern`` and ``patternProperties`` come from whoever registers or tests a schema, and the property names
and strings they are matched against come from schemas and documents too, so Python's backtracking ``re``
could spend exponential time on one match, holding the GIL (issue 11, defect 2). RE2 has no lookaround and
no backreferences: a pattern using them is refused when a schema is registered (42201, see
``unsupported_patterns``), and treated as undecidable wherever an older stored schema still holds one.
jsonschema's own keywords that evaluate patterns (``pattern``, ``patternProperties``,
``additionalProperties``; ``unevaluatedProperties`` beside patterns) are replaced in ``safe_validator_for``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

import jsonschema.validators
import re2
from jsonschema import Draft202012Validator, ValidationError
from jsonschema import _keywords as keywords  # the originals the safe keywords delegate to
from jsonschema.protocols import Validator

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is reported to the caller, not written to stderr
_SKIPPED = frozenset({"enum", "const", "default", "examples"})


class UnsafePattern(ValueError):
    """A pattern RE2 cannot run (lookaround, backreference, or not a regex at all)."""


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> Any:
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        raise UnsafePattern(f"pattern {pattern[:80]!r} cannot be run by the registry's linear-time engine "
                            f"(RE2: {_reason(exc)}); lookaround and backreferences are not supported") from None


def _reason(exc: Exception) -> str:
    detail = exc.args[0] if exc.args else ""
    return detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)


def check_pattern(pattern: str) -> None:
    """Raise ``UnsafePattern`` unless RE2 can run ``pattern``."""
    _compiled(pattern)


def search(pattern: str, text: str) -> bool:
    """``re.search`` semantics in linear time; ``UnsafePattern`` when RE2 cannot run the pattern."""
    return _compiled(pattern).search(text) is not None


def unsupported_patterns(schema: Any) -> list[str]:
    """Every ``pattern`` / ``patternProperties`` key of a JSON schema that RE2 refuses, with its reason."""
    found: list[str] = []
    _collect(schema, found)
    return found


def _collect(node: Any, found: list[str]) -> None:
    if isinstance(node, Mapping):
        candidates = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        properties = node.get("patternProperties")
        if isinstance(properties, Mapping):
            candidates.extend(properties)
        for pattern in candidates:
            try:
                check_pattern(pattern)
            except UnsafePattern as exc:
                found.append(str(exc))
        for key, value in node.items():
            if key not in _SKIPPED:
                _collect(value, found)
    elif isinstance(node, list):
        for value in node:
            _collect(value, found)


# ---- jsonschema keywords that evaluate patterns, through RE2 -------------------------------------------


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


Errors = Iterator[ValidationError]


def _pattern_properties(validator: Any, patterns: Mapping[str, Any], instance: Any, schema: Any) -> Errors:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator: Any, additional: Any, instance: Any, schema: Any) -> Errors:
    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extras = [k for k in instance if k not in properties and not any(search(p, k) for p in patterns)]
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        listed = ", ".join(map(repr, sorted(extras)))
        yield ValidationError(f"Additional properties are not allowed ({listed} unexpected)")


def _unevaluated_properties(validator: Any, unevaluated: Any, instance: Any, schema: Any) -> Errors:
    """jsonschema finds the evaluated keys with ``re``; beside ``patternProperties`` that is not safe."""
    if validator.is_type(instance, "object") and _uses_patterns(schema):
        raise UnsafePattern("unevaluatedProperties beside patternProperties is not evaluated by the registry")
    original: Any = keywords.unevaluatedProperties  # typed as returning None by types-jsonschema
    yield from original(validator, unevaluated, instance, schema)


def _uses_patterns(node: Any) -> bool:
    if isinstance(node, Mapping):
        return "patternProperties" in node or any(_uses_patterns(v) for k, v in node.items() if k not in _SKIPPED)
    if isinstance(node, list):
        return any(_uses_patterns(v) for v in node)
    return False


_SAFE_KEYWORDS = {
    "pattern": _pattern,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
    "unevaluatedProperties": _unevaluated_properties,
}


@lru_cache(maxsize=16)
def _safe_class(base: type[Validator]) -> type[Validator]:
    safe: type[Validator] = jsonschema.validators.extend(base, _SAFE_KEYWORDS)  # type: ignore[no-untyped-call]
    return safe


def safe_validator_for(schema: Any) -> type[Validator]:
    """The validator class for ``schema``'s dialect (2020-12 by default) with RE2 for every pattern."""
    base = jsonschema.validators.validator_for(schema, default=Draft202012Validator)
    return _safe_class(base)
