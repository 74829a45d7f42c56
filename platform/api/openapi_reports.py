"""The OpenAPI paths of the time-release and trade figures (``reports_http``), for operators, officers and
agencies; the field meanings are in docs/reports.md."""

from __future__ import annotations

from typing import Any

from singlewindow.platform.api.openapi_common import INTEGER, TEXT, operation, query, ref

_SECONDS = {"type": ["number", "null"], "description": "Seconds; null when no consignment has the segment"}
_DATE = {"type": "string", "format": "date"}
_STAMP_OR_NULL = {"type": ["string", "null"], "format": "date-time"}


def _segment_map() -> dict[str, Any]:
    return {"type": "object", "additionalProperties": ref("Durations")}


def report_schemas() -> dict[str, Any]:
    group = {
        "type": "object",
        "description": "`key`, `consignments` and one Durations per segment (as in `segments`)",
        "properties": {"key": TEXT, "consignments": INTEGER},
        "additionalProperties": ref("Durations"),
    }
    trade_row = {
        "type": "object",
        "properties": {
            "key": TEXT,
            "direction": {"enum": ["import", "export", "transit"]},
            "declarations": INTEGER,
            "goodsItems": INTEGER,
            "netMassKg": {"type": "string", "description": "Decimal"},
            "statisticalValue": {
                "type": "object",
                "description": "Currency code -> decimal sum",
                "additionalProperties": {"type": "string"},
            },
        },
    }
    period = {
        "type": "object",
        "properties": {"from": {"type": ["string", "null"], "format": "date"}, "to": {"type": ["string", "null"]}},
    }
    return {
        "Durations": {
            "type": "object",
            "properties": {"count": INTEGER, "medianSeconds": _SECONDS, "p90Seconds": _SECONDS},
        },
        "TimeReleaseReport": {
            "type": "object",
            "properties": {
                "period": period,
                "consignments": INTEGER,
                "released": INTEGER,
                "arrived": INTEGER,
                "exited": INTEGER,
                "preArrivalLodgements": INTEGER,
                "segments": _segment_map(),
                "byAgency": {"type": "array", "items": group},
                "byCrossingPoint": {"type": "array", "items": group},
                "byDay": {"type": "array", "items": group},
                "channels": {"type": "object", "additionalProperties": INTEGER},
                "backlog": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "agency": TEXT,
                            "awaitingDecision": INTEGER,
                            "held": INTEGER,
                            "overdue": INTEGER,
                            "oldestWaitingSince": _STAMP_OR_NULL,
                            "officerQueueWaiting": INTEGER,
                            "officerQueueClaimed": INTEGER,
                        },
                    },
                },
            },
        },
        "TradeReport": {
            "type": "object",
            "properties": {
                "period": period,
                "declarations": INTEGER,
                "byChapter": {"type": "array", "items": trade_row},
                "byPartner": {"type": "array", "items": trade_row},
                "byPeriod": {"type": "array", "items": trade_row},
            },
        },
    }


def _report(summary: str, op_id: str, schema: str) -> dict[str, Any]:
    responses = {
        "200": {
            "description": "The figures (`format=csv`: one long table, `text/csv`, as `nsw report --csv`)",
            "content": {
                "application/json": {"schema": ref(schema)},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    }
    parameters = [
        query("from", _DATE, "First day (UTC) of the period, by lodgement; absent: from the beginning"),
        query("to", _DATE, "Last day (UTC), included; absent: up to now"),
        query("format", {"enum": ["json", "csv"], "default": "json"}, "json or csv"),
    ]
    return {"get": operation(summary, op_id, responses, parameters=parameters)}


def report_paths() -> dict[str, Any]:
    return {
        "/v1/reports/time-release": _report(
            "Time-release figures (WCO TRS): segments, per agency, crossing point and day; channels; backlog",
            "getTimeReleaseReport",
            "TimeReleaseReport",
        ),
        "/v1/reports/trade": _report(
            "Trade statistics by HS chapter, partner country and month", "getTradeReport", "TradeReport"
        ),
    }
