"""Validate a document against its type: JSON Schema first, then the code lists.

Problems come back shaped as DESIGN.md fixes (JSON pointer, code, message): the pointer names the offending
value (for a missing required property, the property itself, so a form can mark the empty field), the code
the failing JSON Schema keyword or ``codelist``.

jsonschema (pure Python) cost about 2 ms per consignment at intake. jsonschema-rs (Rust) answers "valid"
about 40 times faster, so it goes first; only a document it does not pass goes through jsonschema, which
finds and words the problems exactly as before. The Rust verdict is taken only where it cannot differ:
schemas using only the keywords listed below, ``pattern`` run by Python's ``re`` (Rust's engine reads
``\\S`` differently) and every format by our own checker, documents made only of JSON's own types (Rust
reads a tuple as an array, a ``Decimal`` as a number, an enum as its value, NaN as null). Anything else,
and any exception, leaves the verdict to jsonschema (tests/unit/specs/test_validation_fast_path.py).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from datetime import datetime
from functools import partial
from math import isfinite
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from singlewindow.platform.errors import Problem
from singlewindow.platform.specs.catalog import Catalog
from singlewindow.platform.specs.codelists import CodeList, CodeListChecker, load_code_lists

MAX_MESSAGE = 240


def _format_checker() -> FormatChecker:
    """Draft 2020-12's format checks plus ``date-time``, which jsonschema only checks with an extra package."""
    checker: FormatChecker = copy.deepcopy(Draft202012Validator.FORMAT_CHECKER)

    def _date_time(value: object) -> bool:
        if isinstance(value, str):
            # Too short for a zone offset is not a date-time either (value[-6] would raise IndexError: a 500).
            if "T" not in value.upper() or not (value.endswith(("Z", "z")) or (len(value) >= 6 and value[-6] in "+-")):
                raise ValueError("an RFC 3339 date-time needs a 'T' and a zone offset")
            datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        return True

    checker.checks("date-time", raises=ValueError)(_date_time)
    return checker


FORMAT_CHECKER = _format_checker()


def pointer(parts: Any) -> str:
    """RFC 6901 pointer of a jsonschema path (a deque of keys and indexes)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def _short(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


def _missing_property(error: ValidationError) -> str | None:
    """The name a ``required`` error is about. jsonschema reports it on the object and keeps the name only in
    its message, so the name is the one missing property whose standard message this is."""
    if error.validator != "required" or not isinstance(error.instance, dict):
        return None
    names = error.validator_value if isinstance(error.validator_value, list) else []
    return next(
        (
            n
            for n in names
            if isinstance(n, str) and n not in error.instance and error.message == f"{n!r} is a required property"
        ),
        None,
    )


def _error_pointer(error: ValidationError) -> str:
    at = pointer(error.absolute_path)
    missing = _missing_property(error)
    return at if missing is None else at + pointer([missing])


def schema_problems(validator: Draft202012Validator, document: Any) -> list[Problem]:
    """Every JSON Schema error at the pointer of the offending instance, sorted by pointer.

    A missing required property is reported at its own pointer (``/importer``, not the object's ``""``);
    an unexpected property, as in JSON Schema, on the object that carries it (the message names it).
    """
    found: dict[tuple[str, str, str], Problem] = {}
    for error in validator.iter_errors(document):
        problem = Problem(_error_pointer(error), str(error.validator), _short(error.message))
        found.setdefault((problem.path, problem.code, problem.message), problem)
    return sorted(found.values(), key=lambda p: (p.path, p.code, p.message))


# Keywords whose meaning jsonschema and jsonschema-rs share on JSON values (both pass the official test
# suite for them), plus annotations. A schema with any other keyword (multipleOf's float arithmetic,
# uniqueItems' equality, patternProperties' regex engine...) is validated by jsonschema alone.
_SHARED_KEYWORDS = frozenset(
    {
        *("$schema", "$id", "$ref", "$defs", "$comment", "title", "description", "default", "examples"),
        *("deprecated", "readOnly", "writeOnly", "type", "enum", "const", "required", "properties"),
        *("additionalProperties", "minProperties", "maxProperties", "items", "prefixItems", "minItems"),
        *("maxItems", "minLength", "maxLength", "pattern", "format", "minimum", "maximum", "exclusiveMinimum"),
        *("exclusiveMaximum", "allOf", "anyOf", "oneOf", "not"),
    }
)
_SUBSCHEMA_MAPS = ("properties", "$defs")
_SUBSCHEMA_LISTS = ("prefixItems", "allOf", "anyOf", "oneOf")
_SUBSCHEMAS = ("items", "additionalProperties", "not")
_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def _shared_keywords_only(schema: Any) -> bool:
    """Whether every keyword of ``schema`` and its subschemas is shared (or an ``x-`` annotation)."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict):
        return False
    if any(key not in _SHARED_KEYWORDS and not str(key).startswith("x-") for key in schema):
        return False
    nested = [schema[key] for key in _SUBSCHEMAS if key in schema]
    nested += [sub for key in _SUBSCHEMA_LISTS for sub in schema.get(key, [])]
    nested += [sub for key in _SUBSCHEMA_MAPS for sub in schema.get(key, {}).values()]
    return all(_shared_keywords_only(sub) for sub in nested)


class _PythonPattern:
    """``pattern`` for jsonschema-rs, checked with ``re.search`` as jsonschema checks it."""

    def __init__(self, parent_schema: Any, value: Any, schema_path: Any) -> None:
        self._search = re.compile(value).search

    def validate(self, instance: Any) -> None:
        if isinstance(instance, str) and not self._search(instance):
            raise ValueError("does not match the pattern")


def _fast_validator(schema: Any) -> jsonschema_rs.Validator | None:
    """The Rust validator of ``schema`` when its verdicts cannot differ from jsonschema's, else None."""
    try:
        if not _shared_keywords_only(schema):
            return None
        return jsonschema_rs.Draft202012Validator(
            schema,
            formats={name: partial(FORMAT_CHECKER.conforms, format=name) for name in FORMAT_CHECKER.checkers},
            validate_formats=True,
            keywords={"pattern": _PythonPattern},
            offline=True,
        )
    except Exception:  # a schema Rust does not take is validated by jsonschema alone, as before
        return None


def _json_only(value: Any) -> bool:
    """Whether ``value`` is made of dicts, lists, strings, finite numbers, booleans and None only (no
    subclasses; jsonschema-rs reads NaN and the infinities as null)."""
    kind = type(value)
    if kind is dict:
        items: Any = value.values()
    elif kind is list:
        items = value
    else:
        return kind in _JSON_SCALARS and (kind is not float or isfinite(value))
    for item in items:
        kind = type(item)
        if kind is dict or kind is list:
            if not _json_only(item):
                return False
        elif kind not in _JSON_SCALARS or (kind is float and not isfinite(item)):
            return False
    return True


def _fast_says_valid(fast: jsonschema_rs.Validator | None, document: Any) -> bool:
    if fast is None or not _json_only(document):
        return False
    try:
        return fast.is_valid(document)
    except Exception:  # jsonschema decides, and raises whatever it always raised
        return False


class DocumentValidator:
    """Validates documents of every catalogued type; compiled validators are built once per type."""

    def __init__(self, catalog: Catalog, code_lists: Mapping[str, CodeList] | None = None) -> None:
        self.catalog = catalog
        self.code_lists = dict(code_lists) if code_lists is not None else load_code_lists(catalog.specs_dir)
        self._compiled: dict[str, tuple[Draft202012Validator, jsonschema_rs.Validator | None, CodeListChecker]] = {}

    def _compile(self, doc_type: str) -> tuple[Draft202012Validator, jsonschema_rs.Validator | None, CodeListChecker]:
        compiled = self._compiled.get(doc_type)
        if compiled is None:
            schema = self.catalog.get(doc_type).json_schema
            validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
            compiled = (validator, _fast_validator(schema), CodeListChecker(schema, self.code_lists))
            self._compiled[doc_type] = compiled
        return compiled

    def validate(self, doc_type: str, document: Any) -> list[Problem]:
        """All problems of ``document`` as a ``doc_type``; empty when it is valid."""
        validator, fast, codes = self._compile(doc_type)
        problems = [] if _fast_says_valid(fast, document) else schema_problems(validator, document)
        flagged = {problem.path for problem in problems}
        problems += [problem for problem in codes.problems(document) if problem.path not in flagged]
        return problems
