"""The cross-border link on RabbitMQ: the dynamic Shovel that forwards our messages to a partner hub.

One shovel per partner, a runtime parameter ``nsw-crossborder-<partner>`` in OUR vhost: it consumes
``crossborder.out.<partner>`` locally and publishes to the partner's ``crossborder.in.<our key>`` over
``amqp[s]`` as the link user ``nsw-link-<our key>`` (created on the partner's broker by their
``nsw topology users``; they hand us its password). ``ack-mode`` ``on-confirm``: a message leaves our queue
only once the partner's broker confirmed it, so a cut link loses nothing (it may duplicate; the partner
dedupes by message id). ``dest-add-forward-headers`` is false (nothing of our topology travels) and
``src-delete-after`` ``never`` (a permanent link, not a one-off move).

``nsw gateway link`` / ``unlink`` / ``link-status`` are thin wrappers over these functions, which the
integration tests call too. The password is only ever in the definition sent to the broker; nothing here
prints or logs it, and errors have it redacted.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.topology import names
from singlewindow.platform.topology.management import ManagementClient

RUNNING = "running"
ABSENT = "absent"
"""``link_state`` of a partner without a shovel (never linked, or unlinked)."""
RECONNECT_DELAY_SECONDS = 1
_POLL_SECONDS = 0.25
_SCHEMES = ("amqp", "amqps")


def destination_uri(uri: str, user: str, password: str, vhost: str | None = None) -> str:
    """The shovel's ``dest-uri``: ``uri`` (``amqp[s]://host[:port][/vhost][?tls options]``, without
    credentials) with ``user:password`` added, both percent-encoded. ``vhost`` (as named, e.g. ``/cn-sw``)
    is used when the URI names none; naming it in both places is refused."""
    parts = urlsplit(uri)
    if parts.scheme not in _SCHEMES or not parts.hostname:
        raise ConfigurationError(f"the partner URI must be amqp://host[:port][/vhost] or amqps://..., got {uri!r}")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ConfigurationError("the partner URI must not carry credentials: give the password by environment")
    path = parts.path.removeprefix("/")
    if path and vhost is not None and unquote(path) != vhost:
        raise ConfigurationError(f"the URI names vhost {unquote(path)!r} and the option {vhost!r}: name one")
    if not path:
        if vhost is None:
            raise ConfigurationError("name the partner's vhost: in the URI path (%2F-encoded) or as an option")
        path = quote(vhost, safe="")
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{parts.netloc}"
    return urlunsplit((parts.scheme, netloc, "/" + path, parts.query, ""))


def local_uri(vhost: str) -> str:
    """The shovel's ``src-uri``: the local node (a direct connection), in ``vhost`` (``amqp://`` alone is
    the default vhost ``/``)."""
    return f"amqp:///{quote(vhost, safe='')}"


def shovel_definition(vhost: str, partner: str, our_key: str, dest_uri: str) -> dict[str, Any]:
    """The dynamic shovel's parameter value forwarding ``crossborder.out.<partner>`` of ``vhost``."""
    return {
        "src-protocol": "amqp091",
        "src-uri": local_uri(vhost),
        "src-queue": names.crossborder_out_queue(partner),
        "src-delete-after": "never",
        "dest-protocol": "amqp091",
        "dest-uri": dest_uri,
        "dest-exchange": names.crossborder_in_exchange(our_key),
        "dest-add-forward-headers": False,
        "ack-mode": "on-confirm",
        "reconnect-delay": RECONNECT_DELAY_SECONDS,
    }


async def create_link(
    client: ManagementClient,
    vhost: str,
    partner: str,
    our_key: str,
    uri: str,
    password: str,
    *,
    partner_vhost: str | None = None,
    link_user: str | None = None,
) -> None:
    """Put the shovel to ``partner`` (replacing an existing one: the broker restarts it). ``link_user``
    overrides ``nsw-link-<our key>`` where the partner's table was built with other link user names
    (tests and demos sharing one broker)."""
    dest = destination_uri(uri, link_user or names.link_user(our_key), password, partner_vhost)
    await client.put_shovel(vhost, names.shovel_name(partner), shovel_definition(vhost, partner, our_key, dest))


async def remove_link(client: ManagementClient, vhost: str, partner: str) -> bool:
    """Delete the shovel to ``partner``; messages not yet forwarded wait in ``crossborder.out.<partner>``."""
    return await client.delete_shovel(vhost, names.shovel_name(partner))


async def shovel_state(client: ManagementClient, vhost: str, partner: str) -> str:
    """``running``, ``starting``, ``terminated`` as the broker reports it, or ``absent``."""
    return await client.get_shovel_status(vhost, names.shovel_name(partner)) or ABSENT


async def wait_for_state(
    client: ManagementClient, vhost: str, partner: str, within: float, wanted: str = RUNNING
) -> str:
    """Poll until the shovel reports ``wanted`` or ``within`` seconds pass; returns the last state seen."""
    deadline = time.monotonic() + within
    while True:
        state = await shovel_state(client, vhost, partner)
        if state == wanted or time.monotonic() >= deadline:
            return state
        await asyncio.sleep(_POLL_SECONDS)
