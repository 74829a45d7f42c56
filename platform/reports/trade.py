"""Trade statistics from the declarations: goods items, net mass and statistical value by HS chapter, by
partner country and by month, each split by direction (import, export, transit).

Declarations are the current versions of goods declarations and of single-window consignments that were not
cancelled or rejected; a consignment whose UCR also has a goods declaration counts once, as the declaration.
The partner is, as IMTS 2010 recommends, the country of origin of each imported item (the export country
when the item names none), the destination of exports and the export country of transits. Values are
summed per currency with exact decimals: SQLite has no decimal type, so the sums run here, in one pass over
the declarations' rows for all three breakdowns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from singlewindow.platform.aggregation import Consolidated
from singlewindow.platform.reports.milestones import in_period
from singlewindow.platform.reports.period import Period
from singlewindow.platform.state.common import aware
from singlewindow.platform.storage.tables import submission_versions, submissions

GOODS_DECLARATION = "goods-declaration"
CONSIGNMENT = "consignment"
DIRECTIONS = {"IM": "import", "EK": "export", "TR": "transit"}
BREAKDOWNS = ("byChapter", "byPartner", "byPeriod")


@dataclass(slots=True)
class TradeRow:
    """One (breakdown key, direction): declarations, goods items, net mass (kg), value per currency."""

    key: str
    direction: str
    declarations: set[str] = field(default_factory=set)
    goods_items: int = 0
    net_mass_kg: Decimal = Decimal(0)
    value: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "direction": self.direction,
            "declarations": len(self.declarations),
            "goodsItems": self.goods_items,
            "netMassKg": str(self.net_mass_kg),
            "statisticalValue": {currency: str(amount) for currency, amount in sorted(self.value.items())},
        }


@dataclass(frozen=True, slots=True)
class TradeReport:
    period: Period
    declarations: int
    breakdowns: Mapping[str, Sequence[TradeRow]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.as_dict(),
            "declarations": self.declarations,
            **{name: [row.as_dict() for row in rows] for name, rows in self.breakdowns.items()},
        }


def _decimal(value: Any) -> Decimal:
    """A schema-valid decimal string; anything else (an older document) counts as nothing, not a crash."""
    try:
        found = Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)
    return found if found.is_finite() else Decimal(0)


def _direction(document: Mapping[str, Any], home_country: str) -> str:
    procedure = document.get("procedure")
    written = procedure.get("direction") if isinstance(procedure, Mapping) else None
    if written in DIRECTIONS:
        return DIRECTIONS[written]
    if document.get("destinationCountry") == home_country:
        return "import"
    return "export" if document.get("exportCountry") == home_country else "transit"


def _partner(document: Mapping[str, Any], item: Mapping[str, Any], direction: str) -> str:
    if direction == "export":
        return str(document.get("destinationCountry") or "unknown")
    if direction == "import" and item.get("originCountry"):
        return str(item["originCountry"])
    return str(document.get("exportCountry") or "unknown")


class _Fold:
    def __init__(self, home_country: str) -> None:
        self._home = home_country
        self._rows: dict[str, dict[tuple[str, str], TradeRow]] = {name: {} for name in BREAKDOWNS}
        self.declarations = 0

    def add(self, declaration: str, month: str, document: Mapping[str, Any]) -> None:
        self.declarations += 1
        direction = _direction(document, self._home)
        items = document.get("goodsItems")
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, Mapping):
                continue
            code = item.get("commodityCode")
            hs_code = code.get("hsCode") if isinstance(code, Mapping) else None
            keys = {
                "byChapter": str(hs_code)[:2] if hs_code else "unknown",
                "byPartner": _partner(document, item, direction),
                "byPeriod": month,
            }
            for name, key in keys.items():
                row = self._rows[name].setdefault((key, direction), TradeRow(key, direction))
                row.declarations.add(declaration)
                row.goods_items += 1
                row.net_mass_kg += _decimal(item.get("netMassKg"))
                value = item.get("statisticalValue")
                if isinstance(value, Mapping) and isinstance(value.get("currency"), str):
                    row.value[value["currency"]] += _decimal(value.get("amount"))

    def report(self, period: Period) -> TradeReport:
        return TradeReport(
            period, self.declarations, {name: [rows[k] for k in sorted(rows)] for name, rows in self._rows.items()}
        )


async def trade_report(conn: AsyncConnection, period: Period, home_country: str) -> TradeReport:
    counted = [s.value for s in (Consolidated.CANCELLED, Consolidated.REJECTED)]
    query = in_period(
        select(
            submissions.c.id,
            submissions.c.document_type,
            submissions.c.ucr,
            submissions.c.created_at,
            submission_versions.c.document,
        )
        .join(
            submission_versions,
            and_(
                submission_versions.c.submission_id == submissions.c.id,
                submission_versions.c.version == submissions.c.current_version,
            ),
        )
        .where(
            submissions.c.document_type.in_((GOODS_DECLARATION, CONSIGNMENT)),
            submission_versions.c.cancelled.is_(False),
            submission_versions.c.status.not_in(counted),
        )
        .order_by(submissions.c.created_at, submissions.c.id),
        period,
    )
    rows = list(await conn.execute(query))
    declared = {row.ucr for row in rows if row.document_type == GOODS_DECLARATION}
    fold = _Fold(home_country)
    for row in rows:
        if row.document_type == CONSIGNMENT and row.ucr in declared:
            continue
        fold.add(row.id, aware(row.created_at).astimezone(UTC).strftime("%Y-%m"), row.document)
    return fold.report(period)
