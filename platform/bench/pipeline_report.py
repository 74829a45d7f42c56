"""The result of ``nsw bench pipeline``: the headline keys scripts read (``raw_docs_per_s``, ``hub_docs_per_s``,
``ratio``, ``latency_ms``, ``rss_mb``, ``cpu_ms_per_submission``, ``database_per_submission``), the details
behind them (the raw sweep, the hub's counts), and the settings and machine as every bench report carries them.
As a table the ratio comes last: it is the figure the bench exists for."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from singlewindow.platform.bench.report import BenchReport, Figure, render_table
from singlewindow.platform.bench.stats import PERCENTILES, percentile


def latency_ms(seconds: Sequence[float]) -> dict[str, float | None]:
    """p50/p95/p99 (nearest rank) in milliseconds; None each when nothing was measured."""
    return {f"p{p}": (percentile(seconds, p) * 1000 if seconds else None) for p in PERCENTILES}


def per_submission_ms(cpu_seconds: dict[str, float | None], submissions: int) -> dict[str, float | None]:
    return {
        kind: (None if seconds is None or submissions == 0 else seconds * 1000 / submissions)
        for kind, seconds in cpu_seconds.items()
    }


def _count(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}"


def ratio(hub: float | None, raw: float | None) -> float | None:
    return None if hub is None or raw is None or raw <= 0 else hub / raw


@dataclass(frozen=True, slots=True)
class PipelineReport:
    raw_docs_per_s: float | None
    hub_docs_per_s: float | None
    latency_ms: dict[str, float | None]
    rss_mb: dict[str, float | None]
    cpu_ms_per_submission: dict[str, float | None]
    database_per_submission: dict[str, float | None]  # database_counters.KEYS -> per terminal submission
    raw: dict[str, Any]  # the best point and every point of the sweep
    hub: dict[str, Any]  # accepted, terminal, refused, retries, unfinished ids, answer latency
    settings: dict[str, Any]
    environment: dict[str, Any]
    notes: tuple[str, ...] = field(default=())

    @property
    def ratio(self) -> float | None:
        return ratio(self.hub_docs_per_s, self.raw_docs_per_s)

    def to_dict(self) -> dict[str, Any]:
        return {
            "bench": "pipeline",
            "raw_docs_per_s": self.raw_docs_per_s,
            "hub_docs_per_s": self.hub_docs_per_s,
            "ratio": self.ratio,
            "latency_ms": self.latency_ms,
            "rss_mb": self.rss_mb,
            "cpu_ms_per_submission": self.cpu_ms_per_submission,
            "database_per_submission": self.database_per_submission,
            "raw": self.raw,
            "hub": self.hub,
            "settings": self.settings,
            "environment": self.environment,
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def _figures(self) -> tuple[Figure, ...]:
        best = self.raw.get("best") or {}
        where = f"prefetch {best.get('prefetch')}, window {best.get('window')}" if best else ""
        return (
            Figure("raw docs/s", self.raw_docs_per_s, "/s", f"best of the sweep: {where}"),
            Figure("hub docs/s", self.hub_docs_per_s, "/s", "terminal / (first due -> last terminal)"),
            Figure("hub accepted", self.hub.get("accepted"), "", f"of {self.settings.get('submissions')}"),
            Figure("hub terminal", self.hub.get("terminal"), "", f"{self.hub.get('unfinished_count')} unfinished"),
            *(Figure(f"latency {p}", v, "ms", "scheduled submit -> terminal") for p, v in self.latency_ms.items()),
            *(Figure(f"CPU {k}", v, "ms/submission") for k, v in self.cpu_ms_per_submission.items()),
            *self._database_figures(),
            *(Figure(f"RSS {label}", mb, "MB", "at the end") for label, mb in self.rss_mb.items()),
        )

    def _database_figures(self) -> tuple[Figure, ...]:
        found = self.database_per_submission
        rows = "/".join(_count(found.get(f"rows_{kind}")) for kind in ("inserted", "updated", "deleted", "fetched"))
        return (
            Figure("DB transactions", found.get("transactions"), "/submission", f"rows ins/upd/del/fetched {rows}"),
            Figure("DB WAL", found.get("wal_bytes"), "B/submission", "server-wide WAL position difference"),
        )

    def render(self) -> str:
        table = BenchReport("pipeline", self.settings, self.environment, self._figures(), self.notes)
        value = "n/a" if self.ratio is None else f"{self.ratio:.4f}"
        return f"{render_table(table)}\n\nratio hub/raw: {value}"
