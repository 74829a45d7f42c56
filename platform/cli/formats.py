"""``nsw formats check``: what the hub would take from a file another administration sends, or its exact
problems, so an agency's IT team can test its own output before connecting.

The format is sniffed from the content: XML is an ePhyto certificate; ``UNA``/``UNB`` is UN/EDIFACT, each
message read by its UNH type (CUSDEC, CUSRES, CUSCAR). A cargo manifest read from a CUSCAR is also held
to the hub's cargo-manifest schema, as intake would.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path

import click

from singlewindow.adapters.customs.edifact_reader import read_edifact
from singlewindow.adapters.formats import FormatReading, Problem
from singlewindow.adapters.phytosanitary.ephyto import check_ephyto
from singlewindow.platform.specs import Catalog, DocumentValidator

MAX_BYTES = 16 * 1024 * 1024
_BOM = b"\xef\xbb\xbf"


def sniff(data: bytes) -> str:
    head = data.removeprefix(_BOM).lstrip()[:3]
    if head.startswith(b"<"):
        return "ePhyto"
    if head in (b"UNA", b"UNB"):
        return "EDIFACT"
    return "unknown"


def _manifest_problems(reading: FormatReading) -> tuple[Problem, ...]:
    """A CUSCAR's manifest held to the hub's cargo-manifest schema (layer ``model``)."""
    manifests = [d for d in reading.documents if d.get("type") == "CUSCAR"]
    if not manifests:
        return ()
    validator = DocumentValidator(Catalog())
    fields = ("message", "type", "version")
    return tuple(
        Problem(f"message {d['message']}: {p.path or '/'}", f"model.{p.code}", p.message, "model")
        for d in manifests
        for p in validator.validate("cargo-manifest", {k: v for k, v in d.items() if k not in fields})
    )


def check_file(data: bytes, profile: str | None) -> FormatReading:
    """The reading of any supported file; never raises for bad input."""
    kind = sniff(data)
    if kind == "EDIFACT":
        reading = read_edifact(data, profile)
        return replace(reading, problems=(*reading.problems, *_manifest_problems(reading)))
    if kind == "ePhyto":
        return check_ephyto(data, profile)
    return FormatReading(
        "unknown", problems=(Problem("file", "format.unknown", "neither XML (ePhyto) nor UN/EDIFACT (UNA/UNB)"),)
    )


@click.group()
def formats() -> None:
    """Files from other administrations: ePhyto XML, CUSDEC, CUSRES, CUSCAR."""


@formats.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--profile", help="Code-set profile to read with (default: chosen by the sender, else 'project').")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def check(file: Path, profile: str | None, as_json: bool) -> None:
    """Print what the hub would take from FILE, or its exact problems (exit 1 when there are any)."""
    if file.stat().st_size > MAX_BYTES:
        raise click.UsageError(f"{file} is larger than {MAX_BYTES} bytes")
    reading = check_file(file.read_bytes(), profile)
    if as_json:
        out = {
            "file": str(file),
            "format": reading.format,
            "profile": reading.profile,
            "ok": reading.ok,
            "documents": list(reading.documents),
            "problems": [asdict(p) for p in reading.problems],
        }
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        profile_text = f", profile {reading.profile}" if reading.profile else ""
        click.echo(f"{file}: {reading.format}{profile_text}: {len(reading.documents)} document(s) read")
        for document in reading.documents:
            click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        for problem in reading.problems:
            click.echo(f"problem ({problem.layer}): {problem}")
    if not reading.ok:
        click.get_current_context().exit(1)
