"""HTTP for the time-release and trade figures: ``GET /v1/reports/time-release`` and ``GET /v1/reports/trade``
with ``from``/``to`` (dates, both included) and ``format=json|csv``. Read-only; for operators, officers and
agencies (``singlewindow.platform.reports.REPORT_READERS``), 403 for anyone else."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from singlewindow.platform.api.guarded import caller, guarded
from singlewindow.platform.errors import InvalidInput, Problem
from singlewindow.platform.identity import PrincipalStore
from singlewindow.platform.reports import (
    Period,
    ReportService,
    TimeReleaseReport,
    TradeReport,
    parse_period,
    require_report_reader,
    time_release_csv,
    trade_csv,
)

FORMATS = ("json", "csv")
Report = TypeVar("Report", TimeReleaseReport, TradeReport)


def _format(request: Request) -> str:
    wanted = request.query_params.get("format", "json")
    if wanted not in FORMATS:
        raise InvalidInput("format must be json or csv", [Problem("/format", "enum", "json or csv")])
    return wanted


def _csv(text: str, name: str) -> Response:
    disposition = f'attachment; filename="{name}.csv"'
    return PlainTextResponse(text, media_type="text/csv; charset=utf-8", headers={"content-disposition": disposition})


def report_routes(reports: ReportService, principals: PrincipalStore) -> list[Route]:
    async def figures(request: Request) -> tuple[Period, str]:
        require_report_reader(await caller(principals, request))
        period = parse_period(request.query_params.get("from"), request.query_params.get("to"))
        return period, _format(request)

    def endpoint(
        build: Callable[[Period], Awaitable[Report]], as_csv: Callable[[Report], str], name: str
    ) -> Callable[[Request], Awaitable[Response]]:
        async def serve(request: Request) -> Response:
            period, wanted = await figures(request)
            found = await build(period)
            return _csv(as_csv(found), name) if wanted == "csv" else JSONResponse(found.as_dict())

        return serve

    return [
        Route(
            "/v1/reports/time-release",
            guarded(endpoint(reports.time_release, time_release_csv, "time-release")),
            methods=["GET"],
        ),
        Route("/v1/reports/trade", guarded(endpoint(reports.trade, trade_csv, "trade")), methods=["GET"]),
    ]
