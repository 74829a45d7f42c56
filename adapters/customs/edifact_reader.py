"""The EDIFACT ``Reader`` (adapters/formats.py) behind ``nsw formats check``: every message of an
interchange read by its UNH type (CUSDEC, CUSRES, CUSCAR) under one code-set profile, as the hub would take
it: a declaration, a decision, a cargo manifest. Never raises for bad input."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from singlewindow.adapters.customs.codeset import CodeSet, choose
from singlewindow.adapters.customs.cuscar import read_cuscar
from singlewindow.adapters.customs.cusdec_reading import read_cusdec
from singlewindow.adapters.customs.cusres import read_cusres
from singlewindow.adapters.customs.edifact import EdifactError, EdiMessage, read_interchange
from singlewindow.adapters.customs.notices import CANCELLATION, RESPONSE, read_header
from singlewindow.adapters.customs.responses import Resend, to_action
from singlewindow.adapters.formats import FormatReading, Problem

Json = dict[str, Any]


def _plain(value: Any) -> Any:
    """Dataclass fields as JSON: decimals as strings (as the model writes money and mass), keys camelCase."""
    if isinstance(value, dict):
        return {_camel(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


def _cusres(message: EdiMessage, codes: CodeSet) -> tuple[Json | None, list[Problem]]:
    response, problems = read_cusres(message, codes)
    if response is None:
        return None, problems
    action = to_action(response)
    taken = (
        {"resend": action.reason} if isinstance(action, Resend) else action.model_dump(mode="json", exclude_none=True)
    )
    document = {**asdict(response), "outcome": response.outcome.name, "issuedAt": response.issued_at.isoformat()}
    del document["issued_at"]
    return {**_plain(document), "decision": taken}, []


def _cusdec(message: EdiMessage, codes: CodeSet) -> tuple[Json | None, list[Problem]]:
    bgm = message.first("BGM")
    function = bgm.elements[2][0] if bgm is not None and len(bgm.elements) > 2 else ""
    if function in (CANCELLATION, RESPONSE):  # no goods items: what the customs system files with the declaration
        try:
            return _plain(asdict(read_header(message))), []
        except EdifactError as exc:
            return None, list(exc.problems)
    declaration, problems = read_cusdec(message, codes)
    return (None, problems) if declaration is None else (_plain(asdict(declaration)), [])


READERS: Mapping[str, Callable[[EdiMessage, CodeSet], tuple[Json | None, list[Problem]]]] = {
    "CUSDEC": _cusdec,
    "CUSRES": _cusres,
    "CUSCAR": read_cuscar,
}


def read_edifact(data: bytes, profile: str | None) -> FormatReading:
    """Each message read as the hub would take it, with the profile applied and every problem found."""
    interchange = read_interchange(data)
    types = sorted({m.type for m in interchange.messages})
    name = "/".join(types) or "EDIFACT"
    codes, refused = choose(profile, interchange.sender)
    problems = [*([refused] if refused else []), *interchange.problems]
    documents = []
    for message in interchange.messages:
        reader = READERS.get(message.type)
        if reader is None:
            problems.append(
                Problem(message.where, "edifact.message-type", f"{message.type} messages are not read here")
            )
            continue
        try:
            document, found = reader(message, codes)
        except ValueError as exc:  # the hub's own model (a pydantic decision) refuses a value a partner sent
            first = str(exc).splitlines()
            document, found = (
                None,
                [Problem(message.where, "edifact.unusable", f"the hub cannot take it: {' '.join(first[:3])}")],
            )
        problems += found
        if document is not None:
            documents.append(
                {"message": message.reference, "type": message.type, "version": message.version, **document}
            )
    return FormatReading(name, tuple(documents), tuple(problems), codes.name)
