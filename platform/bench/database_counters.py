"""What PostgreSQL did for a bench run: the run database's row of ``pg_stat_database`` and the server's WAL
position, read before and after the load, and the difference per submission.

The readings go through a connection to another database of the same server (the maintenance database the
bench was given): ``pg_stat_database`` shows every database's row from anywhere, and the readings' own
transactions then do not count in the run's figures. The WAL position is the server's: the difference holds
every database's writes, and anything else writing on the server meanwhile.

Completeness (PostgreSQL 15, measured on this machine with ``nsw bench pipeline``'s hub phase): a backend
flushes its pending counters when a transaction ends at least 1 s after its previous flush; otherwise, once
idle, only when its PGSTAT_IDLE_INTERVAL timer fires, 10 s after it went idle. Waiting for two equal readings a
second apart is not enough: after the hubs and agencies had started, 400 inserted rows came in after 3.5 s, then
the counters stood still (but for the hubs' polling, a transaction a second) until 110 transactions and 900
fetched rows came in at 9.6-10 s (the setup's idle backends' timers). ``pg_stat_force_next_flush()`` only
flushes the backend that calls it, never the hubs' backends. So a reading that must hold everything done until
now is taken ``FLUSH_WAIT_SECONDS`` later (``flushed``). What the hubs do meanwhile while idle (the outbox sweep
and the deadline scan: a couple of transactions a second per hub, no row writes) counts in as well.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, fields, replace

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

READING = text(
    "SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_fetched, blks_hit, blks_read,"
    " pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint AS wal_position"
    " FROM pg_stat_database WHERE datname = :database"
)
FLUSH_WAIT_SECONDS = 11.0  # PGSTAT_IDLE_INTERVAL (10 s) and a margin
COUNT_DIGITS = 2  # per-submission statements and rows: tens per submission
WAL_DIGITS = 0  # per-submission WAL: thousands of bytes
_COUNTED = ("commits", "rollbacks", "rows_inserted", "rows_updated", "rows_deleted", "rows_fetched")  # as read
KEYS = (
    "transactions",  # commits + rollbacks
    *_COUNTED,
    "blocks_accessed",  # shared buffer hits + blocks read
    "wal_bytes",
)


@dataclass(frozen=True, slots=True)
class DatabaseCounters:
    """Cumulative counters of one database (``pg_stat_database``) and the server's WAL position in bytes."""

    commits: int
    rollbacks: int
    rows_inserted: int
    rows_updated: int
    rows_deleted: int
    rows_fetched: int
    blocks_hit: int
    blocks_read: int
    wal_position: int


async def read(engine: AsyncEngine, database: str) -> DatabaseCounters | None:
    """The counters of ``database`` as they stand (None if ``engine`` is not PostgreSQL or cannot be read)."""
    if engine.dialect.name != "postgresql":
        return None
    try:
        async with engine.connect() as connection:
            row = (await connection.execute(READING, {"database": database})).one_or_none()
    except (SQLAlchemyError, OSError):
        return None
    return None if row is None else DatabaseCounters(*(int(value or 0) for value in row))


async def flushed(engine: AsyncEngine, database: str) -> DatabaseCounters | None:
    """The counters of ``database`` including everything done before the call: read ``FLUSH_WAIT_SECONDS``
    later (the WAL position is the later one too: see ``combined``)."""
    await asyncio.sleep(FLUSH_WAIT_SECONDS)
    return await read(engine, database)


def combined(statistics: DatabaseCounters | None, position: DatabaseCounters | None) -> DatabaseCounters | None:
    """The statistics of one reading with the WAL position of another, taken at the point that counts (None if
    either is missing)."""
    if statistics is None or position is None:
        return None
    return replace(statistics, wal_position=position.wal_position)


def per_submission(
    before: DatabaseCounters | None, after: DatabaseCounters | None, submissions: int
) -> dict[str, float | None]:
    """``after - before`` per submission, by ``KEYS``; None values if a reading is missing or nothing finished."""
    if before is None or after is None or submissions <= 0:
        return dict.fromkeys(KEYS, None)
    delta = {f.name: getattr(after, f.name) - getattr(before, f.name) for f in fields(DatabaseCounters)}
    totals = {
        "transactions": delta["commits"] + delta["rollbacks"],
        **{key: delta[key] for key in _COUNTED},
        "blocks_accessed": delta["blocks_hit"] + delta["blocks_read"],
    }
    found: dict[str, float | None] = {key: round(total / submissions, COUNT_DIGITS) for key, total in totals.items()}
    found["wal_bytes"] = float(round(delta["wal_position"] / submissions, WAL_DIGITS))
    return found
