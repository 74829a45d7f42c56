"""The served process (``python -m nswhostile.serve FOLDER``): hub HTTP + gRPC with agency services and
permits, auto-deciding agencies, and the registry (REST + gRPC) behind the principals' write guard.

It logs JSON to stderr (the suite reads it for tracebacks) and writes FOLDER/ready.json with the URLs, the
tokens and a few fixtures (a border-guard officer ticket) once everything listens; SIGTERM stops it.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path
from typing import Any

from nswhostile.documents import consignment
from nswhostile.served import add_principals, query_policy
from singlewindow.platform.api.agency_services import build_agency_services
from singlewindow.platform.api.grpc_server import build_grpc_listener
from singlewindow.platform.api.http_app import build_http_app
from singlewindow.platform.api.http_server import HttpListener
from singlewindow.platform.api.operations import SubmissionApi
from singlewindow.platform.api.permits_http import permit_routes
from singlewindow.platform.identity.registry_guard import PrincipalWriteGuard
from singlewindow.platform.logs import configure_logging
from singlewindow.platform.permits import PermitService, PermitStore
from singlewindow.platform.settings import AttachmentSettings, LimitSettings, LogSettings, OfficerSettings, Settings
from singlewindow.platform.specs import Catalog, DocumentValidator
from singlewindow.platform.testing import AutoDecider, embedded_hub
from singlewindow.registry.api import create_app
from singlewindow.registry.grpc_api import build_grpc_listener as build_registry_grpc
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings
from singlewindow.registry.storage import SchemaStore, create_engine


async def main(folder: Path) -> None:
    settings = Settings(
        limits=LimitSettings(max_document_bytes=256 * 1024, max_attachment_bytes=64 * 1024),
        attachments=AttachmentSettings(folder=folder / "blobs"),
        officers=OfficerSettings(claim_seconds=600),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with embedded_hub(folder / "hub.db", settings) as embedded:
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
        registry_url = f"sqlite:///{folder / 'registry.db'}"
        store = SchemaStore(create_engine(registry_url))
        await store.migrate()
        guard = PrincipalWriteGuard(hub.principals)
        registry = RegistryService(store, RegistrySettings(db_url=registry_url), guard)
        registry_http = HttpListener(create_app(registry, registry.settings), "127.0.0.1", 0, grace_seconds=1)
        registry_grpc = build_registry_grpc(registry, "127.0.0.1", 0)
        for listener in (grpc_listener, http, registry_http, registry_grpc):
            await listener.start()
        extra = await officer_fixture(hub, services, principals, deciders)
        ready: dict[str, Any] = {
            "http_url": f"http://127.0.0.1:{http.port}",
            "grpc_target": f"127.0.0.1:{grpc_listener.port}",
            "registry_url": f"http://127.0.0.1:{registry_http.port}",
            "registry_grpc": f"127.0.0.1:{registry_grpc.port}",
            "tokens": tokens,
            "extra": extra,
        }
        partial = folder / "ready.json.part"
        partial.write_text(json.dumps(ready))
        partial.rename(folder / "ready.json")
        try:
            await stop.wait()
        finally:
            closing.set()
            await http.stop()
            await registry_http.stop()
            await grpc_listener.stop(0)
            await registry_grpc.stop(0)
            for decider in deciders.values():
                await decider.stop()
                await decider.transport.close()
            await store.close()


async def officer_fixture(hub: Any, services: Any, principals: Any, deciders: dict[str, AutoDecider]) -> dict[str, Any]:
    """A consignment routed to the border guard, its view queued for the border guard's officers."""
    view, _ = await hub.intake.submit(principals["trader-a"], "consignment", consignment("apples"))
    submission_id = view.submission_id
    for _ in range(500):
        seen = [v for v in deciders["border-guard"].seen if v.get("submissionId") == submission_id]
        if seen:
            queued, _ = await services.officers.enqueue(principals["bg-agency"], seen[0], 1)
            return {"bg_ticket": queued.ticket, "bg_submission": submission_id}
        await asyncio.sleep(0.02)
    raise RuntimeError("the border guard never received the fixture consignment")


if __name__ == "__main__":
    configure_logging(LogSettings(format="json", level="info"))
    asyncio.run(main(Path(sys.argv[1])))
