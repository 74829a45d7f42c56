"""Async registry client with caches: schemas by id and versions by (subject, version) never change once
registered, so they are fetched once; registrations are cached by (subject, type, text); ``latest`` is
cached only for ``latest_ttl`` seconds because a new version may arrive at any time."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from singlewindow.registry.errors import StoreError, error_from_response
from singlewindow.registry.formats import fingerprint
from singlewindow.registry.models import SchemaType

_MEDIA = "application/vnd.schemaregistry.v1+json"


@dataclass(frozen=True, slots=True)
class RegisteredSchema:
    """A schema as the registry holds it; ``subject``/``version`` are set when fetched through a subject."""

    id: int
    schema_type: SchemaType
    schema: str
    subject: str | None = None
    version: int | None = None

    @property
    def fingerprint(self) -> str:
        """SHA-256 of type and normalised text, as the registry computes it (the server returns the
        normalised text), e.g. for a cross-border envelope that names its schema."""
        return fingerprint(self.schema_type, self.schema)


class RegistryClient:
    def __init__(
        self,
        url: str,
        *,
        timeout: float = 10.0,
        latest_ttl: float = 30.0,
        http: httpx.AsyncClient | None = None,
        token: str | None = None,
    ) -> None:
        """``token``: a principal's bearer token, sent with every call (writes need one; reads do not)."""
        headers = {"Accept": _MEDIA, "Content-Type": _MEDIA}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = http or httpx.AsyncClient(base_url=url.rstrip("/"), timeout=timeout, headers=headers)
        self._latest_ttl = latest_ttl
        self._by_id: dict[int, RegisteredSchema] = {}
        self._by_version: dict[tuple[str, int], RegisteredSchema] = {}
        self._latest: dict[str, tuple[float, RegisteredSchema]] = {}
        self._registered: dict[tuple[str, SchemaType, str], int] = {}

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> RegistryClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        try:
            response = await self._http.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise StoreError(f"Schema registry unreachable: {exc}") from exc
        try:
            payload = response.json()
        except ValueError:
            payload = response.text
        if response.is_error:
            raise error_from_response(response.status_code, payload)
        return payload

    async def get_schema(self, schema_id: int) -> RegisteredSchema:
        cached = self._by_id.get(schema_id)
        if cached is None:
            body = await self._call("GET", f"/schemas/ids/{schema_id}")
            cached = RegisteredSchema(schema_id, SchemaType.parse(body.get("schemaType")), body["schema"])
            self._by_id[schema_id] = cached
        return cached

    async def get_version(self, subject: str, version: int | str = "latest") -> RegisteredSchema:
        latest = str(version).lower() in ("latest", "-1")
        if latest:
            hit = self._latest.get(subject)
            if hit is not None and time.monotonic() - hit[0] < self._latest_ttl:
                return hit[1]
        else:
            cached = self._by_version.get((subject, int(version)))
            if cached is not None:
                return cached
        body = await self._call("GET", f"/subjects/{quote(subject, safe='')}/versions/{version}")
        found = RegisteredSchema(
            body["id"], SchemaType.parse(body.get("schemaType")), body["schema"], subject, body["version"]
        )
        self._by_version[(subject, found.version or 0)] = found
        self._by_id.setdefault(found.id, RegisteredSchema(found.id, found.schema_type, found.schema))
        if latest:
            self._latest[subject] = (time.monotonic(), found)
        return found

    async def register(self, subject: str, schema: str, schema_type: SchemaType = SchemaType.AVRO) -> int:
        key = (subject, schema_type, schema)
        cached = self._registered.get(key)
        if cached is None:
            body = await self._call(
                "POST",
                f"/subjects/{quote(subject, safe='')}/versions",
                {"schema": schema, "schemaType": schema_type.value},
            )
            cached = self._registered[key] = int(body["id"])
        return cached

    async def lookup(self, subject: str, schema: str, schema_type: SchemaType = SchemaType.AVRO) -> RegisteredSchema:
        body = await self._call(
            "POST", f"/subjects/{quote(subject, safe='')}", {"schema": schema, "schemaType": schema_type.value}
        )
        return RegisteredSchema(
            body["id"], SchemaType.parse(body.get("schemaType")), body["schema"], subject, body["version"]
        )

    async def test_compatibility(
        self, subject: str, schema: str, schema_type: SchemaType = SchemaType.AVRO, version: str | None = None
    ) -> tuple[bool, list[str]]:
        """(is_compatible, messages) against one version, or against what registration would check."""
        path = f"/compatibility/subjects/{quote(subject, safe='')}/versions"
        path += f"/{version}?verbose=true" if version is not None else "?verbose=true"
        body = await self._call("POST", path, {"schema": schema, "schemaType": schema_type.value})
        return bool(body["is_compatible"]), [str(m) for m in body.get("messages", [])]

    async def set_compatibility(self, subject: str | None, level: str) -> None:
        path = f"/config/{quote(subject, safe='')}" if subject else "/config"
        await self._call("PUT", path, {"compatibility": level})
