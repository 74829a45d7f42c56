"""The REST surface's lenient parsing and exact error shapes, driven with plain httpx."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from .conftest import RunningRegistry, start_registry

pytestmark = pytest.mark.integration

V1 = json.dumps({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]})
CT = {"Content-Type": "application/vnd.schemaregistry.v1+json"}


@pytest.fixture
def http(registry: RunningRegistry) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=registry.url, headers={**CT, **registry.operator_auth}) as client:
        yield client


def assert_error(response: httpx.Response, status: int, code: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error_code", "message"}
    assert body["error_code"] == code
    assert response.headers["content-type"].startswith("application/vnd.schemaregistry.v1+json")
    return str(body["message"])


def test_register_with_unknown_fields_and_v1_media_type(http: httpx.Client) -> None:
    body = {"schema": V1, "schemaType": "AVRO", "references": [], "metadata": {"properties": {}}, "ruleSet": None}
    response = http.post("/subjects/a/versions", json=body)
    assert response.status_code == 200
    assert response.json()["id"] == 1
    assert response.headers["content-type"].startswith("application/vnd.schemaregistry.v1+json")
    # schemaType omitted means AVRO; the version answer omits it too, as Confluent does
    version = http.get("/subjects/a/versions/latest").json()
    assert json.loads(version.pop("schema")) == json.loads(V1)
    assert version == {"subject": "a", "version": 1, "id": 1}
    assert http.get("/subjects/a/versions/-1/schema").json() == json.loads(V1)


def test_booleans_trailing_slashes_and_percent_encoded_slash(http: httpx.Client) -> None:
    assert http.post("/subjects/x%2Fy/versions/", json={"schema": V1}).status_code == 200
    assert http.get("/subjects/").json() == ["x/y"]
    assert http.get("/subjects/x%2Fy/versions?deleted=False").json() == [1]
    assert http.post("/subjects/x%2Fy?normalize=False&deleted=True", json={"schema": V1}).json()["version"] == 1
    assert http.delete("/subjects/x%2Fy/versions/1?permanent=false").json() == 1
    assert http.get("/subjects/x%2Fy/versions?deleted=True").json() == [1]
    assert http.get("/subjects/x%2Fy/versions?deletedOnly=true").json() == [1]
    assert http.get("/subjects?deleted=TRUE").json() == ["x/y"]
    assert http.put("/config/", json={"compatibility": "full"}).json() == {"compatibility": "FULL"}
    assert http.get("/config/").json() == {"compatibilityLevel": "FULL"}
    assert http.get("/config/x%2Fy?defaultToGlobal=True").json() == {"compatibilityLevel": "FULL"}
    assert_error(http.get("/subjects?deleted=maybe"), 400, 400)


def test_error_shapes(http: httpx.Client) -> None:
    assert_error(http.get("/subjects/none/versions"), 404, 40401)
    assert_error(http.get("/schemas/ids/77"), 404, 40403)
    assert_error(http.get("/schemas/ids/abc"), 404, 40403)
    assert_error(http.get("/subjects/none/versions/abc"), 422, 42202)
    assert_error(http.get("/config/none"), 404, 40408)
    assert_error(http.get("/mode/none"), 404, 40409)
    assert_error(http.put("/mode", json={"mode": "SIDEWAYS"}), 422, 42204)
    assert_error(http.post("/subjects/s/versions", json={"schema": V1, "schemaType": "XML"}), 422, 42201)
    assert_error(http.post("/subjects/s/versions", json={"schemaType": "AVRO"}), 422, 42201)
    message = assert_error(
        http.post(
            "/subjects/s/versions", json={"schema": V1, "references": [{"name": "x", "subject": "y", "version": 1}]}
        ),
        422,
        42201,
    )
    assert "references" in message
    message = assert_error(http.post("/subjects/s/versions", json={"schema": '{"type": "recrd"}'}), 422, 42201)
    assert "recrd" in message  # the parser's own reason
    assert_error(http.post("/subjects/s/versions", content=b"{not json", headers=CT), 400, 400)
    assert_error(http.post("/subjects/s/versions", content=b"[1]", headers=CT), 400, 400)
    assert_error(http.get("/no/such/route"), 404, 404)
    assert_error(http.patch("/subjects"), 405, 405)


def test_incompatible_is_409_and_verbose_compatibility_names_the_field(http: httpx.Client) -> None:
    http.post("/subjects/s/versions", json={"schema": V1})
    breaking = json.dumps(
        {"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "string"}]}
    )
    message = assert_error(http.post("/subjects/s/versions", json={"schema": breaking}), 409, 409)
    assert "field 'b'" in message
    verdict = http.post("/compatibility/subjects/s/versions/latest?verbose=True", json={"schema": breaking}).json()
    assert verdict["is_compatible"] is False
    assert any("field 'b'" in m for m in verdict["messages"])
    assert http.post("/compatibility/subjects/s/versions", json={"schema": breaking}).json() == {"is_compatible": False}
    assert_error(http.post("/compatibility/subjects/nope/versions/latest", json={"schema": V1}), 404, 40401)
    assert_error(http.post("/compatibility/subjects/s/versions/9", json={"schema": V1}), 404, 40402)


def test_body_size_limit(tmp_path: object) -> None:
    running = start_registry(f"sqlite:///{tmp_path}/limit.db", max_body_bytes=2048)
    try:
        with httpx.Client(base_url=running.url) as http:
            huge = {"schema": json.dumps({"type": "record", "name": "R", "doc": "x" * 5000, "fields": []})}
            message = assert_error(http.post("/subjects/s/versions", json=huge), 413, 413)
            assert "2048" in message

            def chunks() -> Iterator[bytes]:  # no Content-Length: the limit applies while streaming
                yield b'{"schema": "'
                yield b"x" * 4096
                yield b'"}'

            assert_error(http.post("/subjects/s/versions", content=chunks()), 413, 413)
            assert http.get("/subjects").json() == []
    finally:
        running.stop()


def test_misc_endpoints(http: httpx.Client) -> None:
    assert http.get("/").json() == {}
    assert http.get("/schemas/types").json() == ["AVRO", "JSON"]
    assert http.get("/contexts").json() == ["."]
    http.post("/subjects/s/versions", json={"schema": V1})
    assert http.get("/subjects/s/versions/1/referencedby").json() == []
    assert http.get("/schemas/ids/1/schema").json() == json.loads(V1)
    assert http.get("/schemas/ids/1/versions?subject=s").json() == [{"subject": "s", "version": 1}]
    assert http.get("/subjects?offset=0&limit=1").json() == ["s"]
    v2 = {
        "type": "record",
        "name": "R",
        "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "int", "default": 1}],
    }
    assert http.post("/subjects/s/versions", json={"schema": json.dumps(v2)}).status_code == 200
    listed = http.get("/schemas?subjectPrefix=s").json()
    assert [(row["subject"], row["version"]) for row in listed] == [("s", 1), ("s", 2)]
    assert [row["version"] for row in http.get("/schemas?latestOnly=true").json()] == [2]
    assert http.delete("/config").json() == {"compatibilityLevel": "BACKWARD"}
    assert http.put("/mode/s", json={"mode": "READONLY"}).json() == {"mode": "READONLY"}
    assert http.delete("/mode/s").json() == {"mode": "READONLY"}
