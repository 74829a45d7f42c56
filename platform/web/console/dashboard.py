"""The time-release dashboard: the figures of ``GET /v1/reports/time-release`` and ``/trade`` for the period
chosen, as headline numbers, server-drawn charts and tables, with the API's CSV for download. Operators,
officers and agencies may read them; anyone else gets the API's refusal (the portal's 404 page)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from singlewindow.platform.reports.durations import readable
from singlewindow.platform.web.console.charts import Bar, bar_chart
from singlewindow.platform.web.portal import Portal

REPORTS = ("time-release", "trade")
TONES = {"GREEN": "green", "YELLOW": "yellow", "RED": "red"}


def period_of(request: Request) -> dict[str, str]:
    """``from``/``to`` as typed (at most a date's length); the API checks them and points at a bad one."""
    return {name: value[:10] for name in ("from", "to") if (value := request.query_params.get(name, "").strip())}


def duration_bars(groups: Sequence[Mapping[str, Any]], segment: str) -> list[Bar]:
    bars = []
    for group in groups:
        median = (group.get(segment) or {}).get("medianSeconds")
        if median is not None:
            bars.append(Bar(str(group["key"]), float(median), readable(median)))
    return bars


def channel_bars(channels: Mapping[str, int]) -> list[Bar]:
    total = sum(channels.values())
    return [
        Bar(name, float(count), f"{count} ({round(100 * count / total) if total else 0} %)", TONES.get(name, "bar"))
        for name, count in channels.items()
    ]


def charts(trs: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, Markup]:
    return {
        "agency": bar_chart(labels["agency"], duration_bars(trs["byAgency"], "lodgementToRelease")),
        "day": bar_chart(labels["day"], duration_bars(trs["byDay"], "lodgementToRelease")),
        "crossing": bar_chart(labels["crossing"], duration_bars(trs["byCrossingPoint"], "arrivalToRelease")),
        "channels": bar_chart(labels["channels"], channel_bars(trs["channels"])),
    }


def dashboard_routes(portal: Portal) -> list[Route]:
    async def dashboard(request: Request) -> Response:
        period = period_of(request)
        async with portal.hub_of(request) as hub:
            trs = await hub.report("time-release", period)
            trade = await hub.report("trade", period)
        gettext = portal.pages.language_of(request).gettext
        labels = {
            "agency": gettext("Median time from lodgement to each agency's release"),
            "day": gettext("Median time from lodgement to release, per day"),
            "crossing": gettext("Median time from arrival to release, per border crossing point"),
            "channels": gettext("Consignments per control channel"),
        }
        return portal.pages.render(
            request, "dashboard.html", trs=trs, trade=trade, period=period, charts=charts(trs, labels),
            labels=labels, readable=readable,
        )  # fmt: skip

    async def download(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in REPORTS:
            return portal.pages.render(request, "problem.html", 404, problem="not_found")
        async with portal.hub_of(request) as hub:
            text = await hub.report_csv(name, period_of(request))
        disposition = f'attachment; filename="{name}.csv"'
        return Response(text, media_type="text/csv; charset=utf-8", headers={"content-disposition": disposition})

    return [
        Route("/dashboard", portal.guarded(dashboard), methods=["GET"]),
        Route("/dashboard/{name}.csv", portal.guarded(download), methods=["GET"]),
    ]
