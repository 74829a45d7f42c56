"""``nsw specs``: build, check and explain the message specs."""

from __future__ import annotations

from pathlib import Path

import click

from singlewindow.platform.errors import NotFound
from singlewindow.platform.specs import (
    Catalog,
    avro_name,
    build_avro_schemas,
    check_specs,
    default_specs_dir,
    outline,
)

_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


@click.group()
def specs() -> None:
    """Document types: JSON Schemas, their Avro twins, examples and code lists."""


@specs.command()
@click.argument("directory", required=False, type=_DIR)
def build(directory: Path | None) -> None:
    """Regenerate every documents/*/schema.avsc from its schema.json (default: the shipped specs)."""
    root = directory or default_specs_dir()
    report = build_avro_schemas(root)
    for path, changed in report.written:
        click.echo(f"{'wrote' if changed else 'unchanged'} {path.relative_to(root)}")
    for failure in report.failures:
        click.echo(f"error: {failure}", err=True)
    if report.failures:
        click.get_current_context().exit(1)


@specs.command()
@click.argument("directory", required=False, type=_DIR)
def check(directory: Path | None) -> None:
    """Check every schema, Avro twin, example and code list; exit 1 on any problem."""
    report = check_specs(directory or default_specs_dir())
    for problem in report.problems:
        click.echo(str(problem))
    summary = (
        f"{report.document_types} document types, {report.examples} examples, {report.code_lists} code lists: "
        + ("OK" if report.ok else f"{len(report.problems)} problems")
    )
    click.echo(summary, err=not report.ok)
    if not report.ok:
        click.get_current_context().exit(1)


@specs.command()
@click.argument("doc_type", metavar="TYPE")
@click.option("--dir", "directory", type=_DIR, help="Specs folder (default: the shipped specs).")
def show(doc_type: str, directory: Path | None) -> None:
    """Print a readable outline of document type TYPE."""
    catalog = Catalog(directory or default_specs_dir())
    try:
        document_type = catalog.get(doc_type)
    except NotFound as exc:
        raise click.BadParameter(exc.message, param_hint="TYPE") from exc
    name, namespace = avro_name(doc_type)
    click.echo(outline(doc_type, document_type.json_schema, f"{namespace}.{name}"), nl=False)
