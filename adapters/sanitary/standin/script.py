"""Scripting the legacy system: a JSON control file re-read on every poll, over the flags' defaults.

``down`` holds an exclusive lock on the shared table (maintenance); ``slow_seconds`` delays each decision;
``errors`` and ``malformed`` spoil the first N answers per row (status ERROR; a garbled status column);
``duplicate`` writes each decision twice. ``intake_error`` makes the system's intake check refuse new rows
with that message (a trigger on the table: the adapter's insert fails as a constraint violation, not a
lock timeout), until it is cleared.

``query_first`` is business, not a fault (as in the other stand-ins): every new row read while it is set
gets status QUERY with ``query_question`` and ``query_fields`` first; the system decides that row once the
adapter has written the trader's answer to its ``answer`` column.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class Script(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    down: bool = False
    slow_seconds: float = Field(default=0.0, ge=0)
    errors: int = Field(default=0, ge=0)
    malformed: int = Field(default=0, ge=0)
    duplicate: bool = False
    intake_error: str | None = Field(default=None, min_length=1, max_length=200)
    query_first: bool = False
    query_question: str = Field(
        default="Please state the shelf life and storage temperature of the goods", min_length=1
    )
    query_fields: tuple[str, ...] = ("/goodsItems/0/description",)


def read_script(control: Path | None, defaults: Script) -> Script:
    if control is None:
        return defaults
    try:
        data = json.loads(control.read_text(encoding="utf-8"))
        return Script.model_validate({**defaults.model_dump(), **data})
    except (OSError, json.JSONDecodeError, ValidationError, TypeError):
        return defaults


def write_script(control: Path, script: Script) -> None:
    temporary = control.with_name(f".{control.name}.part")
    temporary.write_text(script.model_dump_json(), encoding="utf-8")
    temporary.replace(control)
