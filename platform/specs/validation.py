"""Validate a document against its type: JSON Schema first, then the code lists.

Problems come back shaped as DESIGN.md fixes (JSON pointer, code, message): the pointer names the offending
value (for a missing required property, the property itself, so a form can mark the empty field), the code
the failing JSON Schema keyword or ``codelist``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any

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
            if "T" not in value.upper() or not (value.endswith(("Z", "z")) or value[-6] in "+-"):
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


class DocumentValidator:
    """Validates documents of every catalogued type; compiled validators are built once per type."""

    def __init__(self, catalog: Catalog, code_lists: Mapping[str, CodeList] | None = None) -> None:
        self.catalog = catalog
        self.code_lists = dict(code_lists) if code_lists is not None else load_code_lists(catalog.specs_dir)
        self._compiled: dict[str, tuple[Draft202012Validator, CodeListChecker]] = {}

    def _compile(self, doc_type: str) -> tuple[Draft202012Validator, CodeListChecker]:
        compiled = self._compiled.get(doc_type)
        if compiled is None:
            schema = self.catalog.get(doc_type).json_schema
            validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
            compiled = (validator, CodeListChecker(schema, self.code_lists))
            self._compiled[doc_type] = compiled
        return compiled

    def validate(self, doc_type: str, document: Any) -> list[Problem]:
        """All problems of ``document`` as a ``doc_type``; empty when it is valid."""
        validator, codes = self._compile(doc_type)
        problems = schema_problems(validator, document)
        flagged = {problem.path for problem in problems}
        problems += [problem for problem in codes.problems(document) if problem.path not in flagged]
        return problems
