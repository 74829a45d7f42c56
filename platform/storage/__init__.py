"""The hub's state store: SQLAlchemy Core tables, async engines, migrations."""

from singlewindow.platform.storage.engine import one_statement, open_engine
from singlewindow.platform.storage.migrate import upgrade, warn_if_autovacuum_off
from singlewindow.platform.storage.tables import metadata

__all__ = ["metadata", "one_statement", "open_engine", "upgrade", "warn_if_autovacuum_off"]
