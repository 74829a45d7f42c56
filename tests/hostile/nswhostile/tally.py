"""Counts of one run (cases, 2xx, 4xx, 5xx, crashes, partial writes, RSS) and the per-case checks.

A *crash* is a case that got no HTTP/gRPC answer at all (connection dropped, timeout, server gone) or logged
an ERROR with a traceback; a *partial write* is a refused case (4xx/5xx) after which a table's row count
changed. The session prints one table (conftest's terminal summary) so long runs can be recorded as is.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Tally:
    counts: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    rss_kib: dict[str, int] = field(default_factory=dict)

    def status(self, suite: str, status: int) -> None:
        self.counts["cases"] += 1
        self.counts[f"{status // 100}xx"] += 1
        self.counts[f"{suite}:cases"] += 1

    def crash(self, suite: str, what: str) -> None:
        self.counts["cases"] += 1
        self.counts["crashes"] += 1
        self.counts[f"{suite}:cases"] += 1
        self.failures.append(f"crash: {what}")

    def partial_write(self, what: str, changed: dict[str, tuple[int, int]]) -> None:
        self.counts["partial writes"] += 1
        self.failures.append(f"partial write: {what}: {changed}")

    def traceback(self, what: str, entries: list[str]) -> None:
        self.counts["tracebacks logged"] += 1
        self.failures.append(f"traceback logged: {what}: {entries[:2]}")

    def server_error(self, what: str) -> None:
        self.failures.append(f"5xx: {what}")

    def table(self) -> str:
        rows = [
            ("cases", self.counts["cases"]),
            ("2xx", self.counts["2xx"]),
            ("3xx", self.counts["3xx"]),
            ("4xx", self.counts["4xx"]),
            ("5xx", self.counts["5xx"]),
            ("crashes", self.counts["crashes"]),
            ("partial writes", self.counts["partial writes"]),
            ("tracebacks logged", self.counts["tracebacks logged"]),
        ]
        rows += sorted((k, v) for k, v in self.counts.items() if k.endswith(":cases"))
        if self.rss_kib:
            start, end = self.rss_kib.get("start", 0), self.rss_kib.get("end", 0)
            rows += [("RSS start KiB", start), ("RSS end KiB", end), ("RSS growth KiB", end - start)]
        width = max(len(name) for name, _ in rows)
        lines = [f"| {'count'.ljust(width)} | value |", f"| {'-' * width} | ----- |"]
        lines += [f"| {name.ljust(width)} | {value} |" for name, value in rows]
        return "\n".join(lines)


TALLY = Tally()  # one per session: every hostile test adds to it
