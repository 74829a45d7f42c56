"""The fixed string patterns of the mapping table, and the name rule for generated Avro types."""

from __future__ import annotations

import re

TIMESTAMP_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

# ^-?[0-9]{1,N}\.[0-9]{S}$ (the conventions' form) or ^-?(0|[1-9][0-9]{0,N-1})\.[0-9]{S}$ (no leading zeros)
_DECIMAL_PLAIN = re.compile(r"^\^(?:-\?)?\[0-9\]\{1,(\d+)\}\\\.\[0-9\]\{(\d+)\}\$$")
_DECIMAL_CANONICAL = re.compile(r"^\^(?:-\?)?\(0\|\[1-9\]\[0-9\]\{0,(\d+)\}\)\\\.\[0-9\]\{(\d+)\}\$$")


def decimal_pattern_digits(pattern: object) -> tuple[int, int] | None:
    """(max integer digits, fraction digits) of a decimal-string pattern, or None if it is not one."""
    if not isinstance(pattern, str):
        return None
    if match := _DECIMAL_PLAIN.match(pattern):
        return int(match[1]), int(match[2])
    if match := _DECIMAL_CANONICAL.match(pattern):
        return int(match[1]) + 1, int(match[2])
    return None


def pascal_case(text: str) -> str:
    """``goodsItems`` -> ``GoodsItems``, ``cargo-manifest`` -> ``CargoManifest``, ``view_x`` -> ``ViewX``."""
    parts = [part for part in re.split(r"[-_\s.]+", text) if part]
    return "".join(part[0].upper() + part[1:] for part in parts)
