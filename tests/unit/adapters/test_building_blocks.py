"""The SDK's pure parts: breaker transitions, the decision draft's rules and mapping, config files, store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from singlewindow.adapters import Channel, Condition, DecisionDraft, DecisionStatus, Officer, Query, Reason, Reference
from singlewindow.adapters.sdk.breaker import BreakerState, CircuitBreaker
from singlewindow.adapters.sdk.config_file import PASSWORD_VARIABLE, read_config_file
from singlewindow.adapters.sdk.mapping import decision_document, document_id
from singlewindow.adapters.sdk.store import AdapterStore
from singlewindow.adapters.sdk.tables import STEPS, migrate
from singlewindow.platform.errors import ConfigurationError

OFFICER = Officer(id="KZ-0042")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_the_threshold_and_half_opens_after_a_healthy_probe() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=3, probe_interval=10, clock=clock)
    assert [breaker.record_failure() for _ in range(2)] == [False, False]
    breaker.record_success()  # consecutive failures only
    assert [breaker.record_failure() for _ in range(3)] == [False, False, True]
    assert breaker.state is BreakerState.OPEN and breaker.trips == 1
    assert breaker.record_failure() is False  # in-flight failures while open do not re-trip
    assert breaker.probe_due() == 10
    clock.now += 4
    assert breaker.probe_due() == 6
    breaker.probe_failed()
    assert breaker.probe_due() == 10 and breaker.trips == 1
    breaker.probe_succeeded()
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.record_failure() is True  # a half-open trial that fails opens it at once
    breaker.probe_succeeded()
    breaker.record_success()
    assert (breaker.state, breaker.failures, breaker.trips) == (BreakerState.CLOSED, 0, 2)


def test_breaker_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="failure_threshold"):
        CircuitBreaker(failure_threshold=0)
    with pytest.raises(ValueError, match="probe_interval"):
        CircuitBreaker(probe_interval=0)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": DecisionStatus.ACCEPTED_WITH_CONDITIONS}, "needs at least one condition"),
        ({"status": DecisionStatus.REJECTED}, "needs at least one reason"),
        ({"status": DecisionStatus.QUERY}, "query is given exactly when"),
        ({"status": DecisionStatus.ACCEPTED, "query": Query(question="Origin?")}, "query is given exactly when"),
        ({"status": DecisionStatus.INSPECTION_REQUIRED, "channel": Channel.GREEN}, "GREEN goes only with ACCEPTED"),
        ({"status": DecisionStatus.ACCEPTED, "channel": Channel.RED}, "YELLOW and RED go only"),
        ({"status": DecisionStatus.ACCEPTED, "conditions": [Condition(code="C1", text="x")]}, "conditions go only"),
    ],
)
def test_a_draft_breaking_the_decision_rules_fails_in_the_adapter(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DecisionDraft(officer=OFFICER, **fields)  # type: ignore[arg-type]


def test_a_draft_maps_to_an_agency_decision_document() -> None:
    at = datetime(2026, 11, 28, 9, 30, 0, 123456, tzinfo=UTC)
    draft = DecisionDraft(
        status=DecisionStatus.INSPECTION_REQUIRED,
        channel=Channel.RED,
        reasons=[Reason(code="R12", text="Random physical check")],
        officer=Officer(id="KZ-0042", name="A. Officer"),
        references=[Reference(type="CONTROL_RESULT", id="CR-1", issuer="KZ")],
    )
    document = decision_document("customs", "s_1", 2, "UCR1", 3, draft, at)
    assert document["decisionSequence"] == 3 and document["channel"] == "RED"
    assert document["decidedAt"] == document["issuedAt"] == "2026-11-28T09:30:00.123Z"
    assert document["references"] == [
        {"type": "CONTROL_RESULT", "id": "CR-1", "issuer": "KZ"},  # the author's, in order
        {"type": "SUBMISSION", "id": "s_1"},  # then the submission decided on
    ]
    assert "query" not in document and document["conditions"] == []


def test_the_default_idempotency_key_is_the_content() -> None:
    one = DecisionDraft(status=DecisionStatus.ACCEPTED, officer=OFFICER)
    same = DecisionDraft(status=DecisionStatus.ACCEPTED, officer=OFFICER, decided_at=datetime.now(UTC))
    other = DecisionDraft(status=DecisionStatus.ACCEPTED, officer=Officer(id="KZ-0043"))
    assert one.key() == same.key() != other.key()
    assert DecisionDraft(status=DecisionStatus.ACCEPTED, officer=OFFICER, idempotency_key="evt-1").key() == "evt-1"


def test_long_ids_are_hashed_to_fit_the_specs() -> None:
    assert document_id("dec-short") == "dec-short"
    long = document_id("dec-" + "x" * 80)
    assert len(long) <= 64 and long.startswith("dec-") and long == document_id("dec-" + "x" * 80)


def test_config_files_in_toml_and_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = tmp_path / "a.toml"
    toml.write_text('[adapter]\nfolder = "/x"\n[runtime]\nprefetch = 3\n[broker]\nusername = "u"\n')
    parsed = read_config_file(toml)
    assert parsed.adapter == {"folder": "/x"} and parsed.runtime.prefetch == 3 and parsed.broker.username == "u"
    monkeypatch.setenv(PASSWORD_VARIABLE, "from-env")
    assert parsed.password() == "from-env"
    data = tmp_path / "b.json"
    data.write_text('{"broker": {"password": "in-file"}}')
    assert read_config_file(data).password() == "in-file"
    assert read_config_file(None).runtime.store_url_for("echo") == "sqlite+aiosqlite:///adapter-echo.db"


@pytest.mark.parametrize(
    ("content", "message"),
    [("[runtime]\nprefetch = 0\n", "invalid"), ("[nonsense]\n", "invalid"), ("not toml =", "cannot be parsed")],
)
def test_bad_config_files_are_clear_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(ConfigurationError, match=message):
        read_config_file(path)
    with pytest.raises(ConfigurationError, match="not found"):
        read_config_file(tmp_path / "missing.toml")


async def test_the_store_migrates_once_and_keeps_rows(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    store = await AdapterStore.open(url, "sanitary")
    try:
        assert await migrate(store._engine) == len(STEPS)  # running again is a no-op
        assert await store.pending() == [] and await store.unpublished() == []
        assert await store.handover("nothing") is None
    finally:
        await store.close()


def test_a_reference_kind_the_specs_do_not_know_is_refused() -> None:
    with pytest.raises(ValidationError, match="CONTROL_RESULT"):
        Reference(type="BILL_OF_HEALTH", id="B-1")  # type: ignore[arg-type]
