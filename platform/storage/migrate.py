"""Run the hub's alembic migrations programmatically, so `nsw` brings any database to head by itself."""

from __future__ import annotations

import structlog
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

SCRIPT_LOCATION = "singlewindow.platform.storage:migrations"
log = structlog.get_logger(__name__)


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    return config


# Any constant works; it only has to be the same in every hub process (pg_advisory_xact_lock takes a bigint).
_MIGRATION_LOCK = 0x6E73775F6D6967  # "nsw_mig"


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database to ``revision``; safe to call on every start (a no-op when current).

    Hub processes started together migrate one at a time: on PostgreSQL the first takes a transaction-scoped
    advisory lock and the others wait for it, then find the schema current (PostgreSQL DDL is transactional).
    SQLite serialises writers anyway (the transaction begins IMMEDIATE).
    """
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        await connection.run_sync(lambda sync: command.upgrade(_config(sync), revision))


async def warn_if_autovacuum_off(engine: AsyncEngine) -> bool:
    """Warn when PostgreSQL's autovacuum is off; True if it is.

    Without it nothing refreshes the planner's statistics (unless an operator runs ANALYZE): a lookup the
    planner judged on an empty table keeps its plan as the table grows, e.g. the aggregator's check for
    decisions already applied read every aggregator row of ``processed_messages`` per batch in a bench on
    such a server (docs/performance.md). Only a warning: the hub still works, it slows with the tables.
    """
    if engine.dialect.name != "postgresql":
        return False
    async with engine.connect() as connection:
        autovacuum = (await connection.execute(text("SELECT current_setting('autovacuum')"))).scalar_one()
    if autovacuum == "on":
        return False
    log.warning(
        "PostgreSQL autovacuum is off: table statistics are never refreshed and hot lookups slow down as the "
        "tables grow; turn it on, or run ANALYZE regularly"
    )
    return True
