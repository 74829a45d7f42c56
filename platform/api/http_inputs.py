"""What every HTTP route of the hub reads from a request, under the rules of ``singlewindow.platform.inputs``:
the JSON body (size capped while streaming, parsed with limits) and the text of the URL and data headers.

The route guards call ``check_request`` before any endpoint runs, so a path or query parameter with a NUL or a
noncharacter, or one that is not UTF-8 once percent-decoded, is a 422 with its pointer on every route set
(submissions, attachments, officers, permits).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from singlewindow.platform.errors import InvalidInput, PayloadTooLarge, Problem
from singlewindow.platform.inputs import json_problems, parse_count, parse_json, url_problems

# Headers that carry data into the hub (a resume token, an attachment's name and hash); other headers are
# the HTTP machinery's business.
DATA_HEADERS = ("last-event-id", "x-file-name", "x-content-sha256")


def check_request(request: Request) -> None:
    """The URL is UTF-8; path parameters, query parameters and data headers keep the text rule; InvalidInput
    names them."""
    undecodable = url_problems(request.scope.get("raw_path") or b"", request.scope.get("query_string") or b"")
    if undecodable:
        raise InvalidInput("the URL is not UTF-8 once percent-decoded", undecodable)
    given: list[tuple[str, Any]] = [*request.path_params.items(), *request.query_params.multi_items()]
    given += [(key, request.headers[key]) for key in DATA_HEADERS if key in request.headers]
    problems = [problem for key, value in given for problem in json_problems({key: value})]
    if problems:
        raise InvalidInput("the URL or a header holds a character the hub refuses", problems)


def declared_length(request: Request, limit: int) -> None:
    """Refuse at once a body whose Content-Length is over ``limit`` (only ASCII digits count as a number)."""
    declared = parse_count(request.headers.get("content-length"), "/content-length")
    if declared is not None and declared > limit:
        raise PayloadTooLarge(f"request body is {declared} bytes; the limit is {limit}", [Problem("", "maxBytes", "")])


async def read_json(request: Request, limit: int, *, inner: str | None = None) -> dict[str, Any]:
    """The request's JSON object body, refused as it streams past ``limit``; a body is required.

    ``inner`` names the member (the document) whose problems point into it, as the validator's do.
    """
    declared_length(request, limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"request body exceeds {limit} bytes", [Problem("", "maxBytes", f"at most {limit}")])
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise InvalidInput("a JSON object body is required", [Problem("", "required", "a JSON object")])
    value = parse_json(raw, inner=inner)
    if not isinstance(value, dict):
        raise InvalidInput("the request body must be a JSON object", [Problem("", "type", "an object")])
    return value
