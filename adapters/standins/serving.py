"""Run a stand-in's ASGI app with uvicorn until SIGTERM/SIGINT (uvicorn's own handlers), printing the port
it listens on first, so a test that started it as a process (port 0 allowed) knows where to call it."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import uvicorn
from starlette.types import ASGIApp


async def serve_forever(
    app: ASGIApp, host: str, port: int, background: Callable[[asyncio.Event], Coroutine[Any, Any, None]] | None = None
) -> None:
    """Serve ``app``; ``background(stop)`` runs beside it (a decider loop) until the server stops."""
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off"))
    stop = asyncio.Event()
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            await serving  # raises why it could not start
            return
        await asyncio.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]
    print(f"listening on http://{host}:{bound}", flush=True)
    sys.stdout.flush()
    task = asyncio.create_task(background(stop)) if background is not None else None
    try:
        await serving
    finally:
        stop.set()
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)
