"""The hub's HTTP error body, ``{"error", "message", "problems"}``, with the status of the one table.

Rendered with ASCII escapes, so no character a caller sent (echoed in a message or a pointer) can make the
error answer itself fail. Only an error the project did not raise on purpose is logged with its traceback.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import structlog
from starlette.responses import Response

from singlewindow.platform.api.status_codes import error_code, error_message, problems_of, status_of
from singlewindow.platform.errors import NswError

log = structlog.get_logger(__name__)


def error_body(code: str, message: str, problems: Sequence[dict[str, str]], status: int, **headers: str) -> Response:
    body = json.dumps({"error": code, "message": message, "problems": list(problems)}, ensure_ascii=True)
    return Response(body, status_code=status, media_type="application/json", headers=headers or None)


def error_response(error: BaseException) -> Response:
    if not isinstance(error, NswError):
        log.exception("http call failed", exc_info=error)
    problems = [p.as_dict() for p in problems_of(error)]
    return error_body(error_code(error), error_message(error), problems, status_of(error).http)
