"""``nsw routes``: explain where a document goes, and check the routing data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from singlewindow.platform.routing import check_routing, decide, explanation, load_tables, render_text
from singlewindow.platform.specs import Catalog, DocumentValidator

_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


@click.group()
def routes() -> None:
    """Routing rules and recipient views (message_specs/routing)."""


def _read_document(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise click.UsageError(f"{path} is not JSON: line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise click.UsageError(f"{path} does not hold a JSON object")
    return data


@routes.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option("--rules", "rules_dir", type=_DIR, help="Routing data folder (default: the shipped one).")
@click.option("--document-type", default="consignment", show_default=True, help="Document type of FILE.")
def explain(file: Path, as_json: bool, rules_dir: Path | None, document_type: str) -> None:
    """Each recipient of FILE, the rules that matched (and the goods items that triggered them), and
    the fields of its view."""
    document = _read_document(file)
    problems = DocumentValidator(Catalog()).validate(document_type, document)
    if problems:
        for problem in problems:
            click.echo(f"{problem.path or '/'}: {problem.message} [{problem.code}]", err=True)
        raise click.UsageError(f"{file} is not a valid {document_type}: routing explains valid documents only")
    tables = load_tables(rules_dir)
    data = explanation(decide(tables, document_type, document), tables, document)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(data), nl=False)


@routes.command()
@click.argument("directory", required=False, type=_DIR)
def check(directory: Path | None) -> None:
    """Validate the routing data: schemas, unknown recipients and views, view fields, projections of
    every valid example. Exits 1 on any error; warnings are printed but pass."""
    problems = check_routing(directory)
    for problem in problems:
        click.echo(f"{problem.severity}: {problem.path}: {problem.message} [{problem.code}]", err=True)
    errors = sum(problem.severity == "error" for problem in problems)
    if errors:
        click.echo(f"routing data has {errors} error(s)", err=True)
        click.get_current_context().exit(1)
    click.echo(f"routing data OK ({len(problems)} warning(s))")
