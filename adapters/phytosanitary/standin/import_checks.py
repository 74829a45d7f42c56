"""The plant-protection stand-in's import check register: the adapter files the documentary check of an
imported consignment's ePhyto with the inspector's findings; the inspector releases them at once, or (script
``query_first``) first asks the trader and releases them once the answer arrived. A check is abandoned when
the consignment is cancelled (never decided afterwards) and redone when it is amended (the old one REPLACED).

``POST /import-checks`` (201, 200 for a repeat of ``localReference``), ``GET /import-checks?customsReferenceNumber=``,
``POST /import-checks/{ref}/abandonment`` (404 unknown), ``POST /import-checks/{ref}/answers`` (409 when the
check is abandoned or replaced).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import JSON, Column, DateTime, MetaData, String, Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from singlewindow.adapters.phytosanitary.ppp_api import (
    CheckAbandonment,
    CheckAnswer,
    ImportCheck,
    ImportCheckList,
    ImportCheckRequest,
)
from singlewindow.adapters.standins import ScriptedFaults

QUESTION = "Please confirm the botanical name and the net mass of each line against the certificate"
FIELDS = ("/goodsItems/0/scientificName", "/goodsItems/0/netMassKg")


def checks_table(metadata: MetaData) -> Table:
    return Table(
        "import_checks",
        metadata,
        Column("reference", String(40), primary_key=True),
        Column("local_reference", String(120), nullable=False, unique=True),
        Column("customs_reference", String(35), nullable=False, index=True),
        Column("certificate_number", String(70), nullable=True),
        Column("findings", JSON, nullable=False),
        Column("status", String(10), nullable=False),
        Column("answers", JSON, nullable=True),
        Column("ended_reason", String(1000), nullable=True),
        Column("filed_at", DateTime, nullable=False, server_default=func.current_timestamp()),
    )


def _check(row: Any) -> ImportCheck:
    querying = row.status == "QUERY"
    return ImportCheck(
        checkReference=row.reference,
        localReference=row.local_reference,
        status=row.status,
        findings=row.findings if row.status == "DECIDED" else None,
        question=QUESTION if querying else None,
        fieldsConcerned=FIELDS if querying else (),
    )


class ImportChecks:
    def __init__(self, engine: AsyncEngine, table: Table) -> None:
        self._engine, self._table = engine, table

    async def file(self, request: ImportCheckRequest, query_first: bool) -> tuple[ImportCheck, bool]:
        t = self._table
        for _ in range(20):
            async with self._engine.connect() as conn:
                found = (await conn.execute(select(t).where(t.c.local_reference == request.localReference))).first()
                if found is not None:
                    return _check(found), False
                count = (await conn.execute(select(func.count()).select_from(t))).scalar_one()
            reference = f"IC-{count + 1:07d}"
            try:
                async with self._engine.begin() as conn:
                    await conn.execute(
                        insert(t).values(
                            reference=reference, local_reference=request.localReference,
                            customs_reference=request.customsReferenceNumber,
                            certificate_number=request.certificateNumber, findings=request.findings,
                            status="QUERY" if query_first else "DECIDED",
                        )
                    )  # fmt: skip
                    if request.replacesCheckReference:
                        await conn.execute(
                            update(t)
                            .where(
                                t.c.reference == request.replacesCheckReference, t.c.status.in_(("DECIDED", "QUERY"))
                            )
                            .values(status="REPLACED", ended_reason=f"redone as {reference}")
                        )
                return await self._get(reference), True
            except IntegrityError:
                continue
        raise RuntimeError("could not allocate an import check reference")

    async def abandon(self, reference: str, reason: str) -> ImportCheck | None:
        t = self._table
        async with self._engine.begin() as conn:
            await conn.execute(
                update(t)
                .where(t.c.reference == reference, t.c.status.in_(("DECIDED", "QUERY")))
                .values(status="ABANDONED", ended_reason=reason)
            )
        return await self._find(reference)

    async def answer(self, reference: str, answer: CheckAnswer) -> ImportCheck | None:
        """Record the answer and release the findings; None when the check is unknown or ended."""
        found = await self._find(reference)
        if found is None or found.status in ("ABANDONED", "REPLACED"):
            return None
        t = self._table
        async with self._engine.begin() as conn:
            row = (await conn.execute(select(t.c.answers).where(t.c.reference == reference))).one()
            answers = list(row.answers or [])
            if all(a.get("queryId") != answer.queryId for a in answers):
                answers.append(answer.model_dump())
            await conn.execute(update(t).where(t.c.reference == reference).values(answers=answers, status="DECIDED"))
        return await self._get(reference)

    async def of_consignment(self, customs_reference: str) -> list[ImportCheck]:
        t = self._table
        query = select(t).where(t.c.customs_reference == customs_reference).order_by(t.c.filed_at, t.c.reference)
        async with self._engine.connect() as conn:
            return [_check(row) for row in await conn.execute(query)]

    async def _find(self, reference: str) -> ImportCheck | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(self._table).where(self._table.c.reference == reference))).first()
        return _check(row) if row is not None else None

    async def _get(self, reference: str) -> ImportCheck:
        found = await self._find(reference)
        assert found is not None
        return found


def _body(model: type[BaseModel], raw: bytes) -> Any:
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        return JSONResponse({"errors": exc.errors(include_url=False, include_context=False)}, status_code=422)


def check_routes(checks: ImportChecks, faults: ScriptedFaults) -> list[Route]:
    async def file(request: Request) -> Response:
        parsed = _body(ImportCheckRequest, await request.body())
        if isinstance(parsed, Response):
            return parsed
        check, created = await checks.file(parsed, faults.script.query_first)
        return JSONResponse(check.model_dump(), status_code=201 if created else 200)

    async def listing(request: Request) -> Response:
        found = await checks.of_consignment(request.query_params.get("customsReferenceNumber", ""))
        return JSONResponse(ImportCheckList(checks=tuple(found)).model_dump())

    async def abandon(request: Request) -> Response:
        parsed = _body(CheckAbandonment, await request.body())
        if isinstance(parsed, Response):
            return parsed
        found = await checks.abandon(request.path_params["reference"], parsed.reason)
        if found is None:
            return JSONResponse({"error": "no such import check"}, status_code=404)
        return JSONResponse(found.model_dump())

    async def answer(request: Request) -> Response:
        parsed = _body(CheckAnswer, await request.body())
        if isinstance(parsed, Response):
            return parsed
        found = await checks.answer(request.path_params["reference"], parsed)
        if found is None:
            return JSONResponse({"error": "no such import check, or it was abandoned or redone"}, status_code=409)
        return JSONResponse(found.model_dump())

    return [
        Route("/import-checks", file, methods=["POST"]),
        Route("/import-checks", listing, methods=["GET"]),
        Route("/import-checks/{reference}/abandonment", abandon, methods=["POST"]),
        Route("/import-checks/{reference}/answers", answer, methods=["POST"]),
    ]
