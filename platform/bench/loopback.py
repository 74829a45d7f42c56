"""Benches send load, so they may target only this machine: every URL a bench is given must name a
loopback host (127.0.0.0/8, localhost or ::1). Anything else is refused before a connection is made."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

from singlewindow.platform.errors import InvalidInput


def require_loopback(url: str, what: str) -> str:
    """``url`` unchanged when its host is a loopback address; InvalidInput otherwise."""
    try:
        host = urlsplit(url).hostname
    except ValueError as exc:
        raise InvalidInput(f"{what}: not a URL: {url!r}") from exc
    if host is None:
        raise InvalidInput(f"{what}: no host in {url!r}")
    if host == "localhost":
        return url
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise InvalidInput(f"{what}: benches target only this machine (127.0.0.1, localhost, ::1), not {host!r}")
    return url


def redact_password(url: str) -> str:
    """``url`` with its password replaced by ``***``, for reports."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
