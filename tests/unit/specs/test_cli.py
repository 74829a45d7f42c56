"""``nsw specs``: check exit codes on good and broken trees, build, show with its golden outline.

Regenerate the golden outline after an intended change to the consignment schema or the outline format:
    NSW_REGENERATE_GOLDEN=1 .venv/bin/pytest tests/unit/specs/test_cli.py
then review the diff of tests/unit/specs/golden/consignment.txt.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from singlewindow.platform.cli.main import cli
from singlewindow.platform.specs import Catalog, default_specs_dir

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("NSW_REGENERATE_GOLDEN") == "1"
SHOWN = [name for name in ("consignment",) if name in Catalog()]


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, ["specs", *args], catch_exceptions=False)


@pytest.fixture
def specs_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped code lists and two document types, to break (two keep it quick)."""
    root = tmp_path / "message_specs"
    shutil.copytree(default_specs_dir() / "codelists", root / "codelists")
    for folder in Catalog().names()[:2]:
        shutil.copytree(default_specs_dir() / "documents" / folder, root / "documents" / folder)
    return root


def first_type(root: Path) -> Path:
    return sorted(p for p in (root / "documents").iterdir() if (p / "schema.json").is_file())[0]


def test_check_passes_on_an_intact_copy(specs_copy: Path) -> None:
    result = run("check", str(specs_copy))
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_check_fails_and_names_file_and_pointer_when_a_valid_example_breaks(specs_copy: Path) -> None:
    folder = first_type(specs_copy)
    example = sorted((folder / "examples" / "valid").glob("*.json"))[0]
    document = json.loads(example.read_text())
    document["issuedAt"] = "yesterday"
    example.write_text(json.dumps(document))
    result = run("check", str(specs_copy))
    assert result.exit_code == 1
    relative = example.relative_to(specs_copy)
    assert f"{relative}: /issuedAt: pattern:" in result.output


def test_check_fails_when_the_avro_twin_is_stale_and_build_repairs_it(specs_copy: Path) -> None:
    folder = first_type(specs_copy)
    avro = json.loads((folder / "schema.avsc").read_text())
    avro["fields"] = avro["fields"][1:]
    (folder / "schema.avsc").write_text(json.dumps(avro))
    result = run("check", str(specs_copy))
    assert result.exit_code == 1
    assert f"documents/{folder.name}/schema.avsc: /: differs from what the generator makes" in result.output
    built = run("build", str(specs_copy))
    assert built.exit_code == 0
    assert f"wrote documents/{folder.name}/schema.avsc" in built.output
    assert run("check", str(specs_copy)).exit_code == 0


def test_check_reports_a_schema_outside_the_mapping_table_and_a_remote_ref(specs_copy: Path) -> None:
    folder = first_type(specs_copy)
    schema = json.loads((folder / "schema.json").read_text())
    schema["properties"]["documentId"] = {"$ref": "https://example.org/id.json"}
    (folder / "schema.json").write_text(json.dumps(schema))
    result = run("check", str(specs_copy))
    assert result.exit_code == 1
    assert f"documents/{folder.name}/schema.json: /properties/documentId/$ref: remote or invalid $ref" in result.output
    build = run("build", str(specs_copy))
    assert build.exit_code == 1
    assert "/properties/documentId" in build.output


def test_check_reports_an_invalid_example_failing_elsewhere(specs_copy: Path) -> None:
    folder = first_type(specs_copy)
    example = sorted((folder / "examples" / "invalid").glob("*.json"))[0]
    spec = json.loads(example.read_text())
    spec["expect"]["path"] = "/nowhere"
    example.write_text(json.dumps(spec))
    result = run("check", str(specs_copy))
    assert result.exit_code == 1
    assert f"{example.relative_to(specs_copy)}: /expect/path: no failure at /nowhere" in result.output


def test_check_reports_a_malformed_code_list_and_too_few_examples(specs_copy: Path) -> None:
    (specs_copy / "codelists" / "units.json").write_text(json.dumps({"id": "units"}))
    folder = first_type(specs_copy)
    for path in list((folder / "examples" / "valid").glob("*.json"))[1:]:
        path.unlink()
    result = run("check", str(specs_copy))
    assert result.exit_code == 1
    assert "codelists/units.json: /title: must be a non-empty string" in result.output
    assert f"documents/{folder.name}/examples/valid: /: 1 valid examples, need 2" in result.output


def test_show_an_unknown_type_lists_the_known_ones() -> None:
    result = CliRunner().invoke(cli, ["specs", "show", "no-such-type"])
    assert result.exit_code == 2
    assert "unknown document type 'no-such-type'" in result.output
    for name in Catalog().names()[:3]:
        assert name in result.output


def test_show_is_deterministic_and_terminal_sized() -> None:
    for name in Catalog().names():
        first, second = run("show", name), run("show", name)
        assert first.exit_code == 0
        assert first.output == second.output
        assert max(len(line) for line in first.output.splitlines()) <= 110


@pytest.mark.parametrize("doc_type", SHOWN)
def test_show_matches_the_golden_outline(doc_type: str) -> None:
    output = run("show", doc_type).output
    golden = GOLDEN / f"{doc_type}.txt"
    if REGENERATE:
        golden.write_text(output, encoding="utf-8")
    assert output == golden.read_text(encoding="utf-8")
