"""The registry's public names are pinned: the hub, the CLI and issue 4's gRPC service build on them."""

from __future__ import annotations

import inspect

from singlewindow.registry import api, client, storage
from singlewindow.registry.service import RegistryService


def test_package_exports() -> None:
    assert sorted(client.__all__) == sorted(
        ["MAGIC_BYTE", "AvroCodec", "JsonCodec", "RegisteredSchema", "RegistryClient", "frame", "unframe"]
    )
    assert sorted(api.__all__) == ["MEDIA_TYPE", "create_app"]
    assert sorted(storage.__all__) == ["SchemaStore", "StoreTransaction", "WriteConflict", "create_engine"]


def test_service_operations_one_implementation_for_every_transport() -> None:
    operations = {
        name
        for name, member in inspect.getmembers(RegistryService, inspect.iscoroutinefunction)
        if not name.startswith("_")
    }
    assert operations == {
        "register", "lookup", "get_version", "get_schema", "schema_usages", "subjects", "versions",
        "all_versions", "test_compatibility", "delete_subject", "delete_version", "get_config", "set_config",
        "delete_config", "get_mode", "set_mode", "delete_mode",
    }  # fmt: skip
    writes = ("register", "delete_subject", "delete_version", "set_config", "delete_config", "set_mode", "delete_mode")
    for name in writes:  # every write takes the caller's credentials for the guard (issue 4)
        assert "credentials" in inspect.signature(getattr(RegistryService, name)).parameters, name
