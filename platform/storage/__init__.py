"""The hub's state store: SQLAlchemy Core tables, async engines, migrations."""

from singlewindow.platform.storage.engine import open_engine
from singlewindow.platform.storage.migrate import upgrade
from singlewindow.platform.storage.tables import metadata

__all__ = ["metadata", "open_engine", "upgrade"]
