"""The folder protocol of the echo agency system, kept apart from the adapter so it reads as a spec.

* hand-over: ``<outbox_dir>/<reference>`` holds the view document as JSON, written atomically
  (temporary file, fsync, rename), so the agency system never sees half a file;
* decision: the agency system writes ``<decisions_dir>/<reference stem>--<decision id>.json`` holding
  ``{"status": ..., "officer": {"id": ...}, "conditions": [...], "reasons": [...], "channel": ...}``;
  processed files move to ``done/`` (unreadable ones to ``invalid/``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SEPARATOR = "--"


def write_atomically(folder: Path, name: str, document: Mapping[str, Any]) -> Path:
    """Write ``document`` to ``folder/name`` durably; an existing file (a retried hand-over) is kept."""
    target = folder / name
    if target.exists():
        return target
    temporary = folder / f".{name}.tmp"
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False, indent=2, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return target


def decision_files(folder: Path) -> list[Path]:
    """Decision files waiting in ``folder``, oldest name first."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"*{SEPARATOR}*.json") if p.is_file())


def reference_of(decision_file: Path) -> str:
    """The hand-over file a decision file answers: the part of its name before ``--``, plus ``.json``."""
    return decision_file.name.split(SEPARATOR, 1)[0] + ".json"


def read_json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path.name} does not hold a JSON object")
    return data


def move_to(path: Path, subfolder: str) -> None:
    target = path.parent / subfolder
    target.mkdir(exist_ok=True)
    os.replace(path, target / path.name)


def writable_folder(folder: Path) -> bool:
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)
