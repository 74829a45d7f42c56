"""The issue's "done" path: `nsw registry serve`, `load`, `check`, and a confluent-kafka client against it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from singlewindow.platform.cli.main import cli

from .conftest import free_port

pytestmark = pytest.mark.integration

SPECS = Path(__file__).resolve().parents[3] / "message_specs"
NSW = [sys.executable, "-c", "from singlewindow.platform.cli.main import main; main()"]


@pytest.fixture
def served(tmp_path: Path, db_url: str) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "NSW_LOG__FORMAT": "json"}
    process = subprocess.Popen(
        [*NSW, "registry", "serve", "--db", db_url, "--http-port", str(port), "--grpc-port", "0"],
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
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)
        if process.stderr:
            process.stderr.close()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout


def test_serve_load_check_and_a_confluent_client(served: str, tmp_path: Path) -> None:
    code, output = run("registry", "load", str(SPECS), "--url", served)
    assert code == 0, output
    assert "nsw.consignment.avro: id" in output
    assert "nsw.consignment.json: id" in output
    code, again = run("registry", "load", str(SPECS), "--url", served)
    assert code == 0
    assert again == output  # idempotent: same ids, nothing new

    avsc = (SPECS / "documents" / "consignment" / "schema.avsc").read_text()
    with SchemaRegistryClient({"url": served}) as client:
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
    code, output = run("registry", "check", str(path), "--subject", "nsw.consignment.avro", "--url", served)
    assert code == 1
    assert "field 'vehicleVin'" in output
    code, output = run(
        "registry",
        "check",
        str(SPECS / "documents" / "consignment" / "schema.avsc"),
        "--subject",
        "nsw.consignment.avro",
        "--url",
        served,
    )
    assert code == 0, output
    with httpx.Client(base_url=served) as http:
        refused = http.post("/subjects/nsw.consignment.avro/versions", json={"schema": json.dumps(breaking)})
        assert refused.status_code == 409
        assert "vehicleVin" in refused.json()["message"]


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
