"""The recipients catalogue: one file (``message_specs/routing/recipients.json``) that topology, routing
and adapters all read, so an agency's queue names, broker user, view and deadline cannot drift apart.

The file is checked against its JSON Schema first (so an author sees a JSON pointer to each mistake), then
for what a schema cannot say (unique ids and users, increasing retry tiers), and only then becomes typed
models.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from jsonschema import Draft202012Validator
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from singlewindow import message_specs
from singlewindow.platform.errors import ConfigurationError, Problem

_DURATION = re.compile(r"^P(?:(?P<d>[0-9]+)D)?(?:T(?:(?P<h>[0-9]+)H)?(?:(?P<m>[0-9]+)M)?(?:(?P<s>[0-9]+)S)?)?$")


def parse_duration(value: object) -> timedelta:
    """ISO 8601 duration (days, hours, minutes, whole seconds) to a timedelta; nothing looser."""
    if isinstance(value, timedelta):
        return value
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None or value in ("P", "PT") or str(value).endswith("T"):
        raise ValueError(f"{value!r} is not an ISO 8601 duration such as PT5S, PT30M or P1D")
    parts = {key: int(number or 0) for key, number in match.groupdict().items()}
    duration = timedelta(days=parts["d"], hours=parts["h"], minutes=parts["m"], seconds=parts["s"])
    if duration <= timedelta(0):
        raise ValueError(f"{value!r} is not a positive duration")
    return duration


def format_duration(duration: timedelta) -> str:
    """The inverse of ``parse_duration``: the shortest ISO 8601 spelling (``PT5M``, ``P1DT2H``)."""
    seconds = int(duration.total_seconds())
    days, seconds = divmod(seconds, 86_400)
    hours, seconds = divmod(seconds, 3_600)
    minutes, seconds = divmod(seconds, 60)
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    return "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


WHOLE_DOCUMENT = "document"
"""The view name that means "the document as submitted, unprojected" (a partner hub gets documents whole)."""


class RecipientKind(StrEnum):
    AGENCY = "AGENCY"
    PARTNER = "PARTNER"


class Recipient(BaseModel):
    """One agency or partner hub the router can address."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    id: str
    kind: RecipientKind
    name: str
    broker_user: str = Field(alias="brokerUser")
    view: str
    decision_deadline: Duration = Field(alias="decisionDeadline")
    retry_tiers: tuple[Duration, ...] = Field(alias="retryTiers", min_length=1)
    document_views: dict[str, str] = Field(default_factory=dict, alias="documentViews")

    def view_for(self, document_type: str) -> str:
        """The view this recipient gets of a ``document_type``: the one ``documentViews`` maps it to, else
        ``view``. ``"document"`` (mapped, or a partner's whole ``view``) means the document as submitted,
        unprojected; the answer is then ``document_type`` itself, which is also the type it is encoded as."""
        chosen = self.document_views.get(document_type, self.view)
        return document_type if chosen == WHOLE_DOCUMENT else chosen

    def gets_whole(self, document_type: str) -> bool:
        """True when this recipient receives ``document_type`` as submitted rather than a projection."""
        return self.document_views.get(document_type, self.view) == WHOLE_DOCUMENT


class Catalogue(BaseModel):
    """All recipients, in file order; look-ups by id and by broker user."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int
    recipients: tuple[Recipient, ...]

    def agencies(self) -> tuple[Recipient, ...]:
        """Only the home agencies: officer queues, auto-deciders, what answers with its own officers."""
        return tuple(r for r in self.recipients if r.kind is RecipientKind.AGENCY)

    def with_inbox(self) -> tuple[Recipient, ...]:
        """Every recipient the hub delivers to through an inbox: agencies and partner hubs alike.

        A partner's gateway reads ``agency.<partner>.inbox`` with the same retry tiers and DLQ as an
        agency's adapter, so whatever follows a delivery (dead letters, replays) must cover partners too.
        """
        return self.recipients

    def get(self, recipient_id: str) -> Recipient:
        for recipient in self.recipients:
            if recipient.id == recipient_id:
                return recipient
        known = ", ".join(r.id for r in self.recipients)
        raise ConfigurationError(f"unknown recipient {recipient_id!r} (catalogue has: {known})")

    def by_id(self, recipient_id: str) -> Recipient | None:
        """The recipient ``recipient_id``, or None (``get`` raises instead)."""
        return next((r for r in self.recipients if r.id == recipient_id), None)

    def by_broker_user(self, user: str) -> Recipient | None:
        """The recipient a validated AMQP ``user_id`` belongs to, or None for a stranger."""
        return next((r for r in self.recipients if r.broker_user == user), None)


def default_path() -> Path:
    return Path(str(message_specs.root() / "routing" / "recipients.json"))


def _schema() -> dict[str, Any]:
    text = (message_specs.root() / "routing" / "recipients.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _pointer(parts: Iterator[str | int] | Any) -> str:
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in parts)


def _semantic_problems(data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    seen_ids: dict[str, int] = {}
    seen_users: dict[str, int] = {}
    for index, item in enumerate(data["recipients"]):
        at = f"/recipients/{index}"
        for key, seen, field in ((item["id"], seen_ids, "id"), (item["brokerUser"], seen_users, "brokerUser")):
            if key in seen:
                problems.append(
                    Problem(f"{at}/{field}", "duplicate", f"{key!r} is already used by /recipients/{seen[key]}")
                )
            seen[key] = index
        if item["kind"] == "AGENCY" and item["view"] == WHOLE_DOCUMENT:
            message = (
                "only a PARTNER gets every document whole; an agency names a view (documentViews may say 'document')"
            )
            problems.append(Problem(f"{at}/view", "whole-document", message))
        prefix = "nsw-agency-" if item["kind"] == "AGENCY" else "nsw-partner-"
        if not item["brokerUser"].startswith(prefix):
            problems.append(
                Problem(f"{at}/brokerUser", "pattern", f"a {item['kind']} broker user starts with {prefix!r}")
            )
        try:
            tiers = [parse_duration(t) for t in item["retryTiers"]]
            parse_duration(item["decisionDeadline"])
        except ValueError as exc:
            problems.append(Problem(at, "duration", str(exc)))
            continue
        if any(later <= earlier for earlier, later in itertools.pairwise(tiers)):
            problems.append(Problem(f"{at}/retryTiers", "order", "retry tiers must be strictly increasing"))
    return problems


def parse_catalogue(data: object, source: str = "<catalogue>") -> Catalogue:
    """Validate raw JSON data and build the typed catalogue; every problem is listed in one error."""
    validator = Draft202012Validator(_schema())
    problems = [
        Problem(_pointer(error.absolute_path), str(error.validator), error.message)
        for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    ]
    if not problems:
        assert isinstance(data, dict)
        problems = _semantic_problems(data)
    if problems:
        lines = "\n".join(f"  {p.path or '/'}: {p.message} [{p.code}]" for p in problems)
        raise ConfigurationError(f"invalid recipients catalogue {source}:\n{lines}")
    try:
        return Catalogue.model_validate(data)
    except ValidationError as exc:  # the schema should have caught it; keep the message clear anyway
        raise ConfigurationError(f"invalid recipients catalogue {source}: {exc}") from exc


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read the shipped catalogue (or the file at ``path``)."""
    target = path or default_path()
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigurationError(f"recipients catalogue not found: {target}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"recipients catalogue {target} is not JSON: {exc}") from exc
    return parse_catalogue(data, str(target))
