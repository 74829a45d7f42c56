"""Read one routing data file and check it against its JSON Schema, so an author sees every mistake with
its JSON pointer in one error instead of a pydantic trace."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from singlewindow import message_specs
from singlewindow.platform.errors import ConfigurationError, Problem


def shipped_dir() -> Path:
    """The routing data shipped in the package (``message_specs/routing``)."""
    return Path(str(message_specs.root() / "routing"))


def pointer(parts: Iterable[str | int]) -> str:
    """RFC 6901 pointer of a path, escaping ``~`` and ``/``."""
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in parts)


def read_json(path: Path, what: str) -> Any:
    """The parsed file, or a ConfigurationError naming the file and the problem."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigurationError(f"{what} not found: {path}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"{what} {path} is not JSON: line {exc.lineno} column {exc.colno}: {exc.msg}") from exc


def schema_problems(data: object, schema_file: str) -> list[Problem]:
    """Every schema violation of ``data`` against the shipped ``routing/<schema_file>``, sorted by pointer."""
    schema = json.loads((message_specs.root() / "routing" / schema_file).read_text(encoding="utf-8"))
    errors: list[ValidationError] = list(Draft202012Validator(schema).iter_errors(data))
    errors.sort(key=lambda e: [str(p) for p in e.absolute_path])
    return [Problem(pointer(e.absolute_path), str(e.validator), e.message) for e in errors]


def raise_if_problems(problems: list[Problem], what: str, source: str) -> None:
    """One error listing every problem, one line each: ``  /rules/3/recipients/0: ... [code]``."""
    if problems:
        lines = "\n".join(f"  {p.path or '/'}: {p.message} [{p.code}]" for p in problems)
        raise ConfigurationError(f"invalid {what} {source}:\n{lines}")
