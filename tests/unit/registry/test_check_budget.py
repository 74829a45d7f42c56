"""Issue 11, defect 2: a compatibility check is bounded (budget, size limits, memoised comparison, RE2
patterns) and runs off the event loop; running out of budget is a refusal that says so, never a pass."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from singlewindow.registry import service as service_module
from singlewindow.registry.api import create_app
from singlewindow.registry.budget import CLOCK_EVERY, BudgetExhausted, CheckBudget
from singlewindow.registry.client import JsonCodec
from singlewindow.registry.client.http import RegisteredSchema
from singlewindow.registry.compatibility import check_compatibility
from singlewindow.registry.errors import IncompatibleSchema, InvalidSchema, SchemaTooLarge
from singlewindow.registry.formats import parse_schema
from singlewindow.registry.grpc_api import build_grpc_listener
from singlewindow.registry.models import CompatibilityLevel, SchemaType
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings

JSON = SchemaType.JSON


def nested(depth: int, leaf: dict[str, Any], keyword: str = "anyOf") -> str:
    """``d<k>`` is a ``keyword`` of two ``$ref``s to ``d<k-1>``: 2^depth paths to the leaf, under 1 KB."""
    defs: dict[str, Any] = {"d0": leaf}
    for k in range(1, depth + 1):
        defs[f"d{k}"] = {keyword: [{"$ref": f"#/$defs/d{k - 1}"}, {"$ref": f"#/$defs/d{k - 1}"}]}
    return json.dumps({"$defs": defs, "$ref": f"#/$defs/d{depth}"})


def with_budget(service: RegistryService, **settings: Any) -> RegistryService:
    return RegistryService(service.store, service.settings.model_copy(update=settings))


@pytest.mark.parametrize("keyword", ["anyOf", "oneOf"])
async def test_nested_combinators_at_depth_16_are_decided_by_memoised_comparison(
    service: RegistryService, keyword: str
) -> None:
    await service.register("s", nested(16, {"type": "integer"}, keyword), JSON)
    report = await service.test_compatibility("s", nested(16, {"type": "string"}, keyword), JSON, None)
    assert not report.is_compatible
    assert any(f"{'any' if keyword == 'anyOf' else 'one'}-of-narrowed" in m for m in report.messages)
    assert not any("undecidable" in m for m in report.messages)


async def test_nested_any_of_at_depth_16_that_only_widens_is_compatible(service: RegistryService) -> None:
    await service.register("s", nested(16, {"type": "integer"}), JSON)
    wider = await service.test_compatibility("s", nested(16, {"type": "number"}), JSON, None)
    assert wider.is_compatible, wider.messages


async def test_check_out_of_steps_is_a_refusal_naming_the_limit(service: RegistryService) -> None:
    await service.register("s", nested(12, {"type": "integer"}), JSON)
    tight = with_budget(service, check_max_steps=1_000)
    # A reader of 200 distinct anyOf branches against a writer of 200: 40,000 pairs, far over 1,000 steps.
    reader = {"anyOf": [{"type": "string", "maxLength": n} for n in range(200)]}
    writer = {"anyOf": [{"type": "string", "minLength": n} for n in range(200)]}
    await tight.register("wide", json.dumps(writer), JSON)
    report = await tight.test_compatibility("wide", json.dumps(reader), JSON, None)
    assert not report.is_compatible
    assert any("undecidable within budget (steps limit)" in m for m in report.messages)
    with pytest.raises(IncompatibleSchema, match=r"undecidable within budget \(steps limit\)"):
        await tight.register("wide", json.dumps(reader), JSON)


def test_time_limit_is_reported_as_such() -> None:
    budget = CheckBudget(seconds=-1.0, max_steps=None)  # the deadline has passed already
    with pytest.raises(BudgetExhausted) as caught:
        budget.step(CLOCK_EVERY)
    assert caught.value.limit == "time"


def test_checker_refusal_keeps_the_reasons_found_before_the_budget_ran_out() -> None:
    new = parse_schema(JSON, json.dumps({"type": "string"}))
    old = parse_schema(JSON, json.dumps({"type": "integer"}))
    reasons = check_compatibility(CompatibilityLevel.FULL, new, [(1, old)], CheckBudget(None, max_steps=1))
    assert reasons[-1].startswith("undecidable within budget (steps limit)")


# ---- size limits, before any work ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[" * 100 + "]" * 100, "nests 100 levels deep"),
        (json.dumps({"type": "object", "properties": {f"p{i}": {} for i in range(2_001)}}), "2001 members"),
        (json.dumps({"allOf": [{"$ref": "#"}] * 1_001}), r"more than 1000 \$ref"),
    ],
)
def test_schema_over_a_size_limit_is_42209(service: RegistryService, text: str, fragment: str) -> None:
    with pytest.raises(SchemaTooLarge, match=fragment) as caught:
        service.parse(JSON, text)
    assert caught.value.error_code == 42209


def test_avro_record_over_the_member_limit_is_refused_before_parsing(service: RegistryService) -> None:
    fields = [{"name": f"f{i}", "type": "int"} for i in range(14_000)]
    with pytest.raises(SchemaTooLarge, match="14000 members"):
        service.parse(SchemaType.AVRO, json.dumps({"type": "record", "name": "R", "fields": fields}))


async def test_large_avro_record_check_names_every_field(service: RegistryService) -> None:
    """1,900 changed fields: every one reported (the walk no longer copies avro's growing result sets)."""

    def record(kind: str) -> str:
        return json.dumps(
            {"type": "record", "name": "R", "fields": [{"name": f"f{i}", "type": kind} for i in range(1_900)]}
        )

    await service.register("big", record("string"), SchemaType.AVRO)
    report = await service.test_compatibility("big", record("int"), SchemaType.AVRO, None)
    assert not report.is_compatible
    assert sum("type_mismatch" in m for m in report.messages) == 1_900


# ---- regexes: RE2 only -------------------------------------------------------------------------------

EVIL = "^(a+)+$"


async def test_pattern_properties_with_a_backtracking_regex_are_matched_in_linear_time(
    service: RegistryService,
) -> None:
    name = "a" * 64 + "!"  # Python's re needs ~2^64 steps to reject this name
    old = {"type": "object", "properties": {name: {"type": "integer"}}}
    new = {**old, "patternProperties": {EVIL: {"type": "string"}}}
    await service.register("p", json.dumps(old), JSON)
    report = await service.test_compatibility("p", json.dumps(new), JSON, None)
    assert not report.is_compatible  # the open writer may send other 'aaa' members as anything


async def test_enum_values_are_validated_against_patterns_in_linear_time(service: RegistryService) -> None:
    old = {"type": "string", "enum": ["a" * 64 + "!"]}
    await service.register("e", json.dumps(old), JSON)
    report = await service.test_compatibility("e", json.dumps({"type": "string", "pattern": EVIL}), JSON, None)
    assert not report.is_compatible
    assert any("is rejected by the reader" in m for m in report.messages)


@pytest.mark.parametrize(
    "schema",
    [{"type": "string", "pattern": "^(?=a)b"}, {"type": "object", "patternProperties": {"(a)\\1": {}}}],
)
def test_patterns_re2_cannot_run_are_refused_at_registration(service: RegistryService, schema: object) -> None:
    with pytest.raises(InvalidSchema, match="linear-time engine"):
        service.parse(JSON, json.dumps(schema))


# ---- responsiveness: the check runs off the event loop ------------------------------------------------


async def test_health_and_reads_answer_while_a_check_runs(
    service: RegistryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check blocks until the test has had answers from gRPC health and REST; if the check ran on the
    event loop those could not answer, the wait would time out and the check would report it."""
    await service.register("s", json.dumps({"type": "string"}), JSON)
    release = threading.Event()

    def blocking_check(*args: object) -> list[str]:
        return [] if release.wait(timeout=20) else ["the event loop was blocked during the check"]

    monkeypatch.setattr(service_module, "check_compatibility", blocking_check)
    listener = build_grpc_listener(service, "127.0.0.1", 0)
    await listener.start()
    transport = httpx.ASGITransport(app=create_app(service, service.settings))
    try:
        check = asyncio.create_task(
            service.test_compatibility("s", json.dumps({"type": "string", "title": "t"}), JSON, None)
        )
        async with grpc.aio.insecure_channel(f"127.0.0.1:{listener.port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)  # type: ignore[no-untyped-call]
            answer = await health.Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as rest:
            subjects = (await rest.get("/subjects")).json()
        assert answer.status == health_pb2.HealthCheckResponse.SERVING
        assert subjects == ["s"]
        assert not check.done()
        release.set()
        report = await check
        assert report.is_compatible, report.messages
    finally:
        release.set()
        await listener.stop(0)


def test_budget_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="check_seconds"):
        RegistrySettings(check_seconds=0)
    with pytest.raises(ValueError, match="check_max_steps"):
        RegistrySettings(check_max_steps=10)


class _OneSchema:
    """Enough of RegistryClient for JsonCodec: one JSON schema under id 1."""

    def __init__(self, schema: object) -> None:
        self.schema = json.dumps(schema)

    async def get_schema(self, schema_id: int) -> RegisteredSchema:
        return RegisteredSchema(schema_id, JSON, self.schema)


async def test_json_codec_validates_documents_with_re2() -> None:
    """A trader's document against a backtracking pattern: a linear-time answer, not a stalled hub."""
    schema = {"type": "object", "properties": {"ref": {"type": "string", "pattern": EVIL}}}
    codec = JsonCodec(_OneSchema(schema))  # type: ignore[arg-type]
    problems = await codec.problems(1, {"ref": "a" * 64 + "!"})
    assert problems == [("/ref", f"'{'a' * 64}!' does not match '{EVIL}'")]
    assert await codec.problems(1, {"ref": "aaa"}) == []
