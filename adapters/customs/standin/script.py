"""How a test or the demo scripts the stand-in: a JSON control file, re-read every poll, over flag defaults.

``down`` stops reading and stops the heartbeat; ``slow_seconds`` delays each answer; ``errors`` and
``malformed`` spoil the first N answers to each declaration (a temporary-error CUSRES; a garbage file);
``duplicate`` writes every answer twice; ``inspection_seconds`` and ``inspection_result`` script what the
officers find after a YELLOW or RED channel.

``query_first`` is business, not a fault (as in the other stand-ins): every declaration read while it is set
gets a query first (a CUSRES with GIS+QRY, ``query_question`` and one FTX per ``query_fields`` pointer); the
system assesses the declaration only once the declarant's answer (a CUSDEC with function code 11) arrives.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class Script(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    down: bool = False
    slow_seconds: float = Field(default=0.0, ge=0)
    errors: int = Field(default=0, ge=0)
    malformed: int = Field(default=0, ge=0)
    duplicate: bool = False
    inspection_seconds: float = Field(default=1.0, ge=0)
    inspection_result: Literal["RELEASE", "REFUSE"] = "RELEASE"
    query_first: bool = False
    query_question: str = Field(
        default="Please state the intended use of the goods and attach the purchase contract", min_length=1
    )
    query_fields: tuple[str, ...] = ("/goodsItems/0/description", "/invoiceAmount")


def read_script(control: Path | None, defaults: Script) -> Script:
    """The control file's keys over ``defaults``; a missing or unreadable file means the defaults."""
    if control is None:
        return defaults
    try:
        data = json.loads(control.read_text(encoding="utf-8"))
        return defaults.model_copy(update=Script.model_validate({**defaults.model_dump(), **data}).model_dump())
    except (OSError, json.JSONDecodeError, ValidationError, TypeError):
        return defaults


def write_script(control: Path, script: Script) -> None:
    """Replace the control file atomically (tests flip the stand-in's behaviour with this)."""
    temporary = control.with_name(f".{control.name}.part")
    temporary.write_text(script.model_dump_json(), encoding="utf-8")
    temporary.replace(control)
