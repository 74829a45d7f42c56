"""Scripting the legacy system: a JSON control file re-read on every poll, over the flags' defaults.

``down`` holds an exclusive lock on the shared table (maintenance); ``slow_seconds`` delays each decision;
``errors`` and ``malformed`` spoil the first N answers per row (status ERROR; a garbled status column);
``duplicate`` writes each decision twice.
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
