"""Where a dead-lettered message came from, read from the headers RabbitMQ and the retry helper leave."""

from __future__ import annotations

from typing import Any

import pytest

from singlewindow.platform.catalogue import load_catalogue
from singlewindow.platform.dlq import dead_letter_queues, origin_of
from singlewindow.platform.settings import TopologySettings
from singlewindow.platform.topology import build_topology


def _death(queue: str, reason: str, exchange: str, key: str) -> dict[str, Any]:
    return {"queue": queue, "reason": reason, "exchange": exchange, "routing-keys": [key], "count": 1}


@pytest.mark.parametrize(
    ("headers", "origin"),
    [
        (
            {"x-death": [_death("agency.customs.inbox", "delivery_limit", "nsw.agency", "customs")]},
            ("nsw.agency", "customs"),
        ),
        (
            {  # parked after a DLQ's own limit: the oldest event is where it was first published
                "x-death": [
                    _death("agency.customs.dlq", "delivery_limit", "nsw.dlx.customs", "customs"),
                    _death("agency.customs.inbox", "rejected", "nsw.agency", "customs"),
                ]
            },
            ("nsw.agency", "customs"),
        ),
        (
            {  # wait-queue expiries are retry hops, never an origin
                "x-death": [
                    _death("agency.customs.inbox", "delivery_limit", "nsw.agency", "customs"),
                    _death("agency.customs.wait.5s", "expired", "nsw.retry.customs", "5s"),
                ]
            },
            ("nsw.agency", "customs"),
        ),
        (
            {
                "x-nsw-original-exchange": "nsw.agency",
                "x-nsw-original-routing-key": "veterinary",
                "x-death": [_death("agency.veterinary.wait.5m", "expired", "nsw.retry.veterinary", "5m")],
            },
            ("nsw.agency", "veterinary"),
        ),
        ({"x-death": [_death("nsw.router", "rejected", "nsw.intake", "submission")]}, ("nsw.intake", "submission")),
        ({"x-death": [_death("agency.customs.wait.5s", "expired", "nsw.retry.customs", "5s")]}, None),
        ({}, None),
        ({"x-death": [{"queue": "q", "reason": "rejected"}]}, None),
    ],
)
def test_origin_of(headers: dict[str, Any], origin: tuple[str, str] | None) -> None:
    assert origin_of(headers) == origin


def test_operator_dlqs_are_the_agency_dlqs_and_the_parking_queue() -> None:
    catalogue = load_catalogue()
    table = build_topology(catalogue, TopologySettings())
    # Every recipient's inbox DLQ (a partner hub's too); the cross-border link DLQs are the gateway's.
    assert dead_letter_queues(table) == ["nsw.hub.dlq"] + [f"agency.{r.id}.dlq" for r in catalogue.recipients]
    assert dead_letter_queues(table)[:6] == [
        "nsw.hub.dlq",
        "agency.customs.dlq",
        "agency.border-guard.dlq",
        "agency.veterinary.dlq",
        "agency.phytosanitary.dlq",
        "agency.sanitary.dlq",
    ]
