"""Partner profiles: what this single window agreed with each neighbouring one (message_specs/partners/).

A profile is data beside the routing rules, like the IPPC ePhyto hub's country profiles: the document types
per direction with their registry subject and version, the partner's public keys, the link's default
endpoint and the code-translation tables. A file is checked against its JSON Schema first (an author sees a
JSON pointer to each mistake), then for what a schema cannot say (codes exist in the code lists, no code
mapped twice, key validity, known document types, the recipient in the catalogue), and only then becomes
frozen models, the way platform/catalogue.py treats the recipients catalogue.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from singlewindow import message_specs
from singlewindow.adapters.gateway.signing import KeyVerdict
from singlewindow.platform.catalogue import Catalogue, Duration, RecipientKind
from singlewindow.platform.errors import ConfigurationError, Problem
from singlewindow.registry.loader import spec_subject
from singlewindow.registry.models import SchemaType

KeyStatus = Literal["valid", "unknown", "expired", "not-yet-valid"]
PUBLIC_KEY_BYTES = 32
PROFILE_SCHEMA = "profile.schema.json"


class Direction(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class Table(StrEnum):
    """The translation tables, by their JSON name, with the code list each side's codes come from."""

    CUSTOMS_OFFICES = "customsOffices"
    BORDER_CROSSING_POINTS = "borderCrossingPoints"
    PACKAGE_TYPES = "packageTypes"
    DOCUMENT_CODES = "documentCodes"

    @property
    def code_list(self) -> str:
        return _TABLE_LISTS[self]


DOCUMENT_CODES_LIST = "reference-types"
"""Not a code-list file: the specs' shared ReferenceType enum, which CodeTables presents as a list."""

_TABLE_LISTS = {
    Table.CUSTOMS_OFFICES: "customs-offices",
    Table.BORDER_CROSSING_POINTS: "border-crossing-points",
    Table.PACKAGE_TYPES: "package-types",
    Table.DOCUMENT_CODES: DOCUMENT_CODES_LIST,
}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class HubRef(_Model):
    country: str
    hub_id: str = Field(alias="hubId")


class LinkDefaults(_Model):
    """Informational defaults for ``nsw gateway link``; the password is never stored in a profile."""

    vhost: str
    uri: str


class DocumentTerms(_Model):
    document_type: str = Field(alias="documentType")
    subject: str
    schema_version: int = Field(alias="schemaVersion")
    note: str | None = None


class PartnerKey(_Model):
    key_id: str = Field(alias="keyId")
    public_key: str = Field(alias="publicKey")
    valid_from: datetime = Field(alias="validFrom")
    valid_to: datetime = Field(alias="validTo")
    example: bool = False
    note: str | None = None

    def raw(self) -> bytes:
        """The 32 raw Ed25519 public key bytes (the check made sure they decode)."""
        return base64.b64decode(self.public_key, validate=True)

    def status(self, at: datetime) -> KeyStatus:
        if at < self.valid_from:
            return "not-yet-valid"
        if at >= self.valid_to:
            return "expired"
        return "valid"


class CodeMapping(_Model):
    home: str
    partner: str
    note: str | None = None


class NationalCodeLists(_Model):
    home: str
    partner: str


class Translations(_Model):
    """The code tables; each is one to one (the check refuses a code on either side twice)."""

    customs_offices: tuple[CodeMapping, ...] = Field(alias="customsOffices")
    border_crossing_points: tuple[CodeMapping, ...] = Field(alias="borderCrossingPoints")
    package_types: tuple[CodeMapping, ...] = Field(alias="packageTypes")
    document_codes: tuple[CodeMapping, ...] = Field(alias="documentCodes")
    national_code_lists: NationalCodeLists | None = Field(default=None, alias="nationalCodeLists")

    def table(self, table: Table) -> tuple[CodeMapping, ...]:
        return {
            Table.CUSTOMS_OFFICES: self.customs_offices,
            Table.BORDER_CROSSING_POINTS: self.border_crossing_points,
            Table.PACKAGE_TYPES: self.package_types,
            Table.DOCUMENT_CODES: self.document_codes,
        }[table]

    def to_partner(self, table: Table, code: str) -> str | None:
        """The partner's code for our ``code`` in ``table``, None when the table does not map it."""
        return next((m.partner for m in self.table(table) if m.home == code), None)

    def to_home(self, table: Table, code: str) -> str | None:
        """Our code for the partner's ``code`` in ``table``, None when the table does not map it."""
        return next((m.home for m in self.table(table) if m.partner == code), None)


class PartnerProfile(_Model):
    version: Literal[1]
    country: str
    hub_id: str = Field(alias="hubId")
    name: str
    recipient: str
    home: HubRef
    link: LinkDefaults | None = None
    clock_skew: Duration = Field(alias="clockSkew")
    outbound: tuple[DocumentTerms, ...]
    inbound: tuple[DocumentTerms, ...]
    keys: tuple[PartnerKey, ...]
    translations: Translations
    note: str | None = None

    @property
    def key(self) -> str:
        """The partner key used in broker and file names: the lower-case country code."""
        return self.country.lower()

    def outbound_types(self) -> frozenset[str]:
        return frozenset(t.document_type for t in self.outbound)

    def inbound_types(self) -> frozenset[str]:
        return frozenset(t.document_type for t in self.inbound)

    def document(self, direction: Direction | str, document_type: str) -> DocumentTerms | None:
        """The agreed terms of ``document_type`` in ``direction`` ("outbound"/"inbound"), None if not agreed."""
        terms = self.outbound if Direction(direction) is Direction.OUTBOUND else self.inbound
        return next((t for t in terms if t.document_type == document_type), None)

    def key_status(self, key_id: str, at: datetime) -> KeyStatus:
        """Whether the partner's key ``key_id`` verifies at ``at``: valid, unknown, expired or not-yet-valid."""
        entry = next((k for k in self.keys if k.key_id == key_id), None)
        return "unknown" if entry is None else entry.status(at)

    def key_verdict(self, key_id: str, at: datetime) -> KeyVerdict:
        """The signing module's verdict on ``key_id`` at ``at``: the key bytes when valid, else the bounds."""
        entry = next((k for k in self.keys if k.key_id == key_id), None)
        if entry is None:
            return KeyVerdict("unknown")
        status = entry.status(at)
        public_key = entry.raw() if status == "valid" else None
        return KeyVerdict(status, public_key, entry.valid_from, entry.valid_to)

    def public_key(self, key_id: str, at: datetime) -> bytes | None:
        """The raw Ed25519 public key ``key_id`` if it verifies at ``at``; None when unknown or outside validity."""
        entry = next((k for k in self.keys if k.key_id == key_id), None)
        return entry.raw() if entry is not None and entry.status(at) == "valid" else None


@dataclass(frozen=True)
class CodeTables:
    """The home code lists a profile is checked against: each list's entries by code (with their
    ``country``, ``borderCrossingPoint``, ``partnerPoint`` where the list has them), and the specs' shared
    ReferenceType enum presented as the list ``reference-types``."""

    lists: Mapping[str, Mapping[str, Mapping[str, Any]]]
    document_types: frozenset[str]

    def entry(self, list_id: str, code: str) -> Mapping[str, Any] | None:
        return self.lists.get(list_id, {}).get(code)

    def countries(self, list_id: str) -> frozenset[str]:
        """The countries a list holds codes of (empty for a list without countries, e.g. package types)."""
        return frozenset(str(e["country"]) for e in self.lists.get(list_id, {}).values() if "country" in e)

    def is_code(self, list_id: str, code: str, country: str | None = None) -> bool:
        """Whether ``code`` is listed and, for a list with countries and a ``country`` given, is that country's."""
        found = self.entry(list_id, code)
        if found is None:
            return False
        return country is None or "country" not in found or found["country"] == country

    @classmethod
    def from_specs(cls, specs_dir: Path | None = None) -> CodeTables:
        """Read the shipped specs (or those under ``specs_dir``)."""
        root = specs_dir or Path(str(message_specs.root()))
        lists: dict[str, dict[str, Mapping[str, Any]]] = {}
        for path in sorted((root / "codelists").glob("*.json")):
            content = json.loads(path.read_text(encoding="utf-8"))
            lists[path.stem] = {str(e["code"]): e for e in content.get("codes", [])}
        documents = root / "documents"
        types = frozenset(p.name for p in documents.iterdir() if (p / "schema.json").is_file())
        reference_types: list[str] = []
        manifest = documents / "cargo-manifest" / "schema.json"
        if manifest.is_file():
            schema = json.loads(manifest.read_text(encoding="utf-8"))
            reference_types = list(schema.get("$defs", {}).get("ReferenceType", {}).get("enum", []))
        lists[DOCUMENT_CODES_LIST] = {code: {"code": code} for code in reference_types}
        return cls(lists, types)


@cache
def shipped_code_tables() -> CodeTables:
    return CodeTables.from_specs()


def default_directory() -> Path:
    """The KZ deployment's profiles of its partners."""
    return Path(str(message_specs.root() / "partners"))


@cache
def _schema() -> dict[str, Any]:
    text = (message_specs.root() / "partners" / PROFILE_SCHEMA).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _pointer(parts: Iterator[str | int] | Any) -> str:
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in parts)


def schema_problems(data: object) -> list[Problem]:
    """Every way ``data`` breaks profile.schema.json, each at its JSON pointer."""
    validator = Draft202012Validator(_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [
        Problem(_pointer(error.absolute_path), str(error.validator), error.message)
        for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    ]


def semantic_problems(data: Mapping[str, Any], codes: CodeTables, *, file_key: str | None = None) -> list[Problem]:
    """What the schema cannot say, for a schema-valid profile (see the module docstring)."""
    problems: list[Problem] = []
    country, home_country = str(data["country"]), str(data["home"]["country"])
    if file_key is not None and file_key != country.lower():
        problems.append(Problem("/country", "file-name", f"a profile of {country} is named {country.lower()}.json"))
    if country == home_country:
        problems.append(Problem("/home/country", "same-country", "a partner is another country than home"))
    if data["recipient"] != f"partner-{country.lower()}":
        problems.append(Problem("/recipient", "recipient", f"the recipient of {country} is partner-{country.lower()}"))
    for direction in Direction:
        problems += _terms_problems(data[direction.value], f"/{direction.value}", codes)
    problems += _key_problems(data["keys"])
    for table in Table:
        problems += _table_problems(data["translations"][table.value], table, home_country, country, codes)
    return problems


def _terms_problems(terms: list[Mapping[str, Any]], at: str, codes: CodeTables) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(terms):
        where, document_type = f"{at}/{index}", str(item["documentType"])
        if document_type in seen:
            message = f"{document_type!r} is already agreed at {at}/{seen[document_type]}"
            problems.append(Problem(f"{where}/documentType", "duplicate", message))
        seen[document_type] = index
        if document_type not in codes.document_types:
            message = f"{document_type!r} is not a document type of message_specs/documents"
            problems.append(Problem(f"{where}/documentType", "unknown-document-type", message))
        subjects = {spec_subject(document_type, kind) for kind in (SchemaType.AVRO, SchemaType.JSON)}
        if item["subject"] not in subjects:
            wanted = spec_subject(document_type, SchemaType.AVRO)
            message = f"{item['subject']!r} is not a registry subject of {document_type} (the hubs register {wanted})"
            problems.append(Problem(f"{where}/subject", "subject", message))
    return problems


def _key_problems(keys: list[Mapping[str, Any]]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, key in enumerate(keys):
        where, key_id = f"/keys/{index}", str(key["keyId"])
        if key_id in seen:
            problems.append(
                Problem(f"{where}/keyId", "duplicate", f"{key_id!r} is already used by /keys/{seen[key_id]}")
            )
        seen[key_id] = index
        try:
            raw = base64.b64decode(str(key["publicKey"]), validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != PUBLIC_KEY_BYTES:
            message = f"an Ed25519 public key is {PUBLIC_KEY_BYTES} bytes, this decodes to {len(raw)}"
            problems.append(Problem(f"{where}/publicKey", "key-length", message))
        if _instant(key["validFrom"]) >= _instant(key["validTo"]):
            problems.append(Problem(f"{where}/validTo", "validity", "validTo must be later than validFrom"))
        if key.get("example"):
            message = f"{key_id!r} is an example key: import the partner's real key with nsw gateway keys import"
            problems.append(Problem(where, "example-key", message, "warning"))
    return problems


def _instant(value: object) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _table_problems(
    rows: list[Mapping[str, Any]], table: Table, home: str, partner: str, codes: CodeTables
) -> list[Problem]:
    """Each code exists on its side, no code on either side twice, and crossing pairs agree with the list."""
    problems: list[Problem] = []
    at, list_id = f"/translations/{table.value}", table.code_list
    partner_checked = not codes.countries(list_id) or partner in codes.countries(list_id)
    seen: dict[str, dict[str, int]] = {"home": {}, "partner": {}}
    for index, row in enumerate(rows):
        where = f"{at}/{index}"
        for side, country in (("home", home), ("partner", partner)):
            code = str(row[side])
            if code in seen[side]:
                other = "partner" if side == "home" else "home"
                earlier = f"{at}/{seen[side][code]}"
                message = (
                    f"{code!r} is mapped twice ({earlier} to {rows[seen[side][code]][other]!r}, here to "
                    f"{row[other]!r}): a one-to-many mapping cannot be presented as one to one"
                )
                problems.append(Problem(f"{where}/{side}", "one-to-many", message))
            seen[side].setdefault(code, index)
            if side == "partner" and not partner_checked:
                continue
            if not codes.is_code(list_id, code, country):
                owner = f" of {country}" if codes.countries(list_id) else ""
                problems.append(
                    Problem(f"{where}/{side}", "unknown-code", f"{code!r} is not a code{owner} in {list_id}")
                )
        problems += _pair_problems(row, where, table, codes)
    return problems


def _pair_problems(row: Mapping[str, Any], where: str, table: Table, codes: CodeTables) -> list[Problem]:
    """A crossing pair must be the list's pair; counterpart offices must sit at the two sides of one crossing."""
    home = codes.entry(table.code_list, str(row["home"]))
    partner = codes.entry(table.code_list, str(row["partner"]))
    if home is None or partner is None:
        return []
    if table is Table.BORDER_CROSSING_POINTS and home.get("partnerPoint") not in (None, row["partner"]):
        message = f"{row['home']!r} faces {home['partnerPoint']!r} in border-crossing-points, not {row['partner']!r}"
        return [Problem(f"{where}/partner", "not-a-pair", message)]
    if table is Table.CUSTOMS_OFFICES and home.get("borderCrossingPoint") and partner.get("borderCrossingPoint"):
        crossing = codes.entry(Table.BORDER_CROSSING_POINTS.code_list, str(home["borderCrossingPoint"]))
        facing = crossing.get("partnerPoint") if crossing else None
        if facing is not None and facing != partner["borderCrossingPoint"]:
            message = (
                f"{row['home']!r} is at {home['borderCrossingPoint']!r}, which faces {facing!r}; "
                f"{row['partner']!r} is at {partner['borderCrossingPoint']!r}"
            )
            return [Problem(f"{where}/partner", "not-a-pair", message)]
    return []


def catalogue_problems(data: Mapping[str, Any], catalogue: Catalogue | None) -> list[Problem]:
    """The profile's recipient must be a PARTNER of the catalogue; a warning when no catalogue lists it yet."""
    recipient = str(data["recipient"])
    found = None if catalogue is None else next((r for r in catalogue.recipients if r.id == recipient), None)
    if found is None:
        message = f"the recipients catalogue does not list {recipient!r} yet: recipient not checked"
        return [Problem("/recipient", "recipient-unchecked", message, "warning")]
    if found.kind is not RecipientKind.PARTNER:
        return [Problem("/recipient", "recipient-kind", f"{recipient!r} is a {found.kind} recipient, not a PARTNER")]
    return []


def unchecked_partner_lists(data: Mapping[str, Any], codes: CodeTables) -> list[Problem]:
    """A note (warning) for each table whose partner side cannot be checked: the list holds no partner codes."""
    partner = str(data["country"])
    notes = []
    for table in Table:
        countries = codes.countries(table.code_list)
        if countries and partner not in countries and data["translations"][table.value]:
            message = f"{table.code_list} holds no codes of {partner}: the partner side is unchecked"
            notes.append(Problem(f"/translations/{table.value}", "partner-unchecked", message, "warning"))
    return notes


def profile_problems(
    data: object, codes: CodeTables | None = None, *, file_key: str | None = None, catalogue: Catalogue | None = None
) -> list[Problem]:
    """Every problem of one profile's raw data: the schema's first; the semantic ones only for valid data."""
    problems = schema_problems(data)
    if problems or not isinstance(data, Mapping):
        return problems
    tables = codes or shipped_code_tables()
    problems = semantic_problems(data, tables, file_key=file_key) + unchecked_partner_lists(data, tables)
    return problems + catalogue_problems(data, catalogue)


def _read(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigurationError(f"partner profile not found: {path}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"partner profile {path} is not JSON: {exc}") from exc


def parse_profile(data: object, source: str = "<profile>", codes: CodeTables | None = None) -> PartnerProfile:
    """Validate raw data (schema, then semantics but the catalogue) and build the model; every error in one."""
    file_key = Path(source).stem if source.endswith(".json") else None
    errors = [p for p in profile_problems(data, codes, file_key=file_key) if p.severity == "error"]
    if errors:
        lines = "\n".join(f"  {p.path or '/'}: {p.message} [{p.code}]" for p in errors)
        raise ConfigurationError(f"invalid partner profile {source}:\n{lines}")
    try:
        return PartnerProfile.model_validate(data)
    except ValidationError as exc:  # the schema should have caught it; keep the message clear anyway
        raise ConfigurationError(f"invalid partner profile {source}: {exc}") from exc


def load_profile(path: Path, codes: CodeTables | None = None) -> PartnerProfile:
    """One profile file, checked; ConfigurationError lists every problem with its JSON pointer."""
    return parse_profile(_read(path), str(path), codes)


def profile_paths(directory: Path) -> list[Path]:
    """The profile files of a directory (every ``*.json`` but the schema), sorted."""
    return sorted(p for p in directory.glob("*.json") if p.name != PROFILE_SCHEMA)


def load_profiles(directory: Path | None = None, codes: CodeTables | None = None) -> dict[str, PartnerProfile]:
    """Every profile in ``directory`` (default: the shipped message_specs/partners), keyed by partner key."""
    folder = directory or default_directory()
    profiles: dict[str, PartnerProfile] = {}
    for path in profile_paths(folder):
        profile = load_profile(path, codes)
        if profile.key in profiles:
            raise ConfigurationError(f"two profiles of {profile.country} in {folder}")
        profiles[profile.key] = profile
    return profiles


def check_profiles(
    directory: Path | None = None, home_codelists: CodeTables | None = None, catalogue: Catalogue | None = None
) -> dict[Path, list[Problem]]:
    """Every profile file of ``directory`` with its problems (errors and warnings; empty when clean).

    Unlike ``load_profiles`` nothing is raised: a file that is not JSON is one problem at ``/``."""
    folder = directory or default_directory()
    results: dict[Path, list[Problem]] = {}
    for path in profile_paths(folder):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            results[path] = [Problem("", "not-json", f"cannot read a JSON profile: {exc}")]
            continue
        results[path] = profile_problems(data, home_codelists, file_key=path.stem, catalogue=catalogue)
    return results
