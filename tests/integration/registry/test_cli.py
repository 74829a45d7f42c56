"""The issues' "done" paths: `nsw principals add` an operator, `nsw registry serve` (REST and gRPC, guarded
by those principals), `load --token`, `check`, and a confluent-kafka client against it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import httpx
import pytest
from click.testing import CliRunner
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from singlewindow.platform.cli.main import cli
from singlewindow.registry.proto import registry_pb2 as pb
from singlewindow.registry.proto import registry_pb2_grpc

from .conftest import free_port

pytestmark = pytest.mark.integration

SPECS = Path(__file__).resolve().parents[3] / "message_specs"
NSW = [sys.executable, "-c", "from singlewindow.platform.cli.main import main; main()"]


@dataclass(frozen=True)
class Served:
    url: str
    grpc_port: int
    token: str  # an operator's


def add_operator(principals_db: str) -> str:
    code, output = run("principals", "add", "release-ops", "--role", "operator", "--db", principals_db)
    assert code == 0, output
    return next(line.split(": ", 1)[1] for line in output.splitlines() if line.startswith("token: "))


@pytest.fixture
def served(tmp_path: Path, db_url: str) -> Iterator[Served]:
    port, grpc_port = free_port(), free_port()
    principals_db = f"sqlite:///{tmp_path / 'hub.db'}"
    token = add_operator(principals_db)
    env = {**os.environ, "NSW_LOG__FORMAT": "json"}
    command = ["registry", "serve", "--db", db_url, "--http-port", str(port), "--grpc-port", str(grpc_port)]
    process = subprocess.Popen(
        [*NSW, *command, "--principals-db", principals_db],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(process.stderr.read().decode() if process.stderr else "no output") from None
            time.sleep(0.1)
    try:
        yield Served(f"http://127.0.0.1:{port}", grpc_port, token)
    finally:
        process.terminate()
        process.wait(timeout=20)
        if process.stderr:
            process.stderr.close()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout


def test_serve_load_check_and_a_confluent_client(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = CliRunner().invoke(cli, ["registry", "load", str(SPECS), "--url", served.url])
    assert refused.exit_code != 0 and "401" in refused.output  # no token: stops at once, nothing written
    code, output = run("registry", "load", str(SPECS), "--url", served.url, "--token", served.token)
    assert code == 0, output
    assert "nsw.consignment.avro: id" in output
    assert "nsw.consignment.json: id" in output
    monkeypatch.setenv("NSW_TOKEN", served.token)
    code, again = run("registry", "load", str(SPECS), "--url", served.url)
    assert code == 0
    assert again == output  # idempotent: same ids, nothing new
    served_url = served.url

    avsc = (SPECS / "documents" / "consignment" / "schema.avsc").read_text()
    with SchemaRegistryClient({"url": served_url}) as client:
        assert client.get_compatibility("nsw.consignment.avro") == "BACKWARD_TRANSITIVE"
        latest = client.get_latest_version("nsw.consignment.avro")
        assert latest.version == 1
        assert client.test_compatibility("nsw.consignment.avro", Schema(avsc, "AVRO")) is True
        example = json.loads(
            next((SPECS / "documents" / "consignment" / "examples" / "valid").glob("*.json")).read_text()
        )
        from singlewindow.registry.jsonavro import from_avro_datum, to_avro_datum

        record = to_avro_datum(json.loads(avsc), example)
        ctx = SerializationContext("consignments", MessageField.VALUE)
        conf = {
            "auto.register.schemas": False,
            "use.latest.version": True,
            "subject.name.strategy": lambda _ctx, _record_name: "nsw.consignment.avro",  # our subject naming
        }
        serializer = AvroSerializer(client, avsc, conf=conf)
        payload = serializer(record, ctx)
        assert int.from_bytes(payload[1:5], "big") == latest.schema_id
        decoded = AvroDeserializer(client)(payload, ctx)
        assert from_avro_datum(json.loads(avsc), decoded) == example

    breaking = json.loads(avsc)
    breaking["fields"].append({"name": "vehicleVin", "type": "string"})
    path = tmp_path / "consignment-v2.avsc"
    path.write_text(json.dumps(breaking))
    code, output = run("registry", "check", str(path), "--subject", "nsw.consignment.avro", "--url", served_url)
    assert code == 1
    assert "field 'vehicleVin'" in output
    code, output = run(
        "registry",
        "check",
        str(SPECS / "documents" / "consignment" / "schema.avsc"),
        "--subject",
        "nsw.consignment.avro",
        "--url",
        served_url,
    )
    assert code == 0, output
    with httpx.Client(base_url=served_url) as http:
        breaking_body = {"schema": json.dumps(breaking)}
        auth = {"Authorization": f"Bearer {served.token}"}
        refused = http.post("/subjects/nsw.consignment.avro/versions", json=breaking_body, headers=auth)
        assert refused.status_code == 409
        assert "vehicleVin" in refused.json()["message"]


async def test_serve_grpc_beside_rest(served: Served) -> None:
    """The same registry over gRPC: health, open reads, a write refused without a token, accepted with one."""
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    schema = json.dumps({"type": "record", "name": "Seal", "fields": [{"name": "number", "type": "string"}]})
    async with grpc.aio.insecure_channel(f"127.0.0.1:{served.grpc_port}") as channel:
        health = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())  # type: ignore[no-untyped-call]
        assert health.status == health_pb2.HealthCheckResponse.SERVING
        stub = registry_pb2_grpc.RegistryServiceStub(channel)  # type: ignore[no-untyped-call]
        request = pb.CreateVersionRequest(subject="agency.customs.seal", schema=schema)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.CreateVersion(request)
        assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
        created = await stub.CreateVersion(request, metadata=(("authorization", f"Bearer {served.token}"),))
        assert created.version == 1
        assert list((await stub.ListSubjects(pb.ListSubjectsRequest())).subjects) == ["agency.customs.seal"]
    async with httpx.AsyncClient(base_url=served.url) as http:
        assert (await http.get("/subjects")).json() == ["agency.customs.seal"]  # one service behind both APIs


def test_load_and_check_straight_on_a_database(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'direct.db'}"
    code, output = run("registry", "load", str(SPECS), "--db", db)
    assert code == 0, output
    count = len([line for line in output.splitlines() if ": id " in line])
    assert count >= 2
    code, output = run(
        "registry",
        "check",
        str(SPECS / "documents" / "consignment" / "schema.json"),
        "--subject",
        "nsw.consignment.json",
        "--db",
        db,
    )
    assert code == 0, output
    code, output = run("registry", "check", str(tmp_path), "--subject", "x", "--db", db)
    assert code == 2  # a directory is not a schema file
