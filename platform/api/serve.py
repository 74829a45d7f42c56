"""Run one hub process with its listeners until asked to stop, then shut down in order.

Shutdown: health turns NOT_SERVING and open watch streams end (clients resume elsewhere with their
token); the gRPC and HTTP listeners stop accepting and finish running calls within the grace period; the
hub cancels its consumers, which waits for in-flight deliveries to be handled and acked; then the metrics
listener and the connections close.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from prometheus_client import make_asgi_app
from starlette.applications import Starlette

from singlewindow.platform.api.agency_services import AgencyServices, build_agency_services
from singlewindow.platform.api.assembly import hub_from_settings
from singlewindow.platform.api.grpc_server import build_grpc_listener
from singlewindow.platform.api.http_app import build_http_app
from singlewindow.platform.api.http_server import HttpListener
from singlewindow.platform.api.metrics import HubMetrics
from singlewindow.platform.api.operations import SubmissionApi
from singlewindow.platform.api.permits_http import permit_routes
from singlewindow.platform.api.status_proofs_http import status_proof_routes
from singlewindow.platform.hub.runtime import Hub
from singlewindow.platform.payments.providers.configured import provider_from_settings, reconcile_notices
from singlewindow.platform.permits import PermitService, PermitStore
from singlewindow.platform.proofs import StatusProofs
from singlewindow.platform.settings import Settings
from singlewindow.platform.specs import Catalog, DocumentValidator

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Endpoints:
    grpc_port: int
    http_port: int
    metrics_port: int | None
    in_memory_broker: bool


def hub_http_app(hub: Hub, api: SubmissionApi, agency_services: AgencyServices, closing: asyncio.Event) -> Starlette:
    """Every route set of the hub's HTTP listener: submissions, agency services, permits, status proofs (what
    ``/openapi.json`` documents; a test holds the two together)."""
    permits = permit_routes(PermitService(PermitStore(hub.engine)), api.principal)
    proofs = status_proof_routes(api, StatusProofs(hub.settings.status_keys_dir, hub.submissions))
    return build_http_app(api, closing, extra_routes=[*agency_services.routes(), *permits, *proofs])


async def serve(
    settings: Settings,
    stop: asyncio.Event,
    on_ready: Callable[[Endpoints], None] | None = None,
    grace_seconds: float = 10.0,
) -> None:
    hub_settings = settings.hub
    metrics = HubMetrics()
    async with hub_from_settings(settings, metrics) as hub:
        api = SubmissionApi(hub, settings.limits.max_document_bytes)
        closing = asyncio.Event()
        tls = {"tls_cert_file": hub_settings.tls_cert_file, "tls_key_file": hub_settings.tls_key_file}
        provider = provider_from_settings(settings.fees)
        agency_services = build_agency_services(hub, settings, DocumentValidator(Catalog()), provider)
        grpc_listener = build_grpc_listener(api, hub_settings, agency=agency_services)
        http_app = hub_http_app(hub, api, agency_services, closing)
        http_listener = HttpListener(
            http_app,
            hub_settings.host,
            hub_settings.http_port,
            grace_seconds=grace_seconds,
            limits=settings.http,  # header and body deadlines, connections per client and in total
            **tls,
        )
        metrics_listener = None
        if hub_settings.metrics_port:
            metrics_listener = HttpListener(
                make_asgi_app(registry=metrics.registry), hub_settings.host, hub_settings.metrics_port, grace_seconds=1
            )
        metrics_stop = asyncio.Event()
        refresher = asyncio.create_task(metrics.run(hub, metrics_stop), name="metrics-refresh")
        reconciler = None
        if provider is not None:
            reconciler = asyncio.create_task(
                reconcile_notices(agency_services.payments, provider, metrics_stop, settings.fees.notices_poll_seconds),
                name="payment-notices",
            )
        started: list[str] = []
        try:
            await grpc_listener.start()
            started.append("grpc")
            await http_listener.start()
            started.append("http")
            if metrics_listener is not None:
                await metrics_listener.start()
                started.append("metrics")
            endpoints = Endpoints(
                grpc_listener.port,
                http_listener.port,
                metrics_listener.port if metrics_listener else None,
                settings.broker.url is None,
            )
            log.info(
                "hub serving",
                grpc_port=endpoints.grpc_port,
                http_port=endpoints.http_port,
                metrics_port=endpoints.metrics_port,
                in_memory_broker=endpoints.in_memory_broker,
            )
            if on_ready is not None:
                on_ready(endpoints)
            await stop.wait()
        finally:
            log.info("hub stopping: draining calls and in-flight deliveries")
            closing.set()
            if "grpc" in started:
                await grpc_listener.stop(grace_seconds)
            if "http" in started:
                await http_listener.stop()
            metrics_stop.set()
            await refresher
            if reconciler is not None:
                await reconciler
            # hub_from_settings' exit stops the hub (consumers cancelled after their handlers finish)
            if metrics_listener is not None and "metrics" in started:
                await metrics_listener.stop()
