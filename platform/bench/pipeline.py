"""``nsw bench pipeline``: what the hub costs against the broker pattern under it, on the same RabbitMQ and
PostgreSQL with the same consignments, one after the other:

1. the raw baseline (``raw_pipeline``): the pattern in plain pika, one process per role, swept;
2. the hub (``pipeline_hub``): K hub processes, the agencies deciding in processes of their own, an open-loop
   load through the HTTP intake, latency from each submission's scheduled time to its terminal status;
3. the ratio hub/raw.

The consignments are the shipped valid examples 01-03 with their own trader reference and UCR each. The raw
producer publishes them as the hub carries them on the bus (Avro in the Confluent framing, 1.2-2.0 KB; the
JSON the trader sends is 3.5-5.3 KB), the consumers reply with an Avro agency decision (the shipped example).
"""

from __future__ import annotations

import json
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from singlewindow.platform.bench.database_counters import per_submission
from singlewindow.platform.bench.environment import environment
from singlewindow.platform.bench.hub_load import documents
from singlewindow.platform.bench.limits import (
    MAX_HUBS,
    MAX_RATE,
    MAX_SUBMISSIONS,
    MAX_SWEEP_VALUES,
    MAX_WINDOW,
    PHASE_TIMEOUT_SECONDS,
    bounded,
)
from singlewindow.platform.bench.loopback import redact_password, require_loopback
from singlewindow.platform.bench.pipeline_hub import HubPhase, hub_phase
from singlewindow.platform.bench.pipeline_report import PipelineReport, latency_ms, per_submission_ms
from singlewindow.platform.bench.raw_pipeline import RawPoint, best, raw_pipeline
from singlewindow.platform.catalogue import load_catalogue
from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.hub.avro_codec import AvroCodec
from singlewindow.platform.hub.messages import AGENCY_DECISION
from singlewindow.platform.routing.loading import shipped_dir
from singlewindow.platform.routing.tables import CATALOGUE_FILE
from singlewindow.platform.settings import Settings
from singlewindow.platform.specs import Catalog

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_SWEEP = (32, 128, 512)
DOCUMENT_TYPE = "consignment"
UNFINISHED_SHOWN = 100


def catalogue_agencies() -> int:
    return len(load_catalogue(shipped_dir() / CATALOGUE_FILE).agencies())


@dataclass(frozen=True, slots=True)
class PipelineBenchOptions:
    amqp_url: str = DEFAULT_AMQP_URL
    database_url: str = DEFAULT_DATABASE_URL
    agencies: int = 5  # agency processes (the hub's) = agency queues and consumers (the raw baseline's)
    submissions: int = 1000
    rate: float = 100.0
    hubs: int = 1
    sweep: tuple[int, ...] = DEFAULT_SWEEP  # prefetch and confirm window values of the raw baseline

    def checked(self) -> PipelineBenchOptions:
        require_loopback(self.amqp_url, "--amqp-url")
        require_loopback(self.database_url, "--database-url")
        bounded("agencies", self.agencies, 1, catalogue_agencies())
        bounded("submissions", self.submissions, 1, MAX_SUBMISSIONS)
        bounded("hubs", self.hubs, 1, MAX_HUBS)
        if not 0 < self.rate <= MAX_RATE:
            raise InvalidInput(f"--rate must be above 0 and at most {MAX_RATE}, got {self.rate}")
        if self.submissions / self.rate > PHASE_TIMEOUT_SECONDS:
            raise InvalidInput(
                f"{self.submissions} submissions at {self.rate}/s take longer than a bench phase may "
                f"({PHASE_TIMEOUT_SECONDS:.0f} s): raise --rate or lower --submissions"
            )
        bounded("sweep values", len(self.sweep), 1, MAX_SWEEP_VALUES)
        for value in self.sweep:
            bounded("sweep", value, 1, MAX_WINDOW)
        return self


def bus_bodies(docs: list[dict[str, Any]]) -> tuple[list[bytes], bytes]:
    """The consignments as the hub carries them on the bus, and an agency decision as a reply."""
    catalog = Catalog()

    async def no_other_writer(schema_id: int) -> Mapping[str, Any]:
        raise KeyError(schema_id)  # only ever encodes

    current = {name: (n, catalog.get(name).avro_schema) for n, name in enumerate((DOCUMENT_TYPE, AGENCY_DECISION), 1)}
    codec = AvroCodec(current, no_other_writer)
    decision = json.loads(catalog.get(AGENCY_DECISION).valid_examples[0].read_text(encoding="utf-8"))
    return [codec.encode(DOCUMENT_TYPE, d) for d in docs], codec.encode(AGENCY_DECISION, decision)


def _raw_details(points: list[RawPoint], vhost: str) -> dict[str, Any]:
    return {"best": best(points).as_dict(), "sweep": [p.as_dict() for p in points], "vhost": vhost}


def _hub_details(hub: HubPhase, submissions: int) -> dict[str, Any]:
    return {
        "accepted": len(hub.load.scheduled_at),
        "terminal": len(hub.terminal),
        "refused": submissions - len(hub.load.scheduled_at),  # no answer with an id, after every attempt
        "retries": hub.load.retries,
        "unfinished_count": len(hub.unfinished),
        "unfinished": hub.unfinished[:UNFINISHED_SHOWN],
        "seconds": round(hub.seconds, 3),
        "answer_ms": latency_ms(hub.load.answer_seconds),
        "cpu_seconds": hub.cpu_seconds,
        "agency_processes": hub.agency_processes,
        "vhost": hub.vhost,
        "database": hub.database,
    }


def _notes(points: list[RawPoint], hub: HubPhase) -> tuple[str, ...]:
    notes = [
        "latency: scheduled submit time -> terminal_statuses.recorded_at (written with the consolidated status)",
        "hub_docs_per_s cannot exceed --rate (open loop): raise --rate above capacity to measure capacity",
    ]
    notes += [
        f"raw point prefetch {p.prefetch} window {p.window}: only {p.complete} of {p.documents} complete"
        for p in points
        if p.complete < p.documents
    ]
    notes += [f"refused: {why}" for why in hub.load.refused[:5]]
    if hub.unfinished:
        notes.append(f"{len(hub.unfinished)} accepted submissions not terminal within {PHASE_TIMEOUT_SECONDS:.0f} s")
    return tuple(notes)


async def run_pipeline_bench(options: PipelineBenchOptions, settings: Settings) -> PipelineReport:
    options = options.checked()
    broker = settings.broker.model_copy(update={"url": options.amqp_url})
    require_loopback(broker.management_url, "broker.management_url")
    found = await environment(broker, options.database_url)  # the load average at the start
    docs = documents(options.submissions, secrets.token_hex(3))
    bodies, reply = bus_bodies(docs)
    limit = PHASE_TIMEOUT_SECONDS
    with tempfile.TemporaryDirectory(prefix="nsw-bench-pipeline-") as folder:
        raw_vhost, points = await raw_pipeline(
            broker, options.amqp_url, bodies, reply, options.agencies, options.sweep, Path(folder), limit
        )
    hub = await hub_phase(
        settings, options.amqp_url, options.database_url, options.hubs, options.agencies, docs, options.rate, limit
    )
    run_settings = {
        "amqp_url": redact_password(options.amqp_url),
        "database_url": redact_password(options.database_url),
        "agencies": options.agencies,
        "submissions": options.submissions,
        "rate": options.rate,
        "hubs": options.hubs,
        "sweep": list(options.sweep),
        "body_bytes": {"min": min(map(len, bodies)), "max": max(map(len, bodies)), "reply": len(reply)},
    }
    return PipelineReport(
        raw_docs_per_s=best(points).docs_per_s,
        hub_docs_per_s=hub.docs_per_s,
        latency_ms=latency_ms(hub.latency_seconds),
        rss_mb=hub.rss_mb,
        cpu_ms_per_submission=per_submission_ms(hub.cpu_seconds, len(hub.terminal)),
        database_per_submission=per_submission(hub.database_before, hub.database_after, len(hub.terminal)),
        raw=_raw_details(points, raw_vhost),
        hub=_hub_details(hub, options.submissions),
        settings=run_settings,
        environment=found,
        notes=_notes(points, hub),
    )
