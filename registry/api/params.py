"""Lenient request parsing: booleans as ``true``/``True``/``false``/``False``, both spellings of the
parameters the two reference clients send, bodies read under a size limit, JSON whatever the media type.

Bodies are parsed by ``safejson`` (nesting depth checked first; NaN, huge integers, lone surrogates and NUL
refused) and integers are ASCII digits only, so malformed input is a 400, never a 500."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from singlewindow.registry import safejson
from singlewindow.registry.errors import BadRequest, PayloadTooLarge
from singlewindow.registry.guard import Credentials, token_from_authorization
from singlewindow.registry.versions import ascii_int

BODY_LIMITS = safejson.JsonLimits(max_depth=32, max_nodes=100_000, max_members=10_000)
"""A request body is a small object (the schema travels inside it as a string)."""

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no", ""}


def flag(request: Request, *names: str, default: bool = False) -> bool:
    """The first of ``names`` present in the query, as a boolean; anything unreadable is 400."""
    for name in names:
        if name in request.query_params:
            value = request.query_params[name].strip().lower()
            if value in _TRUE:
                return True
            if value in _FALSE:
                return False
            raise BadRequest(f"Query parameter '{name}' must be true or false, not {value!r}")
    return default


def text(request: Request, *names: str, default: str = "") -> str:
    for name in names:
        if name in request.query_params:
            return request.query_params[name]
    return default


def integer(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    number = ascii_int(raw.strip())
    if number is None:
        shown = ascii(raw[:40])
        raise BadRequest(f"Query parameter '{name}' must be an integer of at most 12 ASCII digits, not {shown}")
    return number


def page(request: Request, items: list[Any]) -> list[Any]:
    """Confluent's ``offset`` and ``limit`` (-1 = everything)."""
    offset = max(integer(request, "offset", 0), 0)
    limit = integer(request, "limit", -1)
    return items[offset:] if limit < 0 else items[offset : offset + limit]


async def json_body(request: Request, limit: int) -> dict[str, Any]:
    """The body as a JSON object, refusing more than ``limit`` bytes before reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"Request body of {declared} bytes exceeds the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"Request body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise BadRequest("Request body is empty; a JSON object is required")
    try:
        body = safejson.loads(raw, BODY_LIMITS, what="the request body")
    except safejson.JsonRefused as exc:
        raise BadRequest(f"Malformed JSON in request body: {exc.message}") from None
    if not isinstance(body, dict):
        raise BadRequest("Request body must be a JSON object")
    return body


def credentials(request: Request) -> Credentials:
    """The caller's token for the write guard: ``Authorization: Bearer <token>``, or, for clients that
    only speak basic auth (python-schema-registry-client, ``basic.auth.user.info``), HTTP basic with the
    token as the password (the user name is ignored)."""
    return token_from_authorization(request.headers.get("authorization", ""))
