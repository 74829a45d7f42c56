"""structlog, configured once per process by the CLI: JSON when not a terminal, bound context."""

from __future__ import annotations

import logging
import sys

import structlog

from singlewindow.platform.settings import LogSettings

NOISY_LIBRARIES = ("pika", "alembic", "aiosqlite", "asyncio", "httpx", "httpcore")


def configure_logging(settings: LogSettings) -> None:
    """Set up structlog and route stdlib logging (pika, uvicorn, grpc) through the same renderer."""
    as_json = settings.format == "json" or (settings.format == "auto" and not sys.stderr.isatty())
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(settings.level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        # Not cached: a cached logger keeps the configuration of its first call for ever, so a later
        # reconfiguration (tests capturing logs after a CLI test configured them) would not reach it.
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(max(logging.getLevelName(settings.level.upper()), logging.INFO))
    # INFO is one line per business event; these libraries log per connection, statement or request
    # (httpx/httpcore: every poll an adapter or CLI makes to the hub), so they speak only when it matters.
    for noisy in NOISY_LIBRARIES:
        logging.getLogger(noisy).setLevel(logging.WARNING)
