"""An embedded hub with 1 s and 2 s retry tiers, for the runtime's retry and circuit-breaker tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from singlewindow.platform.settings import HubSettings, Settings
from singlewindow.platform.testing import EmbeddedHub, embedded_hub, short_retry_routing


@pytest.fixture
async def fast_hub(tmp_path: Path) -> AsyncIterator[EmbeddedHub]:
    routing = short_retry_routing(tmp_path / "routing", tiers=(1, 2))
    settings = Settings(hub=HubSettings(routing_dir=routing, deadline_scan_seconds=60))
    async with embedded_hub(tmp_path / "fast-hub.db", settings) as hub:
        yield hub
