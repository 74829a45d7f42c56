"""The service on SQLite: identity, versions, deletes, config, mode, atomicity and restarts."""

from __future__ import annotations

import json

import pytest

from singlewindow.registry import errors
from singlewindow.registry.models import CompatibilityLevel, Mode, SchemaType
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings
from singlewindow.registry.storage import SchemaStore, create_engine
from singlewindow.registry.versions import LATEST

AVRO = SchemaType.AVRO


def schema(*extra: str) -> str:
    fields = [{"name": "ucr", "type": "string"}]
    fields += [{"name": name, "type": ["null", "string"], "default": None} for name in extra]
    return json.dumps({"type": "record", "name": "Doc", "fields": fields})


async def test_same_schema_twice_same_id_and_version(service: RegistryService) -> None:
    first = await service.register("s", schema(), AVRO)
    again = await service.register("s", json.dumps(json.loads(schema()), indent=3), AVRO)
    assert (first.id, first.version, first.created) == (1, 1, True)
    assert (again.id, again.version, again.created) == (1, 1, False)


async def test_same_schema_under_two_subjects_one_id(service: RegistryService) -> None:
    one = await service.register("a", schema(), AVRO)
    two = await service.register("b", schema(), AVRO)
    assert one.id == two.id
    assert two.version == 1
    assert await service.schema_usages(one.id) == [("a", 1), ("b", 1)]


async def test_versions_and_latest(service: RegistryService) -> None:
    await service.register("s", schema(), AVRO)
    second = await service.register("s", schema("note"), AVRO)
    assert second.version == 2
    assert second.id == 2
    latest = await service.get_version("s", LATEST)
    assert (latest.version, latest.schema.id) == (2, 2)
    assert await service.versions("s") == [1, 2]


async def test_incompatible_registration_writes_nothing(service: RegistryService) -> None:
    await service.register("s", schema(), AVRO)
    bad = json.dumps({"type": "record", "name": "Doc", "fields": [{"name": "ucr", "type": "int"}]})
    with pytest.raises(errors.IncompatibleSchema) as caught:
        await service.register("s", bad, AVRO)
    assert caught.value.error_code == 409
    assert "field 'ucr'" in caught.value.message
    assert await service.versions("s") == [1]
    with pytest.raises(errors.SchemaNotFound):
        await service.lookup("s", bad, AVRO)
    # the id space did not move either: the next new schema gets id 2
    assert (await service.register("s", schema("x"), AVRO)).id == 2


async def test_lookup_errors(service: RegistryService) -> None:
    with pytest.raises(errors.SubjectNotFound):
        await service.lookup("nope", schema(), AVRO)
    await service.register("s", schema(), AVRO)
    with pytest.raises(errors.SchemaNotFound):
        await service.lookup("s", schema("other"), AVRO)
    found = await service.lookup("s", schema(), AVRO)
    assert (found.subject, found.version, found.schema.id) == ("s", 1, 1)


async def test_soft_then_permanent_delete_rules(service: RegistryService) -> None:
    await service.register("s", schema(), AVRO)
    await service.register("s", schema("note"), AVRO)
    with pytest.raises(errors.VersionNotSoftDeleted):
        await service.delete_version("s", 1, permanent=True)
    assert await service.delete_version("s", 1, permanent=False) == 1
    with pytest.raises(errors.VersionSoftDeleted):
        await service.delete_version("s", 1, permanent=False)
    assert await service.versions("s") == [2]
    assert await service.versions("s", deleted=True) == [1, 2]
    assert await service.versions("s", deleted_only=True) == [1]
    # soft-deleted ids stay resolvable, so old messages still decode
    assert (await service.get_schema(1)).id == 1
    with pytest.raises(errors.VersionNotFound):
        await service.get_version("s", 1)
    assert (await service.get_version("s", 1, deleted=True)).deleted
    assert await service.delete_version("s", 1, permanent=True) == 1
    with pytest.raises(errors.SubjectNotSoftDeleted):
        await service.delete_subject("s", permanent=True)
    assert await service.delete_subject("s", permanent=False) == [2]
    with pytest.raises(errors.SubjectSoftDeleted):
        await service.delete_subject("s", permanent=False)
    assert await service.subjects() == []
    assert await service.subjects(deleted=True) == ["s"]
    with pytest.raises(errors.SubjectNotFound):
        await service.versions("s")
    assert await service.delete_subject("s", permanent=True) == [2]
    with pytest.raises(errors.SubjectNotFound):
        await service.delete_subject("s", permanent=False)
    with pytest.raises(errors.SchemaNotFound):
        await service.get_schema(1)


async def test_ids_and_versions_never_reused_after_permanent_delete(service: RegistryService) -> None:
    first = await service.register("s", schema(), AVRO)
    await service.delete_subject("s", permanent=False)
    await service.delete_subject("s", permanent=True)
    other = await service.register("s", schema("other"), AVRO)
    assert other.id != first.id
    assert other.version == 2
    back = await service.register("s", schema(), AVRO)
    assert back.id == first.id  # same content, same id: never a different schema under one id
    assert back.version == 3


async def test_soft_deleted_schema_reregistered_gets_new_version_old_id(service: RegistryService) -> None:
    first = await service.register("s", schema(), AVRO)
    await service.delete_version("s", 1, permanent=False)
    again = await service.register("s", schema(), AVRO)
    assert (again.id, again.version) == (first.id, 2)


async def test_all_versions_soft_deleted_next_registration_unchecked(service: RegistryService) -> None:
    await service.register("s", schema(), AVRO)
    await service.delete_subject("s", permanent=False)
    breaking = json.dumps({"type": "record", "name": "Doc", "fields": [{"name": "n", "type": "int"}]})
    assert (await service.register("s", breaking, AVRO)).version == 2


async def test_config_global_and_subject(service: RegistryService) -> None:
    assert await service.get_config(None) is CompatibilityLevel.BACKWARD
    with pytest.raises(errors.SubjectConfigNotFound):
        await service.get_config("s")
    assert await service.get_config("s", default_to_global=True) is CompatibilityLevel.BACKWARD
    await service.set_config(None, CompatibilityLevel.FULL)
    await service.set_config("s", CompatibilityLevel.NONE)
    assert await service.get_config("s") is CompatibilityLevel.NONE
    await service.register("s", schema(), AVRO)
    breaking = json.dumps({"type": "record", "name": "Doc", "fields": [{"name": "n", "type": "int"}]})
    assert (await service.register("s", breaking, AVRO)).version == 2  # NONE on the subject wins
    assert await service.delete_config("s") is CompatibilityLevel.NONE
    with pytest.raises(errors.SubjectNotFound):
        await service.delete_config("s")
    assert await service.delete_config(None) is CompatibilityLevel.FULL
    assert await service.get_config(None) is CompatibilityLevel.BACKWARD


async def test_soft_deleting_a_subject_drops_its_config(service: RegistryService) -> None:
    await service.register("s", schema(), AVRO)
    await service.set_config("s", CompatibilityLevel.FULL)
    await service.delete_subject("s", permanent=False)
    with pytest.raises(errors.SubjectConfigNotFound):
        await service.get_config("s")


async def test_readonly_mode_refuses_writes(service: RegistryService) -> None:
    await service.register("s", schema(), AVRO)
    await service.set_mode(None, Mode.READONLY)
    with pytest.raises(errors.OperationNotPermitted) as caught:
        await service.register("s", schema("x"), AVRO)
    assert caught.value.error_code == 42205
    with pytest.raises(errors.OperationNotPermitted):
        await service.delete_subject("s", permanent=False)
    await service.set_mode("s", Mode.READWRITE)  # the subject's own mode wins
    assert (await service.register("s", schema("x"), AVRO)).version == 2
    with pytest.raises(errors.OperationNotPermitted):
        await service.register("other", schema(), AVRO)
    assert await service.get_mode(None) is Mode.READONLY
    with pytest.raises(errors.SubjectModeNotFound):
        await service.get_mode("other")
    assert await service.delete_mode(None) is Mode.READONLY
    assert await service.get_mode(None) is Mode.READWRITE


async def test_compatibility_test_against_one_version_and_all(service: RegistryService) -> None:
    await service.set_config("s", CompatibilityLevel.BACKWARD_TRANSITIVE)
    v1 = json.dumps({"type": "record", "name": "Doc", "fields": [{"name": "a", "type": "int"}]})
    v2 = json.dumps(
        {
            "type": "record",
            "name": "Doc",
            "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "int", "default": 0}],
        }
    )
    await service.register("s", v1, AVRO)
    await service.register("s", v2, AVRO)
    candidate = json.dumps({"type": "record", "name": "Doc", "fields": [{"name": "b", "type": "int"}]})
    assert (await service.test_compatibility("s", candidate, AVRO, 2)).is_compatible
    against_all = await service.test_compatibility("s", candidate, AVRO, None)
    assert not against_all.is_compatible
    assert any("version 1" in m and "field 'b'" in m for m in against_all.messages)
    with pytest.raises(errors.VersionNotFound):
        await service.test_compatibility("s", candidate, AVRO, 7)
    with pytest.raises(errors.SubjectNotFound):
        await service.test_compatibility("nope", candidate, AVRO, LATEST)
    assert (await service.test_compatibility("nope", candidate, AVRO, None)).is_compatible


async def test_json_subject_change_refused_until_checker_exists(service: RegistryService) -> None:
    from singlewindow.registry.compatibility import _json_checker

    await service.register("j", '{"type": "object"}', SchemaType.JSON)
    assert (await service.register("j", '{"type":"object"}', SchemaType.JSON)).created is False
    if _json_checker() is None:
        with pytest.raises(errors.IncompatibleSchema, match="JSON Schema compatibility checking is not available"):
            await service.register("j", '{"type": "object", "required": ["a"]}', SchemaType.JSON)
    await service.set_config("j", CompatibilityLevel.NONE)
    assert (await service.register("j", '{"type": "object", "required": ["a"]}', SchemaType.JSON)).version == 2


async def test_bad_input(service: RegistryService) -> None:
    with pytest.raises(errors.InvalidSchema):
        await service.register("s", "{oops", AVRO)
    with pytest.raises(errors.InvalidSubject):
        await service.register("", schema(), AVRO)
    small = RegistryService(service.store, RegistrySettings(max_schema_bytes=256))
    with pytest.raises(errors.SchemaTooLarge):
        await small.register("s", schema(*[f"field{i}" for i in range(20)]), AVRO)
    assert await service.subjects() == []


async def test_survives_restart(db_url: str) -> None:
    store = SchemaStore(create_engine(db_url))
    await store.migrate()
    first = await RegistryService(store, RegistrySettings()).register("s", schema(), AVRO)
    await store.close()
    reopened = SchemaStore(create_engine(db_url))
    assert await reopened.migrate() == []  # already applied
    service = RegistryService(reopened, RegistrySettings())
    assert (await service.get_schema(first.id)).schema_type is AVRO
    assert (await service.register("s", schema("x"), AVRO)).version == 2
    await reopened.close()


async def test_in_memory_sqlite_keeps_one_database() -> None:
    store = SchemaStore(create_engine("sqlite://"))
    await store.migrate()
    service = RegistryService(store, RegistrySettings())
    first = await service.register("s", schema(), AVRO)
    assert (await service.get_schema(first.id)).id == first.id
    await store.close()


async def test_failure_mid_registration_leaves_nothing_behind(
    service: RegistryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    from singlewindow.registry.formats import parse_schema
    from singlewindow.registry.storage.store import StoreTransaction

    async def broken_add_version(self: StoreTransaction, subject: str, schema_id: int) -> int:
        raise RuntimeError("disk on fire after the schema row was written")

    monkeypatch.setattr(StoreTransaction, "add_version", broken_add_version)
    with pytest.raises(RuntimeError):
        await service.register("s", schema(), AVRO)
    monkeypatch.undo()
    async with service.store.transaction() as tx:
        assert await tx.schema_by_fingerprint(parse_schema(AVRO, schema()).fingerprint) is None
    assert await service.subjects(deleted=True) == []
    assert (await service.register("s", schema(), AVRO)).id == 1
