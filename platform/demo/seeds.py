"""What the agency-system stand-ins hold before the demo starts, so the scenario's outcomes follow from the
agencies' own logic rather than from the demo: the customs risk profile and trader register, the permits
the examples cite (in the hub's permits register), and the exporting country's ePhyto certificates.

Everything is derived from the shipped examples and the shipped risk profile, then written into the demo's
temporary folder (or sent to the hub) at start.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

PERMIT_COUNTRY = "KZ"
"""Whose permits the register holds (the customs adapter checks only these; foreign certificates are the
phytosanitary and veterinary services' business)."""

REGISTERED_KINDS = frozenset(
    {"VETERINARY_CERTIFICATE", "PHYTO_CERTIFICATE", "SANITARY_PERMIT", "CONFORMITY_CERTIFICATE",
     "IMPORT_LICENCE", "EXPORT_LICENCE", "CITES_PERMIT"}
)  # fmt: skip

AEO_DECLARANTS = frozenset({"151140021876"})
"""The frozen beef importer is an authorised economic operator: its AEO relief offsets the meat rule, so
the beef goes GREEN (without it the shipped profile sends meat to the YELLOW channel)."""

TRANSIT_RULE: dict[str, Any] = {
    "id": "HS-TEXTILE-TIR",
    "description": "Synthetic woven fabrics (5407) moving under TIR: diversion into the home market",
    "score": 60,
    "hsPrefixes": ["5407"],
}
"""The rule that sends the TIR transit (polyester fabric) to the RED channel. Textiles are the classic
goods of transit diversion; the number is illustrative, like the shipped profile's."""

EPHYTO: Mapping[str, tuple[str, str]] = {
    # key of the consignment -> (package, file): the exporting country's certificate, uploaded and attached
    "apples": ("singlewindow.adapters.phytosanitary", "samples/valid-apples-cn-to-kz.xml"),
    "transit": ("singlewindow.platform.demo", "data/ephyto-tea-cn-to-uz.xml"),
}


def risk_profile() -> dict[str, Any]:
    """The shipped ``kz-import`` profile, plus the transit rule, with no random selection.

    A random share would send a different 5 % of declarations to YELLOW on every run (it is seeded by the
    declaration reference, which contains the new submission id): the demo must end the same way each time.
    """
    shipped = resources.files("singlewindow.adapters.customs") / "profiles" / "kz-import.json"
    profile: dict[str, Any] = json.loads(shipped.read_text(encoding="utf-8"))
    profile["id"], profile["description"] = "nsw-demo", "kz-import for nsw demo: TIR textiles rule, no random share"
    profile["rules"] = [*profile["rules"], TRANSIT_RULE]
    profile["randomControl"] = {**profile["randomControl"], "share": 0}
    return profile


def traders(documents: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The customs trader register: every declarant of the scenario is known, with a clean record."""
    ids = sorted({str(d["declarant"]["identificationNumber"]) for d in documents})
    return [{"id": i, "aeo": i in AEO_DECLARANTS, "violations": 0} for i in ids]


def _holder(document: Mapping[str, Any]) -> str:
    direction = (document.get("procedure") or {}).get("direction", "IM")
    party = document.get("exporter") if direction == "EK" else document.get("importer")
    return str((party or document["declarant"])["identificationNumber"])


def permits(documents: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A register entry (``POST /v1/permits`` body) for each national permit or certificate the examples cite,
    covering exactly the cited goods item. The live sheep cite none, which is why veterinary rejects them."""
    found: dict[str, dict[str, Any]] = {}
    for document in documents:
        for item in document["goodsItems"]:
            for cited in item.get("supportingDocuments", []):
                if cited["type"] not in REGISTERED_KINDS or cited["issuerCountry"] != PERMIT_COUNTRY:
                    continue
                quantity = cited.get("quantityCovered") or item["quantity"]
                issued = date.fromisoformat(cited["issueDate"])
                found[cited["number"]] = {
                    "number": cited["number"],
                    "kind": cited["type"],
                    "holderId": _holder(document),
                    "hsCodes": [item["commodityCode"]["hsCode"]],
                    "description": item["description"][:200],
                    "quantity": {"value": quantity["value"], "unit": quantity["unit"]},
                    "validFrom": issued.isoformat(),
                    "validUntil": cited.get("validUntil") or (issued + timedelta(days=365)).isoformat(),
                }
    return list(found.values())


def ephyto_for(key: str) -> tuple[str, bytes] | None:
    """The file name and XML of the ePhyto certificate the consignment ``key`` travels with, if any."""
    where = EPHYTO.get(key)
    if where is None:
        return None
    package, name = where
    return Path(name).name, (resources.files(package) / name).read_bytes()


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path
