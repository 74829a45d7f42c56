"""A registry service on a fresh SQLite file per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings
from singlewindow.registry.storage import SchemaStore, create_engine


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'registry.db'}"


@pytest.fixture
async def service(db_url: str) -> AsyncIterator[RegistryService]:
    store = SchemaStore(create_engine(db_url))
    await store.migrate()
    yield RegistryService(store, RegistrySettings(db_url=db_url))
    await store.close()
