"""What the customs system knows of a declaration once it has read the CUSDEC: the fields risk needs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class CitedDocument:
    code: str  # UNCL 1001 document name code, e.g. 853 veterinary certificate
    number: str


@dataclass(frozen=True, slots=True)
class DeclaredItem:
    sequence: int
    hs_code: str
    description: str
    origin_country: str
    net_mass_kg: Decimal
    gross_mass_kg: Decimal
    value: Decimal
    currency: str
    documents: tuple[CitedDocument, ...] = ()

    def value_per_kg(self) -> Decimal | None:
        return None if self.net_mass_kg <= 0 else self.value / self.net_mass_kg


@dataclass(frozen=True, slots=True)
class Declaration:
    """One goods declaration as the customs system stores it, keyed by the declarant's reference."""

    reference: str
    document_code: str  # 929 import, 830 export
    function: str  # UNCL 1225: 9 original, 5 replacement
    declarant_id: str
    importer_id: str | None
    export_country: str | None
    destination_country: str | None
    items: tuple[DeclaredItem, ...]
    replaces: str | None = None  # a replacement's RFF+ACW: the declaration it takes the place of


@dataclass(frozen=True, slots=True)
class TraderRecord:
    """The customs system's record of a trader: AEO status and violations in the last 24 months."""

    id: str
    aeo: bool
    violations: int
