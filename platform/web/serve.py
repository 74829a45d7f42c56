"""Serve the portal: against a running hub's HTTP API (``web.hub_url``), or on embedded defaults with a hub
of its own in a temporary folder (removed when the portal stops)."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette

from singlewindow.platform.api.http_server import HttpListener
from singlewindow.platform.settings import Settings
from singlewindow.platform.web.app import RouteSet, build_portal_app
from singlewindow.platform.web.embedded import embedded_portal_hub
from singlewindow.platform.web.portal import PortalConfig
from singlewindow.platform.web.sessions import SessionSealer


@dataclass(frozen=True)
class PortalEndpoints:
    url: str
    hub_url: str
    tokens: dict[str, str] = field(default_factory=dict)  # embedded only: who can sign in


def portal_config(settings: Settings, hub_url: str) -> PortalConfig:
    web = settings.web
    key = web.session_key.get_secret_value().encode() if web.session_key else None
    return PortalConfig(
        hub_url=hub_url,
        sealer=SessionSealer(key, int(web.session_hours * 3600)),
        submittable_types=settings.hub.submittable_types,
        max_attachment_bytes=settings.limits.max_attachment_bytes,
        secure_cookies=web.secure_cookies,
    )


@asynccontextmanager
async def _hub(settings: Settings, seed: bool) -> AsyncIterator[tuple[str, dict[str, str]]]:
    if settings.web.hub_url:
        yield settings.web.hub_url, {}
        return
    with tempfile.TemporaryDirectory(prefix="nsw-portal-") as folder:
        async with embedded_portal_hub(settings, Path(folder), seed=seed) as embedded:
            yield embedded.hub_url, embedded.tokens


@asynccontextmanager
async def running_portal(
    settings: Settings, *, port: int | None = None, seed: bool = False, extra_routes: Sequence[RouteSet] = ()
) -> AsyncIterator[PortalEndpoints]:
    """The portal listening (``port`` 0: any free port), with its hub, until the block ends."""
    async with _hub(settings, seed) as (hub_url, tokens):
        app: Starlette = build_portal_app(portal_config(settings, hub_url), extra_routes)
        chosen = settings.web.port if port is None else port
        listener = HttpListener(app, settings.web.host, chosen, grace_seconds=1, limits=settings.http)
        await listener.start()
        try:
            yield PortalEndpoints(f"http://{settings.web.host}:{listener.port}", hub_url, tokens)
        finally:
            await listener.stop()


async def serve_portal(
    settings: Settings, stop: asyncio.Event, on_ready: Callable[[PortalEndpoints], None], *, seed: bool = False
) -> None:
    async with running_portal(settings, seed=seed) as endpoints:
        on_ready(endpoints)
        await stop.wait()
