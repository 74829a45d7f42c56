"""Routing, policy and permission rules of the in-memory broker, checked against RabbitMQ's."""

from __future__ import annotations

import pytest

from singlewindow.platform.errors import AccessDenied, ConfigurationError, Unauthenticated
from singlewindow.platform.transport.backoff import Backoff
from singlewindow.platform.transport.memory_access import Permission, User, authenticate, check_access, check_user_id
from singlewindow.platform.transport.memory_policy import effective_settings, make_policy, pick_policy
from singlewindow.platform.transport.memory_routing import Binding, Exchange, topic_matches


@pytest.mark.parametrize(
    ("pattern", "key", "expected"),
    [
        ("agency.*.inbox", "agency.customs.inbox", True),
        ("agency.*.inbox", "agency.customs.extra.inbox", False),
        ("agency.#", "agency", True),
        ("agency.#", "agency.a.b.c", True),
        ("#.inbox", "agency.vet.inbox", True),
        ("#", "", True),
        ("*", "", True),
        ("a.*", "a", False),
        ("a.#.z", "a.z", True),
        ("a.#.z", "a.b.c.z", True),
        ("a.#.z", "a.b.c", False),
    ],
)
def test_topic_matching(pattern: str, key: str, expected: bool) -> None:
    assert topic_matches(pattern, key) is expected


def test_headers_exchange_all_and_any() -> None:
    exchange = Exchange("h", "headers")
    exchange.add_binding(Binding("all", "", (("agency", "vet"), ("live", True))))
    exchange.add_binding(Binding("any", "", (("agency", "vet"), ("live", True), ("x-match", "any"))))
    assert exchange.route("", {"agency": "vet", "live": True}) == ["all", "any"]
    assert exchange.route("", {"agency": "vet"}) == ["any"]
    assert exchange.route("", {}) == []


def test_fanout_routes_each_queue_once_and_direct_needs_the_same_key() -> None:
    fanout, direct = Exchange("f", "fanout"), Exchange("d", "direct")
    for exchange in (fanout, direct):
        exchange.add_binding(Binding("q1", "a"))
        exchange.add_binding(Binding("q1", "b"))
        exchange.add_binding(Binding("q2", "b"))
    assert fanout.route("zzz", {}) == ["q1", "q2"]
    assert direct.route("a", {}) == ["q1"]


def test_highest_priority_policy_wins_and_ties_go_to_the_first_name() -> None:
    low = make_policy("all", ".*", {"delivery-limit": 50}, "queues", 0)
    high = make_policy("inboxes", r"\.inbox$", {"delivery-limit": 20}, "queues", 5)
    twin = make_policy("a-twin", r"\.inbox$", {"delivery-limit": 30}, "queues", 5)
    exchanges = make_policy("ae", ".*", {"alternate-exchange": "ae"}, "exchanges", 99)
    policies = [low, high, twin, exchanges]
    assert pick_policy(policies, "queue", "agency.vet.inbox") is twin
    assert pick_policy(policies, "queue", "nsw.deadletters") is low
    assert pick_policy(policies, "exchange", "nsw.agency") is exchanges
    assert pick_policy([], "queue", "x") is None


def test_arguments_and_policy_merge_like_quorum_queues() -> None:
    policy = make_policy(
        "p", ".*", {"delivery-limit": 20, "message-ttl": 1000, "dead-letter-exchange": "from-policy"}, "queues", 0
    )
    merged = effective_settings(
        {"x-delivery-limit": 25, "x-message-ttl": 500, "x-dead-letter-exchange": "from-arg"}, policy
    )
    assert merged == {"delivery-limit": 20, "message-ttl": 500, "dead-letter-exchange": "from-arg"}


@pytest.mark.parametrize(
    ("definition", "apply_to", "pattern"),
    [
        ({"delivery-limt": 20}, "queues", ".*"),
        ({"delivery-limit": -1}, "queues", ".*"),
        ({"overflow": "reject"}, "queues", ".*"),
        ({"dead-letter-strategy": "exactly-once"}, "queues", ".*"),
        ({"delivery-limit": 20}, "streams", ".*"),
        ({"delivery-limit": 20}, "queues", "("),
    ],
)
def test_bad_policies_are_refused(definition: dict[str, object], apply_to: str, pattern: str) -> None:
    with pytest.raises(ConfigurationError):
        make_policy("bad", pattern, definition, apply_to, 0)


def agency_user() -> User:
    user = User("agency-a", "pw")
    user.permissions["v"] = Permission("^$", r"^nsw\.decisions$", r"^agency\.a\.inbox$")
    return user


def test_permissions_are_unanchored_regexes_and_empty_grants_nothing() -> None:
    user = agency_user()
    check_access(user, "v", "read", "queue", "agency.a.inbox")
    check_access(user, "v", "write", "exchange", "nsw.decisions")
    with pytest.raises(AccessDenied, match="configure access to queue"):
        check_access(user, "v", "configure", "queue", "amq.gen-123")
    loose = User("loose", "pw", permissions={"v": Permission("", "decisions", "inbox")})
    check_access(loose, "v", "write", "exchange", "nsw.decisions.extra")
    with pytest.raises(AccessDenied):
        check_access(loose, "v", "configure", "queue", "")
    with pytest.raises(AccessDenied):
        check_access(user, "other-vhost", "read", "queue", "agency.a.inbox")


def test_the_default_exchange_is_checked_as_amq_default() -> None:
    user = User("u", "pw", permissions={"v": Permission("^$", "^amq\\.default$", "^$")})
    check_access(user, "v", "write", "exchange", "")
    with pytest.raises(AccessDenied, match=r"amq\.default"):
        check_access(agency_user(), "v", "write", "exchange", "")


def test_user_id_must_be_the_publisher_unless_impersonator() -> None:
    check_user_id(agency_user(), None)
    check_user_id(agency_user(), "agency-a")
    with pytest.raises(AccessDenied, match="user_id"):
        check_user_id(agency_user(), "agency-b")
    check_user_id(User("shovel", "pw", frozenset({"impersonator"})), "agency-b")


def test_login_checks_password_and_vhost_access() -> None:
    users = {"agency-a": agency_user()}
    assert authenticate(users, "agency-a", "pw", "v").name == "agency-a"
    assert authenticate(users, "agency-a", None, "v").name == "agency-a"
    with pytest.raises(Unauthenticated):
        authenticate(users, "agency-a", "wrong", "v")
    with pytest.raises(Unauthenticated):
        authenticate(users, "nobody", "pw", "v")
    with pytest.raises(AccessDenied, match="NOT_ALLOWED"):
        authenticate(users, "agency-a", "pw", "elsewhere")


def test_bad_permission_regex_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        Permission("(", ".*", ".*")


def test_backoff_grows_and_stays_under_its_cap() -> None:
    backoff = Backoff(first=0.1, cap=1.0)
    delays = [backoff.next_delay() for _ in range(10)]
    assert 0.05 <= delays[0] <= 0.1
    assert all(delay <= 1.0 for delay in delays)
    assert delays[-1] >= 0.5
    backoff.reset()
    assert backoff.next_delay() <= 0.1
