"""A copy of the shipped routing data with test-sized retry tiers (and, on a shared broker, unique users).

The catalogue's tiers (5 s, 30 s, 5 min) are right for production and far too slow for a test of retries;
point ``HubSettings.routing_dir`` at this copy and the embedded hub, its topology and the adapter runtime
all use the short tiers.
"""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

from singlewindow.platform.catalogue import format_duration
from singlewindow.platform.routing.loading import shipped_dir
from singlewindow.platform.routing.tables import CATALOGUE_FILE, FILES


def short_retry_routing(target: Path, tiers: tuple[int, ...] = (1, 2), user_suffix: str | None = None) -> Path:
    """Write the shipped rules, views and catalogue to ``target`` with ``tiers`` (seconds); returns it."""
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        if name != CATALOGUE_FILE:
            shutil.copyfile(shipped_dir() / name, target / name)
    catalogue = json.loads((shipped_dir() / CATALOGUE_FILE).read_text(encoding="utf-8"))
    for entry in catalogue["recipients"]:
        entry["retryTiers"] = [format_duration(timedelta(seconds=seconds)) for seconds in tiers]
        if user_suffix:
            entry["brokerUser"] = f"{entry['brokerUser']}-{user_suffix}"
    (target / CATALOGUE_FILE).write_text(json.dumps(catalogue, indent=2) + "\n", encoding="utf-8")
    return target
