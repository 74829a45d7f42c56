"""The embedded hub and the registry served on real sockets from a background thread of this process.

The tests are synchronous (schemathesis, the corpus loops), so the hub lives on its own event loop in a
thread: requests cross a real socket as a client's would, while the tests still see the hub's database
(row counts for partial writes) and its log (tracebacks). ``call`` runs a coroutine on the hub's loop.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from singlewindow.platform.api.agency_services import build_agency_services
from singlewindow.platform.api.grpc_server import build_grpc_listener
from singlewindow.platform.api.http_app import build_http_app
from singlewindow.platform.api.http_server import HttpListener
from singlewindow.platform.api.operations import SubmissionApi
from singlewindow.platform.api.permits_http import permit_routes
from singlewindow.platform.identity import GrantScope, Principal, PrincipalStore, Role
from singlewindow.platform.identity.registry_guard import PrincipalWriteGuard
from singlewindow.platform.permits import PermitService, PermitStore
from singlewindow.platform.settings import AttachmentSettings, LimitSettings, OfficerSettings, Settings
from singlewindow.platform.specs import Catalog, DocumentValidator
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.storage import open_engine, upgrade
from singlewindow.platform.testing import AutoDecider, EmbeddedHub, embedded_hub
from singlewindow.registry.api import create_app
from singlewindow.registry.grpc_api import build_grpc_listener as build_registry_grpc
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings
from singlewindow.registry.storage import SchemaStore, create_engine

T = TypeVar("T")

# Tables a refused request must leave exactly as they were.
WRITE_TABLES = (
    "submissions",
    "submission_versions",
    "events",
    "outbox",
    "recipients",
    "terminal_statuses",
    "document_links",
    "attachments",
    "attachment_uploads",
    "permits",
    "permit_write_offs",
    "officer_queue",
    "officer_decisions",
    "border_events",
    "grants",
    "principals",
)

# name -> (role, agency)
PRINCIPALS: dict[str, tuple[Role, str | None]] = {
    "trader-a": (Role.TRADER, None),
    "trader-b": (Role.TRADER, None),
    "trader-revoked": (Role.TRADER, None),
    "broker-submit": (Role.BROKER, None),
    "broker-read": (Role.BROKER, None),
    "broker-expired": (Role.BROKER, None),
    "broker-none": (Role.BROKER, None),
    "operator": (Role.OPERATOR, None),
    "customs-agency": (Role.AGENCY, "customs"),
    "vet-agency": (Role.AGENCY, "veterinary"),
    "bg-agency": (Role.AGENCY, "border-guard"),
    "vet-officer": (Role.OFFICER, "veterinary"),
    "bg-officer": (Role.OFFICER, "border-guard"),
}


def query_policy(agency: str, view: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Accept everything, except that sanitary asks a question about consignments whose UCR ends in Q."""
    if agency == "sanitary" and str(view.get("ucr", "")).endswith("Q"):
        return "QUERY", {"query": {"question": "Which cold store receives the goods?"}}
    return "ACCEPTED", ({"channel": "GREEN"} if agency == "customs" else {})


@dataclass
class ServedHub:
    http_url: str
    grpc_target: str
    database: Path
    tokens: dict[str, str]
    principals: dict[str, Principal]
    embedded: EmbeddedHub
    deciders: dict[str, AutoDecider]
    loop: asyncio.AbstractEventLoop
    extra: dict[str, Any] = field(default_factory=dict)

    def call(self, work: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    def auth(self, who: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.tokens[who]}"}

    def metadata(self, who: str) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.tokens[who]}"),)

    def counts(self) -> dict[str, int]:
        return table_counts(self.database, WRITE_TABLES)

    def settle(self, quiet_polls: int = 4, interval: float = 0.05, most: float = 10.0) -> dict[str, int]:
        """Row counts once the hub has stopped moving (router, aggregator, outbox relay all done)."""
        deadline = time.monotonic() + most
        last, same = self.counts(), 0
        while same < quiet_polls and time.monotonic() < deadline:
            time.sleep(interval)
            now = self.counts()
            same = same + 1 if now == last else 0
            last = now
        return last


def table_counts(database: Path, tables: tuple[str, ...]) -> dict[str, int]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as connection:
        present = {row[0] for row in connection.execute("select name from sqlite_master where type='table'")}
        return {t: connection.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables if t in present}


@contextmanager
def run_in_thread(
    main: Callable[[asyncio.Event, Callable[[Any], None]], Awaitable[None]], timeout: float = 120
) -> Iterator[tuple[Any, asyncio.AbstractEventLoop]]:
    """Run ``main(stop, ready)`` on a new loop in a thread; yield what it passed to ``ready``; stop it after."""
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    started = threading.Event()
    box: dict[str, Any] = {}

    def ready(value: Any) -> None:
        box["value"] = value
        started.set()

    def target() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(main(stop, ready))
        except BaseException as exc:  # reported to the waiting test below
            box["error"] = exc
            started.set()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    thread = threading.Thread(target=target, name="hostile-served", daemon=True)
    thread.start()
    if not started.wait(timeout) or "error" in box:
        raise RuntimeError(f"served app did not start: {box.get('error')!r}")
    try:
        yield box["value"], loop
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(60)


def hub_settings(folder: Path) -> Settings:
    return Settings(
        limits=LimitSettings(max_document_bytes=256 * 1024, max_attachment_bytes=64 * 1024),
        attachments=AttachmentSettings(folder=folder / "blobs"),
        officers=OfficerSettings(claim_seconds=600),
    )


@contextmanager
def served_hub(folder: Path) -> Iterator[ServedHub]:
    """The whole hub API (submissions, permits, attachments, officers; HTTP and gRPC) with auto-deciding
    agencies and one principal of every kind (``PRINCIPALS``), as ``nsw hub run`` assembles it."""
    settings = hub_settings(folder)
    database = folder / "hub.db"

    async def main(stop: asyncio.Event, ready: Callable[[Any], None]) -> None:
        async with embedded_hub(database, settings) as embedded:
            hub = embedded.hub
            deciders: dict[str, AutoDecider] = {}
            for agency in embedded.catalogue.agencies():
                transport = await embedded.agency_transport(agency.id)
                decider = AutoDecider(agency.id, agency.broker_user, transport, hub.codec, query_policy)
                await decider.start()
                deciders[agency.id] = decider
            tokens, principals = await add_principals(hub.principals)
            api = SubmissionApi(hub, settings.limits.max_document_bytes)
            closing = asyncio.Event()
            services = build_agency_services(hub, settings, DocumentValidator(Catalog()))
            permits = permit_routes(PermitService(PermitStore(hub.engine)), api.principal)
            app = build_http_app(api, closing, extra_routes=[*services.routes(), *permits])
            http = HttpListener(app, "127.0.0.1", 0, grace_seconds=1)
            grpc_listener = build_grpc_listener(api, settings.hub, port=0, agency=services)
            await grpc_listener.start()
            await http.start()
            try:
                ready(
                    ServedHub(
                        f"http://127.0.0.1:{http.port}",
                        f"127.0.0.1:{grpc_listener.port}",
                        database,
                        tokens,
                        principals,
                        embedded,
                        deciders,
                        asyncio.get_running_loop(),
                    )
                )
                await stop.wait()
            finally:
                closing.set()
                await http.stop()
                await grpc_listener.stop(0)
                for decider in deciders.values():
                    await decider.stop()
                    await decider.transport.close()

    with run_in_thread(main) as (served, _):
        yield served


async def add_principals(store: PrincipalStore) -> tuple[dict[str, str], dict[str, Principal]]:
    tokens: dict[str, str] = {}
    principals: dict[str, Principal] = {}
    for name, (role, agency) in PRINCIPALS.items():
        issued = await store.add(name, role, agency)
        tokens[name], principals[name] = issued.token, issued.principal
    await store.grant("broker-submit", "trader-a", GrantScope.SUBMIT)
    await store.grant("broker-read", "trader-a", GrantScope.READ)
    await store.grant("broker-expired", "trader-a", GrantScope.SUBMIT, valid_until=utcnow() - timedelta(days=1))
    await store.revoke("trader-revoked")
    return tokens, principals


REGISTRY_TABLES = ("registry_schemas", "registry_subjects", "registry_versions", "registry_settings")


@dataclass
class ServedRegistry:
    http_url: str
    grpc_target: str
    tokens: dict[str, str]
    loop: asyncio.AbstractEventLoop
    database: Path | None  # the SQLite file, when the registry runs on SQLite

    def counts(self) -> dict[str, int]:
        return table_counts(self.database, REGISTRY_TABLES) if self.database else {}

    def metadata(self, who: str) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.tokens[who]}"),)

    def auth(self, who: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.tokens[who]}"}


@contextmanager
def served_registry(db_url: str, principals_db: Path) -> Iterator[ServedRegistry]:
    """The registry behind the principals' write guard (as ``nsw registry serve``), REST and gRPC."""

    async def main(stop: asyncio.Event, ready: Callable[[Any], None]) -> None:
        engine = open_engine(f"sqlite:///{principals_db}")
        await upgrade(engine)
        store = SchemaStore(create_engine(db_url))
        await store.migrate()
        principals = PrincipalStore(engine)
        tokens, _ = await add_principals(principals)
        service = RegistryService(store, RegistrySettings(db_url=db_url), PrincipalWriteGuard(principals))
        http = HttpListener(create_app(service, service.settings), "127.0.0.1", 0, grace_seconds=1)
        grpc_listener = build_registry_grpc(service, "127.0.0.1", 0)
        await http.start()
        await grpc_listener.start()
        try:
            ready(
                ServedRegistry(
                    f"http://127.0.0.1:{http.port}",
                    f"127.0.0.1:{grpc_listener.port}",
                    tokens,
                    asyncio.get_running_loop(),
                    Path(db_url.split("///", 1)[1]) if db_url.startswith("sqlite") else None,
                )
            )
            await stop.wait()
        finally:
            await http.stop()
            await grpc_listener.stop(0)
            await store.close()
            await engine.dispose()

    with run_in_thread(main) as (served, _):
        yield served
