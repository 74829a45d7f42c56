"""Issue 12: quiet, useful logs. At INFO a business event is one line; the HTTP client's line per request
(every poll an adapter makes to the hub) is not logged."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from singlewindow.platform.logs import configure_logging
from singlewindow.platform.settings import LogSettings


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)
    structlog.reset_defaults()


def test_http_client_request_lines_are_not_logged_at_info(
    restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(LogSettings(level="info", format="json"))
    logging.getLogger("httpx").info('HTTP Request: GET http://hub/v1/officer/decisions "HTTP/1.1 200 OK"')
    logging.getLogger("httpcore.connection").debug("connect_tcp.started")
    structlog.get_logger("singlewindow.test").info("decision published", submission_id="s_1")
    logging.getLogger("httpx").warning("the hub closed the connection")

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [line["event"] for line in lines] == ["decision published", "the hub closed the connection"]
    assert lines[0]["submission_id"] == "s_1" and lines[0]["level"] == "info"
