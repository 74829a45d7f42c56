"""``nsw bench pipeline``'s database figures: the per-submission arithmetic, its rounding, and None where a
reading is missing or the engine is not PostgreSQL (the readings themselves run in tests/integration/bench)."""

from __future__ import annotations

from pathlib import Path

import pytest

from singlewindow.platform.bench.database_counters import KEYS, DatabaseCounters, combined, per_submission, read
from singlewindow.platform.storage import open_engine

BEFORE = DatabaseCounters(
    commits=100,
    rollbacks=4,
    rows_inserted=1_000,
    rows_updated=50,
    rows_deleted=0,
    rows_fetched=9_000,
    blocks_hit=20_000,
    blocks_read=70,
    wal_position=1_121_681_520,
)


def _after(**more: int) -> DatabaseCounters:
    return DatabaseCounters(**{name: getattr(BEFORE, name) + more.get(name, 0) for name in BEFORE.__slots__})


def test_differences_are_divided_by_the_submissions() -> None:
    after = _after(
        commits=5_400,
        rollbacks=600,
        rows_inserted=3_480,
        rows_updated=1_980,
        rows_deleted=30,
        rows_fetched=36_000,
        blocks_hit=60_000,
        blocks_read=600,
        wal_position=19_200_000,
    )
    assert per_submission(BEFORE, after, 600) == {
        "transactions": 10.0,  # commits + rollbacks
        "commits": 9.0,
        "rollbacks": 1.0,
        "rows_inserted": 5.8,
        "rows_updated": 3.3,
        "rows_deleted": 0.05,
        "rows_fetched": 60.0,
        "blocks_accessed": 101.0,  # hits + reads
        "wal_bytes": 32_000.0,
    }


def test_counts_keep_two_decimals_and_wal_whole_bytes() -> None:
    found = per_submission(BEFORE, _after(commits=10, rows_fetched=2, wal_position=100_001), 3)
    assert found["commits"] == 3.33 and found["transactions"] == 3.33 and found["rows_fetched"] == 0.67
    assert found["wal_bytes"] == 33_334.0
    assert all(isinstance(value, float) for value in found.values())


@pytest.mark.parametrize(
    ("before", "after", "submissions"),
    [(None, BEFORE, 10), (BEFORE, None, 10), (None, None, 10), (BEFORE, _after(commits=5), 0)],
)
def test_a_missing_reading_or_no_submission_gives_none_values(
    before: DatabaseCounters | None, after: DatabaseCounters | None, submissions: int
) -> None:
    assert per_submission(before, after, submissions) == dict.fromkeys(KEYS, None)


async def test_a_database_other_than_postgresql_is_not_read(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        assert await read(engine, "hub") is None
    finally:
        await engine.dispose()


def test_the_end_reading_takes_the_wal_position_of_the_earlier_one() -> None:
    at_drain, late = _after(wal_position=5_000), _after(commits=30, wal_position=90_000)
    assert combined(late, at_drain) == _after(commits=30, wal_position=5_000)
    assert combined(None, at_drain) is None and combined(late, None) is None
