"""The checks every hostile case passes through: an answer under 500, no partial write, no traceback.

``Checker.http`` sends one request and records it in the session's tally; the test then asserts on what
``Outcome`` says. A refused request (4xx/5xx) must leave every table's row count as it was; an accepted
one may write, so the checker waits for the hub to settle before the next comparison.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from .tally import TALLY

ACCEPTED_WRITE = {"POST", "PUT", "DELETE", "PATCH"}


@dataclass
class Outcome:
    what: str
    status: int | None  # None: no answer (a crash)
    changed: dict[str, tuple[int, int]]
    tracebacks: list[str]
    response: Any

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 500 and not self.changed and not self.tracebacks

    def explain(self) -> str:
        body = str(getattr(self.response, "text", ""))[:300] if self.response is not None else ""
        return f"{self.what}: status={self.status} changed={self.changed} tracebacks={self.tracebacks[:1]} {body}"


class Checker:
    def __init__(self, suite: str, client: httpx.Client, logs: Any, counts: Any = None, settle: Any = None):
        self.suite, self.client, self.logs = suite, client, logs
        self._counts, self._settle = counts, settle
        self._baseline: dict[str, int] | None = None

    def baseline(self) -> dict[str, int]:
        if self._settle == self._counts:  # nothing runs behind the API (the registry): read afresh each time
            return self._counts() if self._counts is not None else {}
        if self._baseline is None and self._settle is not None:
            self._baseline = self._settle()
        return self._baseline or {}

    def dirty(self) -> None:
        """Something wrote outside the checker (a setup submit): settle before the next comparison."""
        self._baseline = None

    def http(self, method: str, url: str, what: str | None = None, **kwargs: Any) -> Outcome:
        def send() -> Any:
            if url.split("?")[0].endswith("/watch"):
                with self.client.stream(method, url, **kwargs) as streamed:
                    return streamed  # the status is all a watch case needs; leave the stream at once
            return self.client.request(method, url, **kwargs)

        return self.observe(what or f"{method} {url[:120]}", method, send)

    def observe(self, what: str, method: str, send: Callable[[], Any]) -> Outcome:
        """Run ``send`` (returns something with ``status_code``; raises on no answer) under every check."""
        before = self.baseline()
        self.logs.take()
        response: Any = None
        try:
            response = send()
        except Exception as exc:  # no answer at all: the connection broke or timed out
            TALLY.crash(self.suite, f"{what}: {exc!r}")
        status = int(response.status_code) if response is not None else None
        if status is not None:
            TALLY.status(self.suite, status)
            if status >= 500:
                TALLY.server_error(what)
        changed: dict[str, tuple[int, int]] = {}
        if self._counts is not None:
            if status is None or status >= 400:
                after = self._counts()
                changed = {t: (before.get(t, 0), n) for t, n in after.items() if n != before.get(t, 0)}
                if changed:
                    TALLY.partial_write(what, changed)
                    self._baseline = None
            elif method.upper() in ACCEPTED_WRITE:
                self._baseline = None  # an accepted write: settle again before the next comparison
        tracebacks = self.logs.take()
        if tracebacks:
            TALLY.traceback(what, tracebacks)
        return Outcome(what, status, changed, tracebacks, response)
