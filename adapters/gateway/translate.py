"""Code translation between our codes and a partner's, applied only at known places of each document type.

Which places, and why only those: both hubs write documents in the shared specs, whose customs-offices and
border-crossing-points lists hold both countries' codes. Most coded places name one side of the border on
purpose (a manifest's office of exit is ours, its office of entry theirs; a control result names the office
that controlled; a phytosanitary certificate's point of exit and point of entry; a TIR declaration's offices
en route, each with its country; the office that terminated a transit). Rewriting those through the pair
tables would turn our office of exit into theirs, so they travel unchanged. Translated are the places that
name something both sides share but each writes its own way:

- ``borderCrossingPoint`` of a cargo manifest: the crossing where the joint control takes place; each side
  names it by its own checkpoint (Nur Zholy / Horgos), so it goes through the crossing-point pairs;
- package type codes (``.../packages/*/typeCode``): through ``packageTypes`` where national practice differs;
- reference kinds (``/references/*/type``, every document type): through ``documentCodes``;
- the HS code is never translated: ``commodityCode.hsCode`` keeps its 6 international digits and a
  ``nationalCode`` travels beside it unchanged; one without ``nationalCodeList`` gets the sender's list id
  (``translations.nationalCodeLists``), so the receiver classifies under its own tariff knowing whose code
  it was given. The specs' CommodityCode already has both fields; no spec changes.

The ``customsOffices`` table (counterpart offices at one crossing) is checked with the profile and offered
through ``Translator.counterpart_office``, but no place of the shipped specs names "the office at the
crossing, whichever side reads it", so it rewrites nothing.

A code at a translated place without a mapping is left unchanged when it is already valid on the receiving
side, otherwise ``InvalidInput`` names its JSON pointer (the gateway core turns that into a REJECTED
receipt, or refuses to send).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from singlewindow.adapters.gateway.profiles import (
    CodeTables,
    Direction,
    PartnerProfile,
    Table,
    shipped_code_tables,
)
from singlewindow.platform.errors import InvalidInput, Problem

ANY = "*"
HS_PLACE = "commodityCode"

PACKAGES = ("packages", ANY, "typeCode")
REFERENCES: tuple[tuple[tuple[str, ...], Table], ...] = ((("references", ANY, "type"), Table.DOCUMENT_CODES),)

PLACES: Mapping[str, tuple[tuple[tuple[str, ...], Table], ...]] = {
    "cargo-manifest": (
        (("borderCrossingPoint",), Table.BORDER_CROSSING_POINTS),
        (("consignments", ANY, "goods", ANY, *PACKAGES), Table.PACKAGE_TYPES),
        *REFERENCES,
    ),
    "control-result": REFERENCES,
    "phytosanitary-certificate": ((("goodsItems", ANY, *PACKAGES), Table.PACKAGE_TYPES), *REFERENCES),
    "tir-transit-declaration": ((("goodsItems", ANY, *PACKAGES), Table.PACKAGE_TYPES), *REFERENCES),
    "transit-termination-notice": REFERENCES,
    "passenger-currency-declaration": REFERENCES,
    "agency-decision": REFERENCES,
    "cancellation-notice": REFERENCES,
}
"""Per document type: (path with ``*`` for every array item, table). A type not listed is not translated."""

COMMODITY_CODES: Mapping[str, tuple[str, ...]] = {
    "phytosanitary-certificate": ("goodsItems", ANY, HS_PLACE),
    "tir-transit-declaration": ("goodsItems", ANY, HS_PLACE),
}
"""Per document type: where its CommodityCode objects (hsCode, nationalCode, nationalCodeList) sit."""


def _escape(part: str | int) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def _places(node: Any, path: tuple[str, ...], pointer: str) -> Iterator[tuple[Any, str | int, str]]:
    """(container, key, JSON pointer) of every value at ``path``; missing optional members are skipped."""
    head, rest = path[0], path[1:]
    if head == ANY:
        if not isinstance(node, list):
            return
        keys: list[str | int] = list(range(len(node)))
    else:
        if not isinstance(node, dict) or head not in node:
            return
        keys = [head]
    for key in keys:
        at = f"{pointer}/{_escape(key)}"
        if rest:
            yield from _places(node[key], rest, at)
        else:
            yield node, key, at


@dataclass(frozen=True)
class Translator:
    """One partner's tables with the code lists that say what is valid on each side."""

    profile: PartnerProfile
    codes: CodeTables

    def outbound(self, document_type: str, document: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of our ``document`` with our codes written the partner's way; InvalidInput names each code
        that is neither mapped nor valid for the partner."""
        return self._translate(document_type, document, Direction.OUTBOUND)

    def inbound(self, document_type: str, document: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of the partner's ``document`` with its codes written our way (the inverse tables)."""
        return self._translate(document_type, document, Direction.INBOUND)

    def code(self, table: Table, direction: Direction, code: str) -> str | None:
        """The translation of one code, the code itself when it is already valid on the receiving side, or
        None when it is neither."""
        translations = self.profile.translations
        if direction is Direction.OUTBOUND:
            mapped, receiver = translations.to_partner(table, code), self.profile.country
        else:
            mapped, receiver = translations.to_home(table, code), self.profile.home.country
        if mapped is not None:
            return mapped
        if self._valid_for(table, code, receiver):
            return code
        return None

    def counterpart_office(self, office: str) -> str | None:
        """The partner's office facing our ``office`` across the crossing (or ours facing theirs)."""
        translations = self.profile.translations
        mapped = translations.to_partner(Table.CUSTOMS_OFFICES, office)
        return mapped if mapped is not None else translations.to_home(Table.CUSTOMS_OFFICES, office)

    def _valid_for(self, table: Table, code: str, country: str) -> bool:
        list_id = table.code_list
        if not self.codes.countries(list_id):
            return self.codes.is_code(list_id, code)
        return self.codes.is_code(list_id, code, country)

    def _translate(self, document_type: str, document: Mapping[str, Any], direction: Direction) -> dict[str, Any]:
        result: dict[str, Any] = copy.deepcopy(dict(document))
        problems: list[Problem] = []
        receiver = self.profile.country if direction is Direction.OUTBOUND else self.profile.home.country
        for path, table in PLACES.get(document_type, ()):
            for container, key, pointer in list(_places(result, path, "")):
                value = container[key]
                if not isinstance(value, str):
                    continue
                translated = self.code(table, direction, value)
                if translated is None:
                    message = f"{value!r} has no {table.value} mapping and is not a valid code for {receiver}"
                    problems.append(Problem(pointer, "untranslatable", message))
                else:
                    container[key] = translated
        self._label_national_codes(document_type, result, direction)
        if problems:
            raise InvalidInput(f"{document_type}: codes without translation for {receiver}", problems)
        return result

    def _label_national_codes(self, document_type: str, document: dict[str, Any], direction: Direction) -> None:
        """Add the sender's nomenclature id to a national code sent without one; the codes stay unchanged."""
        lists = self.profile.translations.national_code_lists
        path = COMMODITY_CODES.get(document_type)
        if lists is None or path is None:
            return
        sender_list = lists.home if direction is Direction.OUTBOUND else lists.partner
        for container, key, _ in list(_places(document, path, "")):
            commodity = container[key]
            if isinstance(commodity, dict) and "nationalCode" in commodity and "nationalCodeList" not in commodity:
                commodity["nationalCodeList"] = sender_list


def translator(profile: PartnerProfile, codes: CodeTables | None = None) -> Translator:
    """The translator of ``profile`` against the shipped code lists (or ``codes``)."""
    return Translator(profile, codes or shipped_code_tables())


def outbound(profile: PartnerProfile, document_type: str, document: Mapping[str, Any]) -> dict[str, Any]:
    """Shorthand: ``translator(profile).outbound(document_type, document)``."""
    return translator(profile).outbound(document_type, document)


def inbound(profile: PartnerProfile, document_type: str, document: Mapping[str, Any]) -> dict[str, Any]:
    """Shorthand: ``translator(profile).inbound(document_type, document)``."""
    return translator(profile).inbound(document_type, document)


inbound_translation = inbound
"""The name the gateway core's inbound path imports."""
outbound_translation = outbound
