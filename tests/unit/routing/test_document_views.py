"""A recipient may receive several document types: ``documentViews`` maps a type to a view of it, or to
"document" (the document as submitted, unprojected); a partner's ``view`` may itself be "document"."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from singlewindow.platform.catalogue import parse_catalogue
from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.routing import check_routing, decide, explanation, load_tables
from singlewindow.platform.routing.loading import shipped_dir
from singlewindow.platform.specs import Catalog

MANIFEST = json.loads(Catalog().get("cargo-manifest").valid_examples[0].read_text(encoding="utf-8"))


def _recipient(**changes: Any) -> dict[str, Any]:
    entry = {
        "id": "customs",
        "kind": "AGENCY",
        "name": "Customs",
        "brokerUser": "nsw-agency-customs",
        "view": "view-customs",
        "decisionDeadline": "PT2H",
        "retryTiers": ["PT5S"],
    }
    return {**entry, **changes}


def _catalogue(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "recipients": list(entries)}


def _routing_dir(tmp_path: Path, recipients: list[dict[str, Any]], rules: list[dict[str, Any]]) -> Path:
    """The shipped views with the given recipients and rules."""
    target = tmp_path / "routing"
    target.mkdir()
    shutil.copyfile(shipped_dir() / "views.json", target / "views.json")
    (target / "recipients.json").write_text(json.dumps(_catalogue(*recipients)), encoding="utf-8")
    (target / "rules.json").write_text(json.dumps({"version": 1, "rules": rules}), encoding="utf-8")
    return target


def _rule(rule_id: str, recipients: list[str], document_type: str) -> dict[str, Any]:
    return {"id": rule_id, "description": "test", "recipients": recipients, "when": {"documentTypes": [document_type]}}


PARTNER = _recipient(id="partner-cn", kind="PARTNER", brokerUser="nsw-partner-cn", view="document")


def test_view_for_maps_types_and_falls_back_to_the_view() -> None:
    customs, partner = parse_catalogue(
        _catalogue(_recipient(documentViews={"transit-termination-notice": "document"}), PARTNER)
    ).recipients
    assert customs.view_for("consignment") == "view-customs"
    assert customs.view_for("transit-termination-notice") == "transit-termination-notice"
    assert customs.gets_whole("transit-termination-notice") and not customs.gets_whole("consignment")
    assert partner.view_for("cargo-manifest") == "cargo-manifest"
    assert partner.gets_whole("consignment")


def test_only_a_partner_gets_everything_whole() -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_catalogue(_catalogue(_recipient(view="document")))
    assert "/recipients/0/view" in caught.value.message and "whole-document" in caught.value.message


def test_document_views_are_checked_by_schema() -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_catalogue(_catalogue(_recipient(documentViews={"Cargo Manifest": "customs"})))
    assert "/recipients/0/documentViews" in caught.value.message


def test_a_mapped_view_must_exist_and_project_that_type(tmp_path: Path) -> None:
    customs = _recipient(documentViews={"cargo-manifest": "view-border-guard", "control-result": "view-nowhere"})
    folder = _routing_dir(tmp_path, [customs], [_rule("all", ["customs"], "consignment")])
    with pytest.raises(ConfigurationError) as caught:
        load_tables(folder)
    message = caught.value.message
    assert "recipients.json#/recipients/0/documentViews/cargo-manifest" in message
    assert "which projects consignment, not cargo-manifest [view-source]" in message
    assert "recipients.json#/recipients/0/documentViews/control-result" in message
    assert "unknown view 'view-nowhere'" in message


def test_whole_document_route(tmp_path: Path) -> None:
    folder = _routing_dir(tmp_path, [_recipient(), PARTNER], [_rule("to-cn", ["partner-cn"], "cargo-manifest")])
    tables = load_tables(folder)
    decision = decide(tables, "cargo-manifest", MANIFEST)
    (route,) = decision.recipients
    assert (route.recipient, route.view, route.whole_document) == ("partner-cn", "cargo-manifest", True)
    assert decision.as_dict()["recipients"][0]["view"] == "cargo-manifest"
    explained = explanation(decision, tables, MANIFEST)["recipients"][0]
    assert explained["view"] == "cargo-manifest"
    assert explained["viewFields"] == ["(the whole document, as submitted)"]


def test_routes_check_accepts_document_and_refuses_a_view_of_another_type(tmp_path: Path) -> None:
    customs = _recipient(documentViews={"transit-termination-notice": "document"})
    rules = [
        _rule("consignments", ["customs"], "consignment"),
        _rule("notices", ["customs"], "transit-termination-notice"),
        _rule("manifests", ["customs"], "cargo-manifest"),
        _rule("to-cn", ["partner-cn"], "control-result"),
    ]
    problems = check_routing(_routing_dir(tmp_path, [customs, PARTNER], rules))
    errors = [p for p in problems if p.severity == "error"]
    assert [(p.path, p.code) for p in errors] == [("rules.json#/rules/2/recipients/0", "view-source")]
    assert "routes cargo-manifest to 'customs', whose view 'view-customs' projects consignment" in errors[0].message


def test_the_shipped_routing_data_checks_clean() -> None:
    assert [p for p in check_routing() if p.severity == "error"] == []


def test_the_manifest_stays_unchanged_by_routing() -> None:
    before = copy.deepcopy(MANIFEST)
    decide(load_tables(), "cargo-manifest", MANIFEST)
    assert before == MANIFEST
