"""What changed in an agency's view between two versions: the JSON pointers whose values differ.

An agency that already has version N of a submission gets version N+1 with these pointers, so its system
can re-check only what moved. A pointer names the smallest node that differs: a changed leaf, or a whole
member or array element that was added or removed. Fields the hub sets on every version
(``submissionVersion``) are left out: they always differ and say nothing about the consignment.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

IGNORED = frozenset({"/submissionVersion"})
MAX_HEADER_CHARS = 16_000
"""The changes travel in a message header; a longer list is coarsened to top-level members."""


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _diff(old: Any, new: Any, path: str, out: list[str]) -> None:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new)):
            child = f"{path}/{_escape(str(key))}"
            if key not in old or key not in new:
                out.append(child)
            else:
                _diff(old[key], new[key], child, out)
    elif isinstance(old, list) and isinstance(new, list):
        for index in range(max(len(old), len(new))):
            child = f"{path}/{index}"
            if index >= len(old) or index >= len(new):
                out.append(child)
            else:
                _diff(old[index], new[index], child, out)
    elif type(old) is not type(new) or old != new:
        out.append(path)


def changed_pointers(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[str, ...]:
    """Pointers (RFC 6901) into the view whose values differ between ``old`` and ``new``, in document order."""
    found: list[str] = []
    _diff(old, new, "", found)
    pointers = [p for p in found if p not in IGNORED]
    if len(json.dumps(pointers)) > MAX_HEADER_CHARS:
        pointers = list(dict.fromkeys("/" + p.split("/")[1] for p in pointers))
    return tuple(pointers)
