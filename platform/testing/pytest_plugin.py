"""pytest fixtures for adapter authors, loaded through the ``pytest11`` entry point (nameko's model).

* ``embedded_hub``: a started hub on the in-memory broker and SQLite in ``tmp_path``;
* ``adapter_harness``: a factory ``await adapter_harness(MyAdapter(), config={...})`` returning a started
  ``AdapterHarness`` on that hub, stopped at teardown.

The hub's modules are imported inside the fixtures, so merely having the package installed costs a pytest
run nothing and a broken hub import cannot break unrelated test suites.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest_asyncio

if TYPE_CHECKING:
    from singlewindow.adapters import Adapter
    from singlewindow.platform.testing.embedded import EmbeddedHub
    from singlewindow.platform.testing.harness import AdapterHarness

HarnessFactory = Callable[..., Awaitable["AdapterHarness"]]


@pytest_asyncio.fixture
async def embedded_hub(tmp_path: Path) -> AsyncIterator[EmbeddedHub]:
    from singlewindow.platform.testing.embedded import embedded_hub as start_embedded_hub

    async with start_embedded_hub(tmp_path / "hub.db") as hub:
        yield hub


@pytest_asyncio.fixture
async def adapter_harness(embedded_hub: EmbeddedHub, tmp_path: Path) -> AsyncIterator[HarnessFactory]:
    from singlewindow.platform.testing.harness import adapter_harness as start_harness

    async with AsyncExitStack() as stack:
        count = 0

        async def start(adapter: Adapter[Any], **options: Any) -> AdapterHarness:
            nonlocal count
            count += 1
            options.setdefault("store_url", f"sqlite+aiosqlite:///{tmp_path / f'adapter-{count}.db'}")
            return await stack.enter_async_context(start_harness(embedded_hub, adapter, **options))

        yield start
