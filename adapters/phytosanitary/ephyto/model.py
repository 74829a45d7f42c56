"""What the hub takes from an ePhyto: the facts the plant quarantine officer checks against the declaration
(and shows), as immutable values with a JSON-ready form for ``nsw formats check``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

_KILOGRAMS_PER = {"KGM": Decimal(1), "TNE": Decimal(1000), "GRM": Decimal("0.001")}


@dataclass(frozen=True, slots=True)
class Measure:
    value: Decimal
    unit: str
    """UN/ECE Recommendation 20 code; empty when the sender gave none (the standard allows that)."""

    @property
    def kilograms(self) -> Decimal | None:
        """None when the unit is not a mass the hub knows."""
        factor = _KILOGRAMS_PER.get(self.unit)
        return self.value * factor if factor is not None else None

    def document(self) -> dict[str, str]:
        return {"value": str(self.value), "unit": self.unit}


@dataclass(frozen=True, slots=True)
class Note:
    subject: str
    contents: tuple[str, ...]

    def document(self) -> dict[str, object]:
        return {"subject": self.subject, "contents": list(self.contents)}


@dataclass(frozen=True, slots=True)
class Classification:
    system: str
    code: str
    names: tuple[str, ...]

    def document(self) -> dict[str, object]:
        return {"system": self.system, "code": self.code, "names": list(self.names)}


@dataclass(frozen=True, slots=True)
class Treatment:
    type_code: str
    started: str | None
    ended: str | None
    duration: Measure | None
    characteristics: tuple[tuple[str, ...], ...]
    """Each characteristic's descriptions (an ePhyto treatment code such as TTCO first), value appended."""

    def document(self) -> dict[str, object]:
        return {
            "type": self.type_code,
            "started": self.started,
            "ended": self.ended,
            "duration": self.duration.document() if self.duration else None,
            "characteristics": [list(c) for c in self.characteristics],
        }


def _measure(measure: Measure | None) -> dict[str, str] | None:
    return measure.document() if measure else None


@dataclass(frozen=True, slots=True)
class CertificateLine:
    sequence: Decimal
    description: str
    common_names: tuple[str, ...]
    scientific_names: tuple[str, ...]
    intended_uses: tuple[str, ...]
    net_weight: Measure | None
    gross_weight: Measure | None
    net_volume: Measure | None
    gross_volume: Measure | None
    classifications: tuple[Classification, ...]
    origin_countries: tuple[str, ...]
    treatments: tuple[Treatment, ...]
    notes: tuple[Note, ...]

    @property
    def net_weight_kg(self) -> Decimal | None:
        """None when the line states no net weight, or one in a unit that is not a mass."""
        return self.net_weight.kilograms if self.net_weight else None

    @property
    def hs_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.classifications if c.system.upper() == "HS" and c.code)

    def document(self) -> dict[str, object]:
        return {
            "sequence": str(self.sequence),
            "description": self.description,
            "commonNames": list(self.common_names),
            "scientificNames": list(self.scientific_names),
            "intendedUses": list(self.intended_uses),
            "netWeight": _measure(self.net_weight),
            "grossWeight": _measure(self.gross_weight),
            "netVolume": _measure(self.net_volume),
            "grossVolume": _measure(self.gross_volume),
            "hsCodes": list(self.hs_codes),
            "classifications": [c.document() for c in self.classifications],
            "originCountries": list(self.origin_countries),
            "treatments": [t.document() for t in self.treatments],
            "notes": [n.document() for n in self.notes],
        }


@dataclass(frozen=True, slots=True)
class PhytoCertificate:
    number: str
    type_code: str
    status_code: str
    issued_as_written: str
    issued_at: str | None
    """ISO 8601, or None when the IssueDateTime is not a point in time the hub can read."""
    issuer: str
    consignor: str
    consignee: str
    export_country: str
    import_country: str
    transit_countries: tuple[str, ...]
    notes: tuple[Note, ...]
    lines: tuple[CertificateLine, ...]

    @property
    def withdrawn(self) -> bool:
        return self.status_code == "40"

    def document(self) -> dict[str, object]:
        return {
            "number": self.number,
            "type": self.type_code,
            "status": self.status_code,
            "issuedAt": self.issued_at,
            "issuedAtAsWritten": self.issued_as_written,
            "issuer": self.issuer,
            "consignor": self.consignor,
            "consignee": self.consignee,
            "exportCountry": self.export_country,
            "importCountry": self.import_country,
            "transitCountries": list(self.transit_countries),
            "notes": [n.document() for n in self.notes],
            "lines": [line.document() for line in self.lines],
        }
