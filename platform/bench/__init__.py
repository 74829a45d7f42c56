"""``nsw bench``: broker (bare pika vs the Transport), hub end to end, registry; one report shape for all."""

from singlewindow.platform.bench.report import BenchReport, Figure, render_table

__all__ = ["BenchReport", "Figure", "render_table"]
