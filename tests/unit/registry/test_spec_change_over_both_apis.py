"""Issue 4's "done": a JSON spec change that would reject documents agencies already accept is refused over
REST and gRPC alike, each answer naming the JSON pointer and the rule (one implementation behind both)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from grpc_status import rpc_status

from singlewindow.registry.grpc_api import confluent_code
from singlewindow.registry.proto import registry_pb2 as pb
from singlewindow.registry.proto import registry_pb2_grpc

from .conftest import Tokens, bearer

SPEC = Path(__file__).resolve().parents[3] / "message_specs" / "documents" / "agency-decision" / "schema.json"
SUBJECT = "nsw.agency-decision.json"
Schema = dict[str, Any]


def shipped() -> Schema:
    loaded: Schema = json.loads(SPEC.read_text())
    return loaded


def add_required_field(schema: Schema) -> Schema:
    changed = copy.deepcopy(schema)
    changed["properties"]["inspectionSite"] = {"type": "string"}
    changed["required"].append("inspectionSite")
    return changed


def narrow_status_enum(schema: Schema) -> Schema:
    changed = copy.deepcopy(schema)
    changed["$defs"]["DecisionStatus"]["enum"].remove("QUERY")
    return changed


CHANGES: list[tuple[Callable[[Schema], Schema], str, str]] = [
    (add_required_field, "/required", "[required-added]"),
    (narrow_status_enum, "/$defs/DecisionStatus/enum", "[enum-narrowed]"),
]


async def load_shipped(rest: httpx.AsyncClient, tokens: Tokens) -> int:
    auth = {"Authorization": f"Bearer {tokens.operator}"}
    put = await rest.put(f"/config/{SUBJECT}", json={"compatibility": "BACKWARD_TRANSITIVE"}, headers=auth)
    assert put.status_code == 200, put.text
    first = await rest.post(
        f"/subjects/{SUBJECT}/versions", json={"schema": json.dumps(shipped()), "schemaType": "JSON"}, headers=auth
    )
    assert first.status_code == 200, first.text
    return int(first.json()["id"])


@pytest.mark.parametrize(("change", "pointer", "rule"), CHANGES)
async def test_refused_over_rest_with_pointer_and_rule(
    rest: httpx.AsyncClient, tokens: Tokens, change: Callable[[Schema], Schema], pointer: str, rule: str
) -> None:
    await load_shipped(rest, tokens)
    body = {"schema": json.dumps(change(shipped())), "schemaType": "JSON"}
    refused = await rest.post(
        f"/subjects/{SUBJECT}/versions", json=body, headers={"Authorization": f"Bearer {tokens.operator}"}
    )
    assert refused.status_code == 409
    assert set(refused.json()) == {"error_code", "message"} and refused.json()["error_code"] == 409
    assert pointer in refused.json()["message"] and rule in refused.json()["message"]
    tested = await rest.post(f"/compatibility/subjects/{SUBJECT}/versions?verbose=true", json=body)
    assert tested.json()["is_compatible"] is False
    assert any(pointer in m and rule in m for m in tested.json()["messages"])


@pytest.mark.parametrize(("change", "pointer", "rule"), CHANGES)
async def test_refused_over_grpc_with_pointer_and_rule(
    rest: httpx.AsyncClient,
    stub: registry_pb2_grpc.RegistryServiceStub,
    tokens: Tokens,
    change: Callable[[Schema], Schema],
    pointer: str,
    rule: str,
) -> None:
    schema_id = await load_shipped(rest, tokens)
    text = json.dumps(change(shipped()))
    request = pb.CreateVersionRequest(subject=SUBJECT, schema=text, schema_type=pb.JSON)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.CreateVersion(request, metadata=bearer(tokens.operator))
    assert caught.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    details = caught.value.details() or ""
    assert pointer in details and rule in details
    status = rpc_status.from_call(caught.value)  # type: ignore[arg-type]
    assert status is not None and confluent_code(status) == 409
    check = pb.CheckCompatibilityRequest(subject=SUBJECT, schema=text, schema_type=pb.JSON)
    report = await stub.CheckCompatibility(check)
    assert not report.is_compatible and any(pointer in m and rule in m for m in report.messages)
    latest = await stub.GetVersion(pb.GetVersionRequest(subject=SUBJECT))
    assert (latest.version, latest.id) == (1, schema_id)  # nothing was written


async def test_a_compatible_spec_change_is_accepted_over_grpc(
    rest: httpx.AsyncClient, stub: registry_pb2_grpc.RegistryServiceStub, tokens: Tokens
) -> None:
    await load_shipped(rest, tokens)
    widened = copy.deepcopy(shipped())
    widened["properties"]["reasons"]["maxItems"] = 99  # widened from 50: every old document stays valid
    request = pb.CreateVersionRequest(subject=SUBJECT, schema=json.dumps(widened), schema_type=pb.JSON)
    created = await stub.CreateVersion(request, metadata=bearer(tokens.operator))
    assert (created.version, created.created) == (2, True)
