"""The fast canonical form writes exactly what the reference RFC 8785 implementation writes, or defers to it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from singlewindow.platform.state.canonical import canonical_json

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([0.0, -0.0, 4.0, -25.0, 1e-4, 9.9e-5, 1e16, 2.0**53, 2.0**53 + 2, 0.1, 123.456, 1e21])
    | st.text()
)
_documents = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=25,
)


def _reference(value: Any) -> bytes | type[Exception]:
    try:
        return bytes(rfc8785.dumps(value))
    except Exception as exc:
        return type(exc)


def _fast(value: Any) -> bytes | type[Exception]:
    try:
        return canonical_json(value)
    except Exception as exc:
        return type(exc)


@settings(max_examples=200, deadline=None)
@given(_documents)
def test_same_bytes_as_rfc8785_or_the_same_refusal(value: Any) -> None:
    assert _fast(value) == _reference(value)


@pytest.mark.parametrize(
    "path", sorted(Path(__file__).parents[3].glob("message_specs/documents/*/examples/valid/*.json")), ids=str
)
def test_every_shipped_example_hashes_as_before(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    assert canonical_json(document) == rfc8785.dumps(document)
