"""Schema conventions that JSON Schema cannot express, as `nsw specs check` applies them."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from singlewindow.platform.specs import Catalog
from singlewindow.platform.specs.conventions import convention_problems

CATALOG = Catalog()


def base() -> dict[str, Any]:
    return copy.deepcopy(CATALOG.get(CATALOG.names()[0]).json_schema)


@pytest.mark.parametrize("doc_type", CATALOG.names())
def test_every_shipped_schema_follows_the_conventions(doc_type: str) -> None:
    assert list(convention_problems(CATALOG.get(doc_type).json_schema)) == []


def test_missing_descriptions_bad_names_and_common_fields_are_named() -> None:
    schema = base()
    schema["properties"]["documentId"].pop("description", None)
    schema["properties"]["documentId"]["type"] = "string"
    schema["properties"].pop("documentId")
    schema["properties"]["Bad_Name"] = {"type": "string"}
    schema["properties"]["noDescription"] = {"type": "string"}
    schema.pop("title")
    problems = list(convention_problems(schema))
    assert ("/title", "the document type needs a title and a description") in problems
    assert ("/required", "every document carries a required 'documentId' (conventions)") in problems
    assert ("/properties/Bad_Name", "property name 'Bad_Name' is not lowerCamelCase") in problems
    assert ("/properties/noDescription", "every property needs a description a trader can read") in problems


def test_remote_and_dangling_refs_are_refused() -> None:
    schema = base()
    schema["properties"]["documentId"] = {"$ref": "https://example.org/id.json", "description": "Id."}
    schema["properties"]["ucr"] = {"$ref": "#/$defs/NoSuchThing", "description": "UCR."}
    problems = dict(convention_problems(schema))
    assert "remote or invalid $ref" in problems["/properties/documentId/$ref"]
    assert "points at nothing" in problems["/properties/ucr/$ref"]
