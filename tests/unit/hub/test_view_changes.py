"""The replacement facts: which pointers of an agency's view differ between two versions (issue 12)."""

from __future__ import annotations

from singlewindow.platform.hub.changes import MAX_HEADER_CHARS, changed_pointers
from singlewindow.platform.hub.messages import delivery_message, replaces_of


def test_changed_added_and_removed_members_and_items_are_named_by_their_smallest_node() -> None:
    old = {"submissionVersion": 1, "transport": {"seals": ["S1"], "plate": "KZ 1"}, "goodsItems": [{"kg": "1.000"}]}
    new = {
        "submissionVersion": 2,
        "transport": {"seals": ["S1", "S2"], "driver": {"name": "A"}},
        "goodsItems": [{"kg": "2.000"}],
        "a/b~c": 1,
    }
    assert changed_pointers(old, new) == (
        "/a~1b~0c",
        "/goodsItems/0/kg",
        "/transport/driver",
        "/transport/plate",
        "/transport/seals/1",
    )


def test_equal_views_differ_in_nothing_and_a_type_change_counts() -> None:
    assert changed_pointers({"submissionVersion": 1, "x": 1}, {"submissionVersion": 2, "x": 1}) == ()
    assert changed_pointers({"x": 1}, {"x": True}) == ("/x",)


def test_a_list_too_long_for_a_header_is_coarsened_to_top_level_members() -> None:
    old = {"goodsItems": [{"n": i} for i in range(3000)]}
    new = {"goodsItems": [{"n": i + 1} for i in range(3000)]}
    assert len(str(["/goodsItems/0/n"] * 3000)) > MAX_HEADER_CHARS
    assert changed_pointers(old, new) == ("/goodsItems",)


def test_the_facts_travel_in_the_delivery_headers_and_read_back() -> None:
    message = delivery_message("s_1", 2, "customs", 1, "view-customs", b"", "x", (1, ("/goodsItems/0/kg",)))
    assert replaces_of(message.headers) == (1, ("/goodsItems/0/kg",))
    plain = delivery_message("s_1", 1, "customs", 1, "view-customs", b"", "x")
    assert replaces_of(plain.headers) is None
    assert replaces_of({**message.headers, "x-nsw-changes": "not json"}) is None
