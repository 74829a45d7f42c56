"""Every bench is bounded in count and time; parameters outside these bounds are refused up front."""

from __future__ import annotations

from singlewindow.platform.errors import InvalidInput

PHASE_TIMEOUT_SECONDS = 300.0  # no single phase of a bench may take longer
MAX_MESSAGES = 200_000
MAX_MESSAGE_BYTES = 1024 * 1024
MAX_WINDOW = 65_535  # AMQP's prefetch count is 16 bits
MAX_SUBMISSIONS = 20_000
MAX_CONCURRENCY = 256
MAX_HUBS = 8
MAX_RATE = 5_000  # open-loop submissions per second
MAX_SWEEP_VALUES = 5  # prefetch x window grid of the raw pipeline: at most 25 points


def bounded(name: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise InvalidInput(f"--{name} must be between {low} and {high}, got {value}")
    return value
