"""Differential test on seeded random schema pairs: the checker against jsonsubschema, and every
"compatible" verdict the oracle disputes re-examined by sampling writer instances.

Only a checker that says "compatible" wrongly is a bug (a missed incompatibility reaches agencies);
a checker that reports what the oracle accepts is at worst conservative. In development runs
(seeds 1-4, 1,800 pairs, both directions) every oracle dispute of a "compatible" verdict was an
oracle mistake: integers are multiples of 0.5, a ``number`` with ``multipleOf: 3`` only holds
integers, a closed two-property object never exceeds ``maxProperties: 2``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator

sys.path.insert(0, str(Path(__file__).parent))
from oracle import Oracle
from random_schemas import random_pairs

from singlewindow.registry.jsoncompat import check

SEED = 20261128
PAIRS = 120


def counterexample(reader: Any, writer: Any) -> Any:
    """An instance valid under ``writer`` and invalid under ``reader``, if sampling finds one."""
    writer_ok, reader_ok = Draft202012Validator(writer), Draft202012Validator(reader)
    found: list[Any] = []

    @settings(max_examples=100, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data: st.DataObject) -> None:
        instance = data.draw(from_schema(writer))
        if writer_ok.is_valid(instance) and not reader_ok.is_valid(instance):
            found.append(instance)

    run()
    return found[0] if found else None


def test_random_pairs_against_oracle_and_sampling() -> None:
    oracle = Oracle(timeout=5.0)
    agree, conservative, disputed, unread = 0, 0, [], 0
    try:
        for schema, mutated in random_pairs(SEED, PAIRS):
            for reader, writer in ((schema, mutated), (mutated, schema)):
                mine = not check(reader, writer)
                verdict = oracle.is_subschema(writer, reader)
                if isinstance(verdict, str):
                    unread += 1
                elif verdict is mine:
                    agree += 1
                elif mine:
                    disputed.append((reader, writer))
                else:
                    conservative += 1
    finally:
        oracle.close()
    wrong = [(r, w, x) for r, w in disputed if (x := counterexample(r, w)) is not None]
    assert wrong == []
    assert agree >= 0.9 * (agree + conservative + len(disputed))
    assert unread < PAIRS
