"""``nsw specs``: build, check and explain the message specs."""

from __future__ import annotations

from pathlib import Path

import click

from singlewindow.platform.specs import build_avro_schemas, default_specs_dir

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
