"""How the sanitary service's legacy system decides on a document (it is the agency system, so it decides).

* an item of a group that needs state registration (CTC Decision No. 299 Section II; the heading choice is
  ours and unverified) without a sanitary permit / SGR certificate: REJECTED;
* a cited sanitary permit the service's register does not hold, or that expired: REJECTED;
* animal-origin food (groups 02-04, 16): ACCEPTED_WITH_CONDITIONS, a laboratory sample is taken;
* anything else: ACCEPTED.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

STATE_REGISTRATION = ("1901", "2106", "2201", "2202", "3304", "3305", "3306", "3307", "3402")
LAB_SAMPLING = ("02", "03", "04", "16")


@dataclass(frozen=True, slots=True)
class Verdict:
    status: str  # ACCEPTED, ACCEPTED_WITH_CONDITIONS or REJECTED
    reason: str | None = None
    conditions: tuple[str, ...] = ()  # "CODE: text"


def read_register(path: Path | None) -> dict[str, date]:
    """The service's own permits: ``[{"number": ..., "validUntil": "YYYY-MM-DD"}]``."""
    if path is None:
        return {}
    return {str(p["number"]): date.fromisoformat(p["validUntil"]) for p in json.loads(path.read_text())}


def decide(view: Mapping[str, Any], register: Mapping[str, date], today: date) -> Verdict:
    problems: list[str] = []
    sampled: list[str] = []
    for item in view.get("goodsItems", []):
        code = item["commodityCode"].get("nationalCode") or item["commodityCode"]["hsCode"]
        permits = [d["number"] for d in item.get("supportingDocuments", []) if d["type"] == "SANITARY_PERMIT"]
        number = item["sequenceNumber"]
        if code.startswith(STATE_REGISTRATION) and not permits:
            problems.append(f"item {number} (HS {code}) needs a state registration certificate; none cited")
        for permit in permits:
            valid_until = register.get(permit)
            if valid_until is None or valid_until < today:
                problems.append(f"item {number}: sanitary permit {permit} is unknown or expired")
        if code.startswith(LAB_SAMPLING):
            sampled.append(str(number))
    if problems:
        return Verdict("REJECTED", "; ".join(problems))
    if sampled:
        condition = f"LAB-SAMPLING: laboratory samples of item(s) {', '.join(sampled)} before release for sale"
        return Verdict("ACCEPTED_WITH_CONDITIONS", None, (condition,))
    return Verdict("ACCEPTED")
