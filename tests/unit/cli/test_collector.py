"""The garbage collector settings every long-running ``nsw`` process starts with."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from singlewindow.platform import collector
from singlewindow.platform.cli.runtime import run


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restored_collector")
def test_commands_run_with_rare_collections() -> None:
    async def thresholds() -> tuple[int, int, int]:
        return gc.get_threshold()

    assert run(thresholds()) == collector.THRESHOLDS
    assert collector.THRESHOLDS[0] > 700  # CPython's default young threshold


@pytest.mark.usefixtures("restored_collector")
def test_what_startup_built_leaves_the_collectors_sight() -> None:
    built_at_startup = [{"schema": index} for index in range(1_000)]
    collector.freeze_startup()
    assert gc.get_freeze_count() >= len(built_at_startup)
    assert all(tracked is not built_at_startup for tracked in gc.get_objects(generation=2))
