"""Sizes of the short (CI) and long modes; test modules read them at import (conftest sets the variable)."""

from __future__ import annotations

import os

LONG = os.environ.get("NSW_HOSTILE_LONG") == "1"


def examples(short: int, long: int) -> int:
    return long if LONG else short
