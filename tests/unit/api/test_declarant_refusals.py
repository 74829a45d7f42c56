"""A broker naming a declarant gets one answer for every refusal, so it cannot learn who exists or what they
are: no grant, an expired grant, a read-only grant, an unknown name, a principal that is not a trader and a
revoked trader all answer with the same status and the same bytes, over HTTP and over gRPC."""

from __future__ import annotations

import json
from datetime import timedelta

import grpc
import pytest

from singlewindow.platform.api.proto import submission_pb2 as pb
from singlewindow.platform.identity import GrantScope, Role
from singlewindow.platform.state.common import utcnow

from .conftest import Env, example

BROKER = "broker-granted"  # holds a READ grant for trader-a (conftest.py)


async def _declarants(env: Env) -> dict[str, str]:
    """One declarant name per refusal case, set up for BROKER."""
    principals = env.embedded.hub.principals
    await principals.add("trader-expired", Role.TRADER)
    await principals.grant(BROKER, "trader-expired", GrantScope.SUBMIT, utcnow() - timedelta(days=1))
    await principals.add("trader-revoked", Role.TRADER)
    await principals.grant(BROKER, "trader-revoked", GrantScope.SUBMIT)
    await principals.revoke("trader-revoked")
    await principals.add("operator-x", Role.OPERATOR)
    return {
        "no grant": "trader-b",
        "grant expired": "trader-expired",
        "read-only grant": "trader-a",
        "unknown declarant": "nobody-at-all",
        "a broker, not a trader": "broker-without",
        "an operator, not a trader": "operator-x",
        "a revoked trader": "trader-revoked",
    }


async def test_every_refusal_is_byte_identical_over_http(env: Env) -> None:
    answers = {}
    for case, declarant in (await _declarants(env)).items():
        response = await env.http.post(
            "/v1/submissions",
            json={"documentType": "consignment", "document": example("laptops"), "declarant": declarant},
            headers=env.headers(BROKER),
        )
        answers[case] = (response.status_code, response.content)
    assert len(set(answers.values())) == 1, answers
    status, body = next(iter(answers.values()))
    assert status == 403 and json.loads(body)["error"] == "access_denied"
    for declarant in ("trader-b", "nobody-at-all", BROKER):
        assert declarant.encode() not in body


async def test_every_refusal_is_identical_over_grpc(env: Env) -> None:
    answers = {}
    for case, declarant in (await _declarants(env)).items():
        request = pb.SubmitRequest(
            document_type="consignment", document_json=json.dumps(example("laptops")), declarant=declarant
        )
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await env.stub.Submit(request, metadata=env.metadata(BROKER))
        error = caught.value
        answers[case] = (error.code(), error.details(), tuple(error.trailing_metadata() or ()))
    assert len(set(answers.values())) == 1, answers
    assert next(iter(answers.values()))[0] is grpc.StatusCode.PERMISSION_DENIED


async def test_a_submit_grant_is_still_honoured(env: Env) -> None:
    """The control: the refusals above are not a broker that can never submit."""
    await env.embedded.hub.principals.grant(BROKER, "trader-b", GrantScope.SUBMIT)
    response = await env.http.post(
        "/v1/submissions",
        json={"documentType": "consignment", "document": example("laptops"), "declarant": "trader-b"},
        headers=env.headers(BROKER),
    )
    assert response.status_code == 201, response.text
