"""The SDK surface third-party adapters pin against: exactly these names, each documented."""

from __future__ import annotations

import inspect

import singlewindow.adapters as sdk

EXPECTED = [
    "Adapter",
    "AdapterContext",
    "AgencyUnavailable",
    "Cancellation",
    "Channel",
    "Condition",
    "DecisionDraft",
    "DecisionStatus",
    "DocumentRefused",
    "Handover",
    "InboundDocument",
    "NoConfig",
    "NotFound",  # AdapterContext.decide raises it for a version this adapter never handed over
    "Officer",
    "PendingHandover",
    "Query",
    "QueryResponse",
    "Reason",
    "Reference",
    "Replacement",
    "RuntimeOptions",
    "VersionWithdrawn",
]


def test_all_is_exactly_the_documented_surface() -> None:
    assert sdk.__all__ == EXPECTED
    assert sorted(sdk.__all__) == sdk.__all__


def test_every_export_and_every_adapter_hook_has_a_docstring() -> None:
    for name in sdk.__all__:
        assert inspect.getdoc(getattr(sdk, name)), name
    for hook in ("setup", "start", "stop", "deliver", "replaced", "cancelled", "answered", "health"):
        assert inspect.getdoc(getattr(sdk.Adapter, hook)), hook
    for method in ("decide", "pending"):
        assert inspect.getdoc(getattr(sdk.AdapterContext, method)), method


def test_author_errors_sit_in_the_hub_tree_by_what_the_runtime_does() -> None:
    from singlewindow.platform.errors import InvalidInput, TransientError

    assert issubclass(sdk.AgencyUnavailable, TransientError)
    assert issubclass(sdk.DocumentRefused, InvalidInput)
    assert sdk.DocumentRefused("bad HS code").reason == "bad HS code"
    from singlewindow.platform.errors import Conflict

    assert issubclass(sdk.VersionWithdrawn, Conflict)  # a caller catching Conflict still catches it
    withdrawn = sdk.VersionWithdrawn("s_1", 2, "cancelled by the declarant")
    assert (withdrawn.submission_id, withdrawn.version, withdrawn.reason) == ("s_1", 2, "cancelled by the declarant")
    assert "withdrew" in withdrawn.message


def test_the_testing_helpers_stay_functions_whatever_was_imported_first() -> None:
    import singlewindow.platform.testing.pytest_plugin as plugin
    from singlewindow.platform.testing import adapter_harness, embedded_hub
    from singlewindow.platform.testing.harness import adapter_harness as defined_in_module

    assert adapter_harness is defined_in_module  # not the module of the same name
    assert callable(embedded_hub)
    assert {"embedded_hub", "adapter_harness"} <= set(vars(plugin))
