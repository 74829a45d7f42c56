"""Async client for RabbitMQ's management HTTP API: the only way to manage vhosts, users, permissions and
policies (they are not AMQP operations), and where each queue's effective policy can be read back.

HTTP and network errors become the project's exception tree here, so callers never see httpx.
"""

from __future__ import annotations

import logging
import re
import ssl
from collections.abc import Mapping
from types import TracebackType
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx

from singlewindow.platform.errors import (
    AccessDenied,
    BrokerUnavailable,
    ConfigurationError,
    NotFound,
    NswError,
    Unauthenticated,
)
from singlewindow.platform.settings import BrokerSettings

Json = Any

_URI_CREDENTIALS = re.compile(r"(amqps?://[^:/@\s\"']*):[^@\s\"']*@")


def _uri_passwords(definition: Mapping[str, Json]) -> set[str]:
    """The passwords in a definition's URIs, as written and percent-decoded (longest first matters not:
    each is replaced whole)."""
    found: set[str] = set()
    for value in definition.values():
        for uri in value if isinstance(value, list) else [value]:
            if isinstance(uri, str) and "://" in uri:
                password = urlsplit(uri).password
                if password:
                    found |= {password, unquote(password)}
    return found


def redact_uris(text: str) -> str:
    """``text`` with the password of every AMQP URI in it replaced by ``***`` (a shovel's destination URI
    carries the link user's password; the broker may quote the URI back in an error)."""
    return _URI_CREDENTIALS.sub(r"\1:***@", text)


def _seg(value: str) -> str:
    """One path segment: the default vhost ``/`` must travel as ``%2F``."""
    return quote(value, safe="")


def _translate(response: httpx.Response, what: str) -> NswError:
    try:
        reason = str(response.json().get("reason", response.text))
    except ValueError:
        reason = response.text
    status = response.status_code
    detail = f"{what}: HTTP {status} {reason}".strip()
    if status == 401:
        return Unauthenticated(f"management API refused the administrator credentials ({detail})")
    if status == 403:
        return AccessDenied(detail)
    if status == 404:
        return NotFound(detail)
    if status in (400, 405, 406, 409, 412):
        return ConfigurationError(detail)
    return BrokerUnavailable(detail)


class ManagementClient:
    """One administrator session with the management API; use as ``async with``."""

    def __init__(
        self,
        base_url: str,
        user: str,
        password: str,
        *,
        timeout: float = 10.0,
        transport: Any = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        # httpx logs every request at INFO; a declare makes ~100 of them, which drowns the command's output.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        self._http = httpx.AsyncClient(
            base_url=f"{self._base_url}/api",
            auth=(user, password),
            timeout=timeout,
            headers={"content-type": "application/json"},
            transport=transport,
            verify=verify,
        )

    @classmethod
    def from_settings(cls, broker: BrokerSettings) -> ManagementClient:
        """An https:// management URL is checked against ``broker.tls.ca_file`` when that is set, as AMQP is."""
        https_with_ca = urlsplit(broker.management_url).scheme == "https" and broker.tls.ca_file is not None
        return cls(
            broker.management_url,
            broker.management_user,
            broker.management_password.get_secret_value(),
            verify=broker.tls.context() if https_with_ca else True,
        )

    async def __aenter__(self) -> ManagementClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(self, method: str, path: str, what: str, body: Json = None) -> Json:
        try:
            response = await self._http.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise BrokerUnavailable(f"{what}: management API at {self._base_url} unreachable: {exc}") from exc
        if response.is_error:
            raise _translate(response, what)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    # node and vhosts
    async def overview(self) -> dict[str, Json]:
        """The node's overview: ``rabbitmq_version``, ``erlang_version``, totals (benchmarks report these)."""
        result: dict[str, Json] = await self._call("GET", "/overview", "read the overview")
        return result

    async def get_vhost(self, vhost: str) -> dict[str, Json]:
        """One vhost with its ``message_stats`` counters (publish, deliver_get...), up to 5 s behind."""
        result: dict[str, Json] = await self._call("GET", f"/vhosts/{_seg(vhost)}", f"read vhost {vhost!r}")
        return result

    async def put_vhost(self, vhost: str) -> None:
        await self._call("PUT", f"/vhosts/{_seg(vhost)}", f"create vhost {vhost!r}", {})

    async def delete_vhost(self, vhost: str) -> None:
        await self._call("DELETE", f"/vhosts/{_seg(vhost)}", f"delete vhost {vhost!r}")

    # exchanges, queues, bindings
    async def put_exchange(
        self, vhost: str, name: str, type_: str, *, durable: bool, arguments: Mapping[str, Json]
    ) -> None:
        body = {
            "type": type_,
            "durable": durable,
            "auto_delete": False,
            "internal": False,
            "arguments": dict(arguments),
        }
        await self._call("PUT", f"/exchanges/{_seg(vhost)}/{_seg(name)}", f"declare exchange {name!r}", body)

    async def put_queue(self, vhost: str, name: str, arguments: Mapping[str, Json]) -> None:
        body = {"durable": True, "auto_delete": False, "arguments": dict(arguments)}
        await self._call("PUT", f"/queues/{_seg(vhost)}/{_seg(name)}", f"declare queue {name!r}", body)

    async def get_queue(self, vhost: str, name: str) -> dict[str, Json]:
        result: dict[str, Json] = await self._call("GET", f"/queues/{_seg(vhost)}/{_seg(name)}", f"read queue {name!r}")
        return result

    async def list_queues(self, vhost: str, *, with_stats: bool = False) -> list[dict[str, Json]]:
        """Queues of a vhost; without stats the answer is fresh (the policy name is read from the record)."""
        query = "" if with_stats else "?disable_stats=true&enable_queue_totals=true"
        result: list[dict[str, Json]] = await self._call(
            "GET", f"/queues/{_seg(vhost)}{query}", f"list queues of {vhost!r}"
        )
        return result

    async def bind(
        self, vhost: str, exchange: str, queue: str, routing_key: str, arguments: Mapping[str, Json]
    ) -> None:
        body = {"routing_key": routing_key, "arguments": dict(arguments)}
        path = f"/bindings/{_seg(vhost)}/e/{_seg(exchange)}/q/{_seg(queue)}"
        await self._call("POST", path, f"bind {queue!r} to {exchange!r} ({routing_key!r})", body)

    async def list_bindings(self, vhost: str, exchange: str, queue: str) -> list[dict[str, Json]]:
        path = f"/bindings/{_seg(vhost)}/e/{_seg(exchange)}/q/{_seg(queue)}"
        result: list[dict[str, Json]] = await self._call("GET", path, f"read bindings {exchange!r}->{queue!r}")
        return result

    # policies
    async def put_policy(
        self, vhost: str, name: str, pattern: str, definition: Mapping[str, Json], apply_to: str, priority: int
    ) -> None:
        body = {"pattern": pattern, "definition": dict(definition), "apply-to": apply_to, "priority": priority}
        await self._call("PUT", f"/policies/{_seg(vhost)}/{_seg(name)}", f"set policy {name!r}", body)

    async def get_policy(self, vhost: str, name: str) -> dict[str, Json]:
        result: dict[str, Json] = await self._call(
            "GET", f"/policies/{_seg(vhost)}/{_seg(name)}", f"read policy {name!r}"
        )
        return result

    async def delete_policy(self, vhost: str, name: str) -> None:
        await self._call("DELETE", f"/policies/{_seg(vhost)}/{_seg(name)}", f"delete policy {name!r}")

    # users and permissions
    async def get_user(self, name: str) -> dict[str, Json] | None:
        try:
            result: dict[str, Json] = await self._call("GET", f"/users/{_seg(name)}", f"read user {name!r}")
        except NotFound:
            return None
        return result

    async def put_user(self, name: str, password: str, tags: tuple[str, ...]) -> None:
        body = {"password": password, "tags": ",".join(tags)}
        await self._call("PUT", f"/users/{_seg(name)}", f"create user {name!r}", body)

    async def delete_user(self, name: str) -> None:
        await self._call("DELETE", f"/users/{_seg(name)}", f"delete user {name!r}")

    async def put_permissions(self, vhost: str, user: str, configure: str, write: str, read: str) -> None:
        body = {"configure": configure, "write": write, "read": read}
        path = f"/permissions/{_seg(vhost)}/{_seg(user)}"
        await self._call("PUT", path, f"set permissions of {user!r} in {vhost!r}", body)

    async def get_permissions(self, vhost: str, user: str) -> dict[str, Json] | None:
        path = f"/permissions/{_seg(vhost)}/{_seg(user)}"
        try:
            result: dict[str, Json] = await self._call("GET", path, f"read permissions of {user!r}")
        except NotFound:
            return None
        return result

    # dynamic shovels (plugins rabbitmq_shovel, and rabbitmq_shovel_management for their status)
    async def put_shovel(self, vhost: str, name: str, definition: Mapping[str, Json]) -> None:
        """Create or replace the dynamic shovel ``name`` in ``vhost`` (a runtime parameter); the broker
        (re)starts it at once. Errors never quote the definition's URIs with their passwords."""
        path = f"/parameters/shovel/{_seg(vhost)}/{_seg(name)}"
        try:
            await self._call("PUT", path, f"set shovel {name!r} in {vhost!r}", {"value": dict(definition)})
        except NswError as exc:
            message = exc.message
            for secret in _uri_passwords(definition):
                message = message.replace(secret, "***")
            raise type(exc)(redact_uris(message)) from None

    async def get_shovel_status(self, vhost: str, name: str) -> str | None:
        """The shovel's state as the broker reports it (``starting``, ``running``, ``terminated``), or None
        when no shovel of that name exists in ``vhost``. Needs rabbitmq_shovel_management."""
        found: list[dict[str, Json]] = await self._call("GET", f"/shovels/{_seg(vhost)}", f"list shovels of {vhost!r}")
        states = [str(s.get("state")) for s in found if s.get("name") == name and s.get("vhost", vhost) == vhost]
        return states[0] if states else None

    async def delete_shovel(self, vhost: str, name: str) -> bool:
        """Delete the shovel (it stops; what it had not forwarded stays in its source). False if none."""
        try:
            await self._call("DELETE", f"/parameters/shovel/{_seg(vhost)}/{_seg(name)}", f"delete shovel {name!r}")
        except NotFound:
            return False
        return True

    # messages and connections (operators)
    async def peek_messages(self, vhost: str, queue: str, count: int) -> list[dict[str, Json]]:
        """Up to ``count`` messages, returned to the queue afterwards (``reject_requeue_true``)."""
        body = {"count": count, "ackmode": "reject_requeue_true", "encoding": "auto", "truncate": 50_000}
        path = f"/queues/{_seg(vhost)}/{_seg(queue)}/get"
        result: list[dict[str, Json]] = await self._call("POST", path, f"read messages of {queue!r}", body)
        return result

    async def list_connections(self, vhost: str) -> list[dict[str, Json]]:
        result: list[dict[str, Json]] = await self._call(
            "GET", f"/vhosts/{_seg(vhost)}/connections", f"list connections of {vhost!r}"
        )
        return result

    async def close_connection(self, name: str, reason: str) -> None:
        path = f"/connections/{_seg(name)}"
        try:
            response = await self._http.delete(path, headers={"X-Reason": reason})
        except httpx.HTTPError as exc:
            raise BrokerUnavailable(f"close connection {name!r}: {exc}") from exc
        if response.is_error and response.status_code != 404:
            raise _translate(response, f"close connection {name!r}")
