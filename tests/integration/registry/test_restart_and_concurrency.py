"""Durability across restarts, and two processes registering the same schemas at the same moment."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import httpx
import pytest

from .conftest import start_registry

pytestmark = pytest.mark.integration

V1 = json.dumps({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]})
V2 = json.dumps(
    {
        "type": "record",
        "name": "R",
        "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "int", "default": 0}],
    }
)


def test_state_survives_a_restart(db_url: str) -> None:
    first = start_registry(db_url)
    try:
        with httpx.Client(base_url=first.url) as http:
            schema_id = http.post("/subjects/s/versions", json={"schema": V1}).json()["id"]
            http.put("/config/s", json={"compatibility": "FULL_TRANSITIVE"})
            http.put("/mode/t", json={"mode": "READONLY"})
    finally:
        first.stop()
    second = start_registry(db_url)
    try:
        with httpx.Client(base_url=second.url) as http:
            assert http.get(f"/schemas/ids/{schema_id}").json()["schema"]
            assert http.get("/config/s").json() == {"compatibilityLevel": "FULL_TRANSITIVE"}
            assert http.get("/mode/t").json() == {"mode": "READONLY"}
            again = http.post("/subjects/s/versions", json={"schema": V2}).json()
            assert (again["version"], again["id"]) == (2, schema_id + 1)
    finally:
        second.stop()


WORKER = """
import asyncio, json, sys, time
from singlewindow.registry.models import SchemaType
from singlewindow.registry.server import open_service
from singlewindow.registry.settings import RegistrySettings

async def main(db_url, start_at, schemas, subjects):
    service = await open_service(RegistrySettings(db_url=db_url))
    await asyncio.sleep(max(0.0, start_at - time.time()))
    async def one(subject, index):
        result = await service.register(subject, schemas[index], SchemaType.AVRO)
        return [subject, index, result.id, result.version]
    jobs = [one(subject, index) for index in range(len(schemas)) for subject in subjects]
    results = await asyncio.gather(*jobs)
    await service.store.close()
    print(json.dumps(results))

db_url, start_at, payload = sys.argv[1], float(sys.argv[2]), json.loads(sys.argv[3])
asyncio.run(main(db_url, start_at, payload["schemas"], payload["subjects"]))
"""


def test_two_processes_registering_the_same_schemas_get_one_id(db_url: str) -> None:
    schemas = [
        json.dumps({"type": "record", "name": "R", "fields": [{"name": f"f{i}", "type": "int", "default": i}]})
        for i in range(6)
    ]
    subjects = [f"subject-{n}" for n in range(4)]
    payload = json.dumps({"schemas": schemas, "subjects": subjects})
    # Both processes migrate the fresh database themselves, so start-up races are exercised too.
    start_at = time.time() + 3.0
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, db_url, str(start_at), payload],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        outputs.append(json.loads(out.strip().splitlines()[-1]))
    first, second = ({(s, i): (sid, v) for s, i, sid, v in output} for output in outputs)
    assert first == second  # both processes saw the same id and version for every registration
    ids_by_schema = {i: {first[(s, i)][0] for s in subjects} for i in range(len(schemas))}
    assert all(len(ids) == 1 for ids in ids_by_schema.values())  # one id per schema across subjects
    assert len({next(iter(ids)) for ids in ids_by_schema.values()}) == len(schemas)
    for subject in subjects:  # no schema got two versions under one subject
        versions = sorted(first[(subject, i)][1] for i in range(len(schemas)))
        assert versions == list(range(1, len(schemas) + 1))
