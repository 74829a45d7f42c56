"""Run the registry: migrate the database, build the service, serve REST (uvicorn) and gRPC beside it."""

from __future__ import annotations

import asyncio

import structlog
import uvicorn

from singlewindow.registry.api import create_app
from singlewindow.registry.grpc_api import GrpcListener, build_grpc_listener, server_credentials
from singlewindow.registry.guard import WriteGuard
from singlewindow.registry.http_limits import ConnectionLimits, QuietDisconnects
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings
from singlewindow.registry.storage import SchemaStore, create_engine

log = structlog.get_logger(__name__)
GRPC_GRACE_SECONDS = 5.0


async def open_service(settings: RegistrySettings, guard: WriteGuard | None = None) -> RegistryService:
    """A migrated store and the service over it; close with ``await service.store.close()``.
    Without ``guard`` every write is allowed (embedded use); ``nsw registry serve`` passes the principals'."""
    store = SchemaStore(create_engine(settings.db_url))
    await store.migrate()
    return RegistryService(store, settings, guard)


def build_server(service: RegistryService, settings: RegistrySettings) -> uvicorn.Server:
    config = uvicorn.Config(
        QuietDisconnects(create_app(service, settings)),
        host=settings.host,
        port=settings.http_port,
        log_config=None,  # logging is configured by the caller (structlog)
        access_log=False,
        lifespan="off",
        server_header=False,
        ssl_certfile=settings.tls_cert_file,
        ssl_keyfile=settings.tls_key_file,
        **ConnectionLimits.of(settings).uvicorn_options(),
    )
    return uvicorn.Server(config)


async def serve(settings: RegistrySettings, guard: WriteGuard | None = None) -> None:
    """Serve REST, and gRPC when ``grpc_port`` is set, until interrupted; both over one service."""
    service = await open_service(settings, guard)
    listener: GrpcListener | None = None
    try:
        if settings.grpc_port is not None:
            credentials = server_credentials(settings)
            listener = build_grpc_listener(service, settings.host, settings.grpc_port, credentials)
            await listener.start()
            log.info("registry.grpc_serving", host=settings.host, grpc_port=listener.port)
        server = build_server(service, settings)
        log.info("registry.serving", host=settings.host, http_port=settings.http_port, db=_safe(settings.db_url))
        await server.serve()
    finally:
        if listener is not None:
            await asyncio.shield(listener.stop(GRPC_GRACE_SECONDS))
        service.close()  # a check still running ends within its budget
        await service.store.close()


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
