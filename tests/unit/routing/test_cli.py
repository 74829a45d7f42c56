"""``nsw routes explain`` (text against a golden file, and --json) and ``nsw routes check``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from singlewindow.platform.cli.main import cli
from singlewindow.platform.errors import NotFound
from singlewindow.platform.routing.loading import shipped_dir

FIXTURES = Path(__file__).parent / "fixtures"
APPLES = FIXTURES / "apples-cn-kz.json"
# Regenerate after a deliberate change of rules or views:
#   cd tests/unit/routing/fixtures && nsw routes explain apples-cn-kz.json > apples-explain.txt
GOLDEN = FIXTURES / "apples-explain.txt"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["routes", *args])
    return result.exit_code, result.stdout, result.stderr


def test_explain_text_matches_the_golden_file() -> None:
    code, out, _ = _run("explain", str(APPLES))
    assert code == 0
    assert out == GOLDEN.read_text()


def test_explain_json() -> None:
    code, out, _ = _run("explain", str(APPLES), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["documentType"] == "consignment"
    recipients = {r["recipient"]: r for r in data["recipients"]}
    assert list(recipients) == ["customs", "border-guard", "phytosanitary", "sanitary"]
    phyto = recipients["phytosanitary"]
    assert phyto["view"] == "view-phytosanitary" and phyto["goodsItems"] == [0]
    (rule,) = phyto["rules"]
    assert rule["id"] == "phytosanitary-plant-products" and rule["itemLevel"] is True
    assert "UNVERIFIED" in rule["description"]
    assert rule["goodsItems"] == [
        {"index": 0, "sequenceNumber": 1, "hsCode": "080810", "description": "Fresh apples, Fuji, in cartons"}
    ]
    assert "transport.seals" in phyto["viewFields"] and "transport.drivers" not in phyto["viewFields"]
    assert recipients["border-guard"]["goodsItemsSent"] == "none"


def test_explain_with_another_rules_folder(tmp_path: Path) -> None:
    for name in ("views.json", "recipients.json"):
        shutil.copy(shipped_dir() / name, tmp_path / name)
    rules = {
        "version": 9,
        "rules": [
            {
                "id": "only-customs",
                "description": "Everything to customs.",
                "recipients": ["customs"],
                "when": {"documentTypes": ["consignment"]},
            }
        ],
    }
    (tmp_path / "rules.json").write_text(json.dumps(rules))
    code, out, _ = _run("explain", str(APPLES), "--json", "--rules", str(tmp_path))
    assert code == 0
    data = json.loads(out)
    assert data["rulesVersion"] == 9 and [r["recipient"] for r in data["recipients"]] == ["customs"]


def test_explain_rejects_a_non_json_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("apples")
    code, _, err = _run("explain", str(bad))
    assert code == 2 and "is not JSON" in err


def test_explain_refuses_an_invalid_document(tmp_path: Path) -> None:
    document = json.loads(APPLES.read_text())
    document["goodsItems"][0]["commodityCode"]["hsCode"] = "0808"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    code, _, err = _run("explain", str(bad))
    assert code == 2
    assert "/goodsItems/0/commodityCode/hsCode: " in err and "is not a valid consignment" in err


def test_explain_refuses_an_unknown_document_type() -> None:
    result = CliRunner().invoke(cli, ["routes", "explain", str(APPLES), "--document-type", "consignement"])
    assert isinstance(result.exception, NotFound)  # main() prints NswErrors as one line, exit code 1
    assert "unknown document type 'consignement'" in str(result.exception)


def test_check_passes_on_the_shipped_data() -> None:
    code, out, err = _run("check")
    assert code == 0 and out.startswith("routing data OK")
    assert all(line.startswith("warning: ") for line in err.splitlines())


def test_check_warns_about_hs_headings_missing_from_the_code_list(tmp_path: Path) -> None:
    for name in ("rules.json", "views.json", "recipients.json"):
        shutil.copy(shipped_dir() / name, tmp_path / name)
    rules = {
        "version": 1,
        "rules": [
            {"id": "r", "description": "d", "recipients": ["customs"], "when": {"hsPrefixes": ["0808", "9999", "99"]}}
        ],
    }
    (tmp_path / "rules.json").write_text(json.dumps(rules))
    code, _, err = _run("check", str(tmp_path))
    assert code == 0
    assert "warning: rules.json#/rules/0/when/hsPrefixes/1: HS heading '9999' is not in the shipped hs list" in err
    assert "warning: rules.json#/rules/0/when/hsPrefixes/2: HS chapter '99'" in err
    assert "hsPrefixes/0" not in err


@pytest.mark.parametrize(
    ("file", "edit", "message"),
    [
        ("rules.json", lambda d: d["rules"][0]["recipients"].append("fisheries"), "unknown recipient 'fisheries'"),
        ("recipients.json", lambda d: d["recipients"][0].update(view="view-nobody"), "unknown view 'view-nobody'"),
        ("rules.json", lambda d: d.update(rules=[]), "/rules: [] should be non-empty"),
        (
            "views.json",
            lambda d: d["views"][4]["fields"].append("/transport/drivers"),
            "drivers is not a field of view-sanitary",
        ),
        (
            "rules.json",
            lambda d: d["rules"][0]["when"].update(documentTypes=["consignement"]),
            "'consignement' is not a registered",
        ),
        (
            "rules.json",
            lambda d: d["rules"][0]["when"].update(borderCrossingPoints=["KZNZX"]),
            "'KZNZX' is not in the border-crossing-points list",
        ),
        (
            "rules.json",
            lambda d: d["rules"][0]["when"].update(destinationCountries=["XX"]),
            "'XX' is not in the countries list",
        ),
        (
            "views.json",
            lambda d: d["views"][1]["fields"].remove("/totals"),
            "-> border-guard/totals: 'totals' is a required property",
        ),
    ],
)
def test_check_reports_problems(tmp_path: Path, file: str, edit: object, message: str) -> None:
    for name in ("rules.json", "views.json", "recipients.json"):
        shutil.copy(shipped_dir() / name, tmp_path / name)
    data = json.loads((tmp_path / file).read_text())
    assert callable(edit)
    edit(data)
    (tmp_path / file).write_text(json.dumps(data))
    code, _, err = _run("check", str(tmp_path))
    assert code == 1
    assert message in err
