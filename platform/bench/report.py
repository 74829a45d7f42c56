"""One result shape for every bench: the figures, the settings that produced them and the machine they ran on,
printed as a table for people or as JSON for scripts and notes (``--json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Figure:
    """One measured number; ``value`` is None where it could not be measured (e.g. no broker statistics)."""

    name: str
    value: float | None
    unit: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class BenchReport:
    bench: str
    settings: dict[str, Any]
    environment: dict[str, Any]
    figures: tuple[Figure, ...]
    notes: tuple[str, ...] = field(default=())

    def figure(self, name: str) -> Figure:
        for figure in self.figures:
            if figure.name == name:
                return figure
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "bench": self.bench,
            "settings": self.settings,
            "environment": self.environment,
            "figures": {
                f.name: {"value": f.value, "unit": f.unit, **({"note": f.note} if f.note else {})} for f in self.figures
            },
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False)


def _number(value: float | None) -> str:
    if value is None:
        return "n/a"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3f}"


def render_table(report: BenchReport) -> str:
    """A plain text table: figure, value, unit, note; then the settings and environment on one line each."""
    rows = [(f.name, _number(f.value), f.unit, f.note) for f in report.figures]
    widths = [max(len(row[i]) for row in [("figure", "value", "unit", ""), *rows]) for i in range(3)]
    lines = [f"nsw bench {report.bench}", ""]
    header = ("figure", "value", "unit")
    lines.append(
        "  ".join(h.ljust(w) if i != 1 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths, strict=True)))
    )
    lines.append("  ".join("-" * w for w in widths))
    for name, value, unit, note in rows:
        cells = f"{name.ljust(widths[0])}  {value.rjust(widths[1])}  {unit.ljust(widths[2])}"
        lines.append(f"{cells}  {note}".rstrip())
    lines.append("")
    lines.append("settings: " + ", ".join(f"{k}={v}" for k, v in report.settings.items()))
    lines.append("environment: " + ", ".join(f"{k}={v}" for k, v in report.environment.items()))
    lines.extend(f"note: {note}" for note in report.notes)
    return "\n".join(lines)
