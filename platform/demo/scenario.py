"""The demo's consignments: the shipped consignment examples, each with the outcome the demo expects.

The documents are the spec examples themselves (message_specs/documents/consignment/examples/valid/), so the
demo shows exactly what the specs promise; only the expected outcome is written here, and the demo checks
its own run against it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.specs import Catalog

DOCUMENT_TYPE = "consignment"
ANSWER = "answer"
CANCEL = "cancel"
TRADER_ANSWER = "Trailer KZ 7781 AB 02 carries the load; the reefer unit's seal is KZ-S-0091."


@dataclass(frozen=True, slots=True)
class DemoConsignment:
    """One submission of the demo and what must come of it."""

    key: str
    title: str
    example: str  # file name of the shipped consignment example
    expected_status: str
    expected_recipients: tuple[str, ...]
    story: str  # one line on why the outcome is what it is
    passes_through: tuple[str, ...] = ()  # consolidated statuses the submission must show on the way
    variant: tuple[tuple[str, str], ...] = ()  # top-level fields set over the example: another truck, same goods
    trader_action: str | None = None  # ANSWER: the trader answers an agency's query; CANCEL: cancels once HELD

    def document(self) -> dict[str, Any]:
        """The example document, read fresh from the shipped specs, with the variant's fields."""
        path = _examples_dir() / self.example
        try:
            document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigurationError(f"demo example {self.example!r} is not shipped in {path.parent}") from exc
        return document | dict(self.variant)


def _examples_dir() -> Path:
    return Catalog().get(DOCUMENT_TYPE).folder / "examples" / "valid"


SCENARIO: tuple[DemoConsignment, ...] = (
    DemoConsignment(
        "apples",
        "Fresh apples, CN -> KZ by road at Khorgos",
        "01-apples-cn-to-kz-khorgos.json",
        "CLEARED",
        ("customs", "border-guard", "phytosanitary", "sanitary"),
        "plant products: the exporting country's ePhyto matches the goods; phytosanitary and sanitary control; "
        "one invoice for the three agencies that charge, paid once, and only then released",
        passes_through=("AWAITING_PAYMENT",),
    ),
    DemoConsignment(
        "beef",
        "Frozen beef, KG -> KZ by road at Kordai",
        "02-frozen-beef-kg-to-kz-kordai.json",
        "CLEARED",
        ("customs", "border-guard", "veterinary", "sanitary"),
        "animal-origin food with its veterinary certificate: CHED acceptable; sanitary takes lab samples",
    ),
    DemoConsignment(
        "laptops",
        "Laptops, CN -> KZ by rail at Dostyk",
        "03-laptops-cn-to-kz-rail-dostyk.json",
        "CLEARED",
        ("customs", "border-guard"),
        "industrial goods: customs (conformity certificate written off in the permits register) and the border guard",
    ),
    DemoConsignment(
        "sheep",
        "Live sheep, KG -> KZ at Kordai, no veterinary certificate",
        "04-live-sheep-kg-no-veterinary-certificate.json",
        "REJECTED",
        ("customs", "border-guard", "veterinary"),
        "live animals without the exporting country's veterinary certificate: the CHED is not acceptable",
    ),
    DemoConsignment(
        "transit",
        "TIR transit, CN -> UZ through KZ",
        "05-tir-transit-cn-kz-uz.json",
        "CLEARED",
        ("customs", "border-guard", "phytosanitary", "sanitary"),
        "customs' risk profile sends TIR textiles to the RED channel; inspected, then released: HELD, then CLEARED",
        passes_through=("HELD",),
    ),
    DemoConsignment(
        "query",
        "Frozen beef, a second truck, KG -> KZ at Kordai: the border guard asks, the trader answers",
        "02-frozen-beef-kg-to-kz-kordai.json",
        "CLEARED",
        ("customs", "border-guard", "veterinary", "sanitary"),
        "the truck is on the border guard's watch list: the officer asks about the trailer; the trader's answer "
        "puts it back in front of the officer, who accepts: HELD, then CLEARED",
        passes_through=("HELD",),
        variant=(
            ("documentId", "SUB-KZ-2026-11-0000903"),
            ("traderReference", "ZFD-2026-11-0078"),
            ("ucr", "6KZ151140021876-BEF2611004"),
        ),
        trader_action=ANSWER,
    ),
    DemoConsignment(
        "cancelled",
        "Frozen beef, a third truck, KG -> KZ at Kordai: the trader cancels mid-way",
        "02-frozen-beef-kg-to-kz-kordai.json",
        "CANCELLED",
        ("customs", "border-guard", "veterinary", "sanitary"),
        "held for the border guard's x-ray, the trader cancels; every agency it was sent to is told "
        "(a cancellation notice each) and stops working on it",
        passes_through=("HELD",),
        variant=(
            ("documentId", "SUB-KZ-2026-11-0000904"),
            ("traderReference", "ZFD-2026-11-0079"),
            ("ucr", "6KZ151140021876-BEF2611005"),
        ),
        trader_action=CANCEL,
    ),
)
