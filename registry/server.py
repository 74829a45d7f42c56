"""Run the registry: migrate the database, build the service, serve the REST API with uvicorn."""

from __future__ import annotations

import structlog
import uvicorn

from singlewindow.registry.api import create_app
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings
from singlewindow.registry.storage import SchemaStore, create_engine

log = structlog.get_logger(__name__)


async def open_service(settings: RegistrySettings) -> RegistryService:
    """A migrated store and the service over it; close with ``await service.store.close()``."""
    store = SchemaStore(create_engine(settings.db_url))
    await store.migrate()
    return RegistryService(store, settings)


def build_server(service: RegistryService, settings: RegistrySettings) -> uvicorn.Server:
    config = uvicorn.Config(
        create_app(service, settings),
        host=settings.host,
        port=settings.http_port,
        log_config=None,  # logging is configured by the caller (structlog)
        access_log=False,
        lifespan="off",
        server_header=False,
    )
    return uvicorn.Server(config)


async def serve(settings: RegistrySettings) -> None:
    """Serve until interrupted. gRPC (``grpc_port``) is added by issue 4; until then it is only noted."""
    service = await open_service(settings)
    if settings.grpc_port is not None:
        log.warning("registry.grpc_not_available", grpc_port=settings.grpc_port, note="gRPC arrives in issue 4")
    server = build_server(service, settings)
    log.info("registry.serving", host=settings.host, http_port=settings.http_port, db=_safe(settings.db_url))
    try:
        await server.serve()
    finally:
        await service.store.close()


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
