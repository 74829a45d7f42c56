"""Valid consignments made unique per case, and small waits on the served hub."""

from __future__ import annotations

import copy
import itertools
import json
import os
import time
from typing import Any

import httpx

from singlewindow.platform.specs import Catalog

_serial = itertools.count(1)
_EXAMPLES = {p.name: json.loads(p.read_text()) for p in Catalog().get("consignment").valid_examples}


def consignment(stem: str = "apples", *, query: bool = False) -> dict[str, Any]:
    """A shipped example with its own trader reference and UCR; ``query``: sanitary will ask a question."""
    document: dict[str, Any] = copy.deepcopy(next(d for name, d in _EXAMPLES.items() if stem in name))
    n = next(_serial)
    document["traderReference"] = f"HOSTILE-{os.getpid()}-{n}"
    document["ucr"] = document["ucr"][:-4] + f"{n % 1000:03d}" + ("Q" if query else "1")
    return document


def submit(client: httpx.Client, auth: dict[str, str], document: dict[str, Any], **extra: Any) -> str:
    response = client.post(
        "/v1/submissions", json={"documentType": "consignment", "document": document, **extra}, headers=auth
    )
    assert response.status_code in (200, 201), response.text
    return str(response.json()["submission"]["submissionId"])


def wait_status(client: httpx.Client, auth: dict[str, str], submission_id: str, *wanted: str) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for _ in range(400):
        body = client.get(f"/v1/submissions/{submission_id}", headers=auth).json()
        if body.get("status") in wanted:
            return body
        time.sleep(0.025)
    raise AssertionError(f"{submission_id} never reached {wanted}: {body}")
