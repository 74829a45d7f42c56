"""The registry: writes by role (REST and gRPC) as a table, and the registry's hostile corpus (anyOf/$ref
compatibility bombs, catastrophic patternProperties, a 14,000-field Avro record, NUL and lone surrogates
in subjects and schemas, deep JSON): every case a 4xx or an accepted write, never a 5xx/50001 or a hang."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import grpc
import pytest
from nswhostile import values
from nswhostile.checks import Checker
from nswhostile.served import Served

from singlewindow.registry.proto import registry_pb2 as pb
from singlewindow.registry.proto import registry_pb2_grpc

SCHEMA = json.dumps({"type": "record", "name": "Seal", "fields": [{"name": "number", "type": "string"}]})

# who -> subject -> allowed to register
WRITES: dict[str, dict[str, bool]] = {
    "operator": {"agency.veterinary.seal": True, "agency.customs.seal": True, "nsw.hostile-any.avro": True},
    "vet-agency": {
        "agency.veterinary.seal": True,
        "nsw.view-veterinary.hostile": True,
        "agency.customs.seal": False,
        "nsw.hostile-any.avro": False,
    },
    "customs-agency": {"agency.customs.seal": True, "agency.veterinary.seal2": False},
    "trader-a": {"agency.trader.seal": False, "nsw.hostile-any.avro": False},
    "broker-submit": {"nsw.hostile-any.avro": False},
    "vet-officer": {"agency.veterinary.seal3": False},
    "nobody": {"agency.veterinary.seal4": False},
}
CASES = [(who, subject, allowed) for who, row in WRITES.items() for subject, allowed in row.items()]


def auth(registry: Served, who: str) -> dict[str, str]:
    return {} if who == "nobody" else registry.auth(who)


@pytest.mark.parametrize(("who", "subject", "allowed"), CASES)
def test_registry_writes_by_role_rest(
    who: str, subject: str, allowed: bool, registry: Served, registry_checker: Checker
) -> None:
    outcome = registry_checker.http(
        "POST",
        f"/subjects/{subject}/versions",
        f"register {subject} as {who}",
        json={"schema": SCHEMA},
        headers=auth(registry, who),
    )
    assert outcome.ok, outcome.explain()
    if allowed:
        assert outcome.status == 200, outcome.explain()
    else:
        assert outcome.status == (401 if who == "nobody" else 403), outcome.explain()


def test_only_the_operator_changes_modes_and_global_config(registry: Served, registry_checker: Checker) -> None:
    for who in ("vet-agency", "trader-a", "nobody"):
        for method, path, body in (
            ("PUT", "/mode", {"mode": "READONLY"}),
            ("PUT", "/config", {"compatibility": "NONE"}),
            ("PUT", "/mode/agency.veterinary.seal", {"mode": "READONLY"}),
        ):
            outcome = registry_checker.http(
                method, path, f"{method} {path} as {who}", json=body, headers=auth(registry, who)
            )
            assert outcome.ok and outcome.status in (401, 403), outcome.explain()


@pytest.fixture(scope="module")
def registry_stub(registry: Served) -> Iterator[Any]:
    with grpc.insecure_channel(registry.registry_grpc) as channel:
        yield registry_pb2_grpc.RegistryServiceStub(channel)  # type: ignore[no-untyped-call]


@pytest.mark.parametrize(("who", "subject", "allowed"), CASES)
def test_registry_writes_by_role_grpc(
    who: str, subject: str, allowed: bool, registry: Served, registry_stub: Any
) -> None:
    meta = tuple(auth(registry, who).items())
    request = pb.CreateVersionRequest(subject=subject + ".grpc", schema=SCHEMA)
    try:
        registry_stub.CreateVersion(request, metadata=meta, timeout=30)
        code = grpc.StatusCode.OK
    except grpc.RpcError as error:
        code = error.code()
    expected = (
        grpc.StatusCode.OK
        if allowed
        else (grpc.StatusCode.UNAUTHENTICATED if who == "nobody" else grpc.StatusCode.PERMISSION_DENIED)
    )
    assert code == expected, (who, subject, code)


# --- hostile schemas and names -----------------------------------------------------------------------------
def _any_of_bomb(depth: int = 12) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for level in range(depth):
        schema = {"anyOf": [schema, {"$ref": f"#/$defs/d{level}"}, {"allOf": [schema, schema]}]}
    schema["$defs"] = {f"d{level}": {"anyOf": [{"type": "integer"}, {"type": "string"}]} for level in range(depth)}
    return schema


HOSTILE_SCHEMAS: dict[str, tuple[str, str]] = {
    "anyof-ref-bomb": ("JSON", json.dumps(_any_of_bomb())),
    "anyof-ref-bomb-v2": ("JSON", json.dumps({**_any_of_bomb(13), "title": "v2"})),
    "catastrophic-pattern-properties": (
        "JSON",
        json.dumps({"type": "object", "patternProperties": {"^(a+)+$": {"type": "string"}, "(x+x+)+y": {}}}),
    ),
    "catastrophic-pattern": ("JSON", json.dumps({"type": "string", "pattern": "^(a|aa)+$"})),
    "backreference-pattern": ("JSON", json.dumps({"type": "string", "pattern": "^(a+)\\1$"})),
    "avro-14000-fields": (
        "AVRO",
        json.dumps(
            {"type": "record", "name": "Wide", "fields": [{"name": f"f{i}", "type": "int"} for i in range(14_000)]}
        ),
    ),
    "avro-deep-nesting": ("AVRO", '{"type": "array", "items": ' * 600 + '"int"' + "}" * 600),
    "json-deep-nesting": ("JSON", '{"items": ' * 1_500 + "{}" + "}" * 1_500),
    "nul-in-schema": ("AVRO", json.dumps({"type": "record", "name": "N\u0000ul", "fields": []})),
    "lone-surrogate-in-schema": ("JSON", '{"title": "\\ud800", "type": "string"}'),
    "huge-int-in-schema": ("JSON", '{"type": "integer", "maximum": ' + "9" * 4_301 + "}"),
    "nan-in-schema": ("JSON", '{"type": "number", "maximum": NaN}'),
    "protobuf-garbage": ("PROTOBUF", "syntax = 'proto3'; message { { {"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_SCHEMAS))
@pytest.mark.parametrize("route", ["register", "compatibility", "lookup"])
def test_hostile_schemas(case: str, route: str, registry: Served, registry_checker: Checker) -> None:
    schema_type, text = HOSTILE_SCHEMAS[case]
    subject = f"agency.veterinary.hostile-{case}"
    path = {
        "register": f"/subjects/{subject}/versions",
        "compatibility": f"/compatibility/subjects/{subject}/versions/latest",
        "lookup": f"/subjects/{subject}",
    }[route]
    body = {"schema": text, "schemaType": schema_type}
    outcome = registry_checker.http("POST", path, f"{route} {case}", json=body, headers=registry.auth("operator"))
    assert outcome.ok, outcome.explain()
    if case.endswith("-v2") and route == "register":
        return
    if route == "register" and case.startswith("anyof-ref-bomb"):
        # Register the bomb twice so the second version's compatibility check has to compare two bombs.
        again = registry_checker.http(
            "POST",
            path,
            f"{route} {case} again",
            json={**body, "schema": HOSTILE_SCHEMAS["anyof-ref-bomb-v2"][1]},
            headers=registry.auth("operator"),
        )
        assert again.ok, again.explain()


@pytest.mark.parametrize("value_name", sorted(values.TEXT))
def test_hostile_subject_names(value_name: str, registry: Served, registry_checker: Checker) -> None:
    subject = quote(values.TEXT[value_name][:5_000].encode("utf-8", "surrogatepass"), safe="")
    for method, path, body in (
        ("POST", f"/subjects/{subject}/versions", {"schema": SCHEMA}),
        ("GET", f"/subjects/{subject}/versions/latest", None),
        ("GET", f"/subjects/{subject}/versions/{subject}", None),
        ("GET", f"/schemas/ids/{subject}", None),
        ("GET", f"/subjects?subjectPrefix={subject}&offset={subject}&limit={subject}", None),
        ("PUT", f"/config/{subject}", {"compatibility": values.TEXT[value_name][:100]}),
        ("DELETE", f"/subjects/{subject}?permanent={subject}", None),
    ):
        # Bodies as bytes (values.dumps escapes lone surrogates): httpx's json= cannot encode one in UTF-8
        # and would fail in the client before anything reached the registry.
        content = values.dumps(body) if body is not None else None
        headers = {**registry.auth("operator"), "Content-Type": "application/json"}
        outcome = registry_checker.http(
            method, path, f"{method} {path[:60]} [{value_name}]", content=content, headers=headers
        )
        assert outcome.ok, outcome.explain()
        if value_name in {"nul", "lone-surrogate"}:
            assert outcome.status is not None and 400 <= outcome.status < 500, outcome.explain()


@pytest.mark.parametrize("raw", sorted(values.RAW_BODIES))
@pytest.mark.parametrize(
    "path",
    [
        "/subjects/agency.veterinary.raw/versions",
        "/subjects/agency.veterinary.raw",
        "/compatibility/subjects/agency.veterinary.raw/versions",
        "/config",
        "/mode",
    ],
)
def test_raw_bodies(path: str, raw: str, registry: Served, registry_checker: Checker) -> None:
    method = "PUT" if path in ("/config", "/mode") else "POST"
    outcome = registry_checker.http(
        method,
        path,
        f"{path} body={raw}",
        content=values.RAW_BODIES[raw],
        headers={"content-type": "application/json", **registry.auth("operator")},
    )
    assert outcome.ok, outcome.explain()
    assert outcome.status is not None and 400 <= outcome.status < 500, outcome.explain()


@pytest.mark.parametrize("path", ["/subjects", "/subjects/x/versions", "/config", "/schemas/ids/1"])
def test_registry_options_answers_allow(path: str, registry_checker: Checker) -> None:
    outcome = registry_checker.http("OPTIONS", path, f"OPTIONS {path}")
    assert outcome.ok, outcome.explain()
    assert outcome.response.headers.get("allow"), f"{path}: no Allow header ({outcome.status})"
