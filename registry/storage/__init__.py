"""Registry storage: SQLAlchemy Core tables, migrations and the transactional store."""

from singlewindow.registry.storage.engine import create_engine
from singlewindow.registry.storage.store import SchemaStore, StoreTransaction, WriteConflict

__all__ = ["SchemaStore", "StoreTransaction", "WriteConflict", "create_engine"]
