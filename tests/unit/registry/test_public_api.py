"""The registry's public names are pinned: the hub, the CLI and the gRPC service build on them."""

from __future__ import annotations

import inspect

from singlewindow.registry import api, client, grpc_api, storage
from singlewindow.registry.proto import registry_pb2
from singlewindow.registry.service import RegistryService


def test_package_exports() -> None:
    assert sorted(client.__all__) == sorted(
        ["MAGIC_BYTE", "AvroCodec", "JsonCodec", "RegisteredSchema", "RegistryClient", "frame", "unframe"]
    )
    assert sorted(api.__all__) == ["MEDIA_TYPE", "create_app"]
    assert sorted(storage.__all__) == ["SchemaStore", "StoreTransaction", "WriteConflict", "create_engine"]
    assert sorted(grpc_api.__all__) == sorted(
        [
            "SERVICE_NAME", "TABLE", "GrpcListener", "RegistryServicer", "build_grpc_listener", "code_of",
            "confluent_code", "error_status", "server_credentials",
        ]
    )  # fmt: skip


def test_grpc_servicer_has_every_rpc_and_nothing_else() -> None:
    """The servicer implements each RPC of the proto: none missing, none invented."""
    rpcs = {m.name for m in registry_pb2.DESCRIPTOR.services_by_name["RegistryService"].methods}
    implemented = {name for name in vars(grpc_api.RegistryServicer) if name[:1].isupper()}
    assert implemented == rpcs


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
