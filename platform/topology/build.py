"""Build the topology table from the recipients catalogue and the topology settings.

Pure function of its inputs: the same catalogue and settings give the same table, which is what lets the
docs be generated and checked, and both brokers be configured identically.
"""

from __future__ import annotations

from collections.abc import Callable

from singlewindow.platform.catalogue import Catalogue, Recipient, RecipientKind
from singlewindow.platform.settings import TopologySettings
from singlewindow.platform.topology import names
from singlewindow.platform.topology.model import (
    Binding,
    Exchange,
    ExchangeType,
    JsonValue,
    Permission,
    Policy,
    Queue,
    Topology,
    User,
)

AT_LEAST_ONCE = "at-least-once"
REJECT_PUBLISH = "reject-publish"


def _reliable(
    settings: TopologySettings,
    dead_letter_exchange: str,
    max_length: int,
    extra: dict[str, JsonValue] | None = None,
) -> dict[str, JsonValue]:
    """Every key a dead-lettering quorum queue class needs, in one definition (one policy per queue)."""
    return {
        "delivery-limit": settings.delivery_limit,
        "dead-letter-exchange": dead_letter_exchange,
        "dead-letter-strategy": AT_LEAST_ONCE,
        "overflow": REJECT_PUBLISH,
        "max-length": max_length,
        **(extra or {}),
    }


def _hub_part(settings: TopologySettings, agency_dlqs: list[str]) -> Topology:
    exchanges = (
        Exchange(names.INTAKE_EXCHANGE, ExchangeType.DIRECT, "accepted submission events, to the router"),
        Exchange(names.AGENCY_EXCHANGE, ExchangeType.DIRECT, "agency inboxes; routing key = agency id"),
        Exchange(names.DECISIONS_EXCHANGE, ExchangeType.DIRECT, "agency decisions, to the aggregator"),
        Exchange(names.STATUS_EXCHANGE, ExchangeType.TOPIC, "consolidated statuses; Watch binds amq.gen-* queues"),
        Exchange(names.HUB_DEAD_LETTER_EXCHANGE, ExchangeType.FANOUT, "dead letters of the hub's own queues"),
    )
    queues = (
        Queue(names.ROUTER_QUEUE, "submission events the router fans out", names.HUB_POLICY),
        Queue(names.AGGREGATOR_QUEUE, "decisions the aggregator folds into statuses", names.HUB_POLICY),
        Queue(names.DEADLETTERS_QUEUE, "every agency's dead letters; marks DELIVERY_FAILED", names.HUB_POLICY),
        Queue(names.HUB_DLQ, "terminal parking queue of the hub's dead letters", names.PARKING_POLICY),
    )
    bindings = (
        Binding(names.INTAKE_EXCHANGE, names.ROUTER_QUEUE, names.SUBMISSION_KEY),
        Binding(names.DECISIONS_EXCHANGE, names.AGGREGATOR_QUEUE, names.DECISION_KEY),
        Binding(names.HUB_DEAD_LETTER_EXCHANGE, names.HUB_DLQ, ""),
    )
    policies = (
        Policy(
            names.HUB_POLICY,
            names.any_of([names.ROUTER_QUEUE, names.AGGREGATOR_QUEUE, names.DEADLETTERS_QUEUE]),
            _reliable(settings, names.HUB_DEAD_LETTER_EXCHANGE, settings.hub_max_length),
            "hub work queues",
        ),
        Policy(
            names.DLQ_POLICY,
            names.any_of(agency_dlqs),
            _reliable(settings, names.HUB_DEAD_LETTER_EXCHANGE, settings.dlq_max_length),
            "agency dead-letter queues (a replay that keeps failing parks in nsw.hub.dlq)",
        ),
        Policy(
            names.PARKING_POLICY,
            names.exact(names.HUB_DLQ),
            {"overflow": REJECT_PUBLISH, "max-length": settings.dlq_max_length},
            "terminal: no delivery limit or dead-letter target, so nothing is ever dropped from it",
        ),
    )
    return Topology(exchanges, queues, bindings, policies, (), ())


def _agency_part(agency: Recipient, settings: TopologySettings) -> Topology:
    """A recipient's inbox, retry tiers and dead letters; the same for an agency and a partner hub (the
    router sends both the same way, and the partner's gateway runs the same adapter runtime)."""
    aid = agency.id
    inbox, dlq = names.inbox_queue(aid), names.dlq(aid)
    retry_x, dead_x = names.retry_exchange(aid), names.dead_letter_exchange(aid)
    exchanges = (
        Exchange(retry_x, ExchangeType.DIRECT, f"retry tiers of {aid}; routing key = tier"),
        Exchange(dead_x, ExchangeType.FANOUT, f"dead letters of {aid}, to its DLQ and nsw.deadletters"),
    )
    queues = [Queue(inbox, f"documents for {agency.name}", names.inbox_policy(aid))]
    bindings = [
        Binding(names.AGENCY_EXCHANGE, inbox, names.agency_routing_key(aid)),
        Binding(retry_x, inbox, names.DEAD_LETTER_KEY),
    ]
    policies = [
        Policy(
            names.inbox_policy(aid),
            names.exact(inbox),
            _reliable(settings, dead_x, settings.inbox_max_length),
            f"{aid} inbox",
        )
    ]
    for delay in agency.retry_tiers:
        wait = names.wait_queue(aid, delay)
        queues.append(Queue(wait, f"{aid} retry after {names.tier_name(delay)}", names.wait_policy(aid, delay)))
        bindings.append(Binding(retry_x, wait, names.wait_routing_key(delay)))
        definition = _reliable(
            settings,
            names.AGENCY_EXCHANGE,
            settings.wait_max_length,
            {
                "message-ttl": int(delay.total_seconds() * 1000),
                "dead-letter-routing-key": names.agency_routing_key(aid),
            },
        )
        policies.append(
            Policy(names.wait_policy(aid, delay), names.exact(wait), definition, f"{aid} wait tier, back to inbox")
        )
    queues.append(Queue(dlq, f"{aid} dead letters for operators", names.DLQ_POLICY))
    bindings += [Binding(dead_x, dlq, ""), Binding(dead_x, names.DEADLETTERS_QUEUE, "")]
    user = User(agency.broker_user, f"{agency.name} adapter")
    # No dead-letter exchange is writable by an agency, its own included: nsw.deadletters is fed only by
    # the broker dead-lettering from an inbox, which is what lets the hub trust the newest x-death entry.
    writable, readable = [names.DECISIONS_EXCHANGE, retry_x], [inbox]
    if agency.kind is RecipientKind.PARTNER:  # its gateway also sends to and reads from the partner hub
        key = names.partner_key(aid)
        writable.append(names.crossborder_out_exchange(key))
        readable.append(names.crossborder_in_queue(key))
    permission = Permission(
        agency.broker_user,
        configure="^$",
        write=names.any_of(writable),
        read=names.any_of(readable) if len(readable) > 1 else names.exact(inbox),
    )
    return Topology(exchanges, tuple(queues), tuple(bindings), tuple(policies), (user,), (permission,))


def _crossborder_part(partner: Recipient, settings: TopologySettings, link_user: Callable[[str], str]) -> Topology:
    """The link to one partner hub in this vhost: where our messages to it wait for the Shovel, where its
    Shovel delivers to us, their dead letters, and the link user its Shovel logs in as."""
    key = names.partner_key(partner.id)
    out_x, out_q = names.crossborder_out_exchange(key), names.crossborder_out_queue(key)
    in_x, in_q = names.crossborder_in_exchange(key), names.crossborder_in_queue(key)
    dead_x, dlq = names.crossborder_dead_letter_exchange(key), names.crossborder_dlq(key)
    exchanges = (
        Exchange(out_x, ExchangeType.DIRECT, f"to {partner.name}: our gateway publishes, the Shovel forwards"),
        Exchange(in_x, ExchangeType.FANOUT, f"from {partner.name}: its Shovel writes here as {link_user(key)}"),
        Exchange(dead_x, ExchangeType.FANOUT, f"dead letters of the {key} link, to its DLQ"),
    )
    queues = (
        Queue(out_q, f"messages to {partner.name}, drained by the Shovel", names.crossborder_out_policy(key)),
        Queue(in_q, f"messages from {partner.name}, read by its gateway", names.crossborder_in_policy(key)),
        Queue(dlq, f"{key} link dead letters for operators", names.CROSSBORDER_DLQ_POLICY),
    )
    bindings = (
        Binding(out_x, out_q, names.crossborder_out_key(key)),
        Binding(in_x, in_q, ""),
        Binding(dead_x, dlq, ""),
    )
    # The delivery limit also bounds a message the partner's broker keeps refusing: the Shovel returns it
    # to the out queue on every refusal, and past the limit it waits in the link's DLQ instead of looping.
    policies = (
        Policy(
            names.crossborder_out_policy(key),
            names.exact(out_q),
            _reliable(settings, dead_x, settings.inbox_max_length),
            f"outbound link to {key}",
        ),
        Policy(
            names.crossborder_in_policy(key),
            names.exact(in_q),
            _reliable(settings, dead_x, settings.inbox_max_length),
            f"inbound link from {key}",
        ),
    )
    link = link_user(key)
    user = User(link, f"{partner.name}'s Shovel, writing into this vhost")
    # Only its own inbound exchange: not amq.default (any queue by name), not any exchange of the hub.
    permission = Permission(link, configure="^$", write=names.exact(in_x), read="^$")
    return Topology(exchanges, queues, bindings, policies, (user,), (permission,))


def _crossborder_dlq_policy(settings: TopologySettings, dlqs: list[str]) -> Policy:
    return Policy(
        names.CROSSBORDER_DLQ_POLICY,
        names.any_of(dlqs),
        _reliable(settings, names.HUB_DEAD_LETTER_EXCHANGE, settings.dlq_max_length),
        "cross-border link dead-letter queues (what is looked at too often parks in nsw.hub.dlq)",
    )


def _hub_user(agency_dlqs: list[str], user: str) -> tuple[User, Permission]:
    # nsw.dlx.hub: the hub parks what it refuses in nsw.hub.dlq itself, with its reason in a header.
    hub_exchanges = [
        names.INTAKE_EXCHANGE,
        names.AGENCY_EXCHANGE,
        names.DECISIONS_EXCHANGE,
        names.STATUS_EXCHANGE,
        names.HUB_DEAD_LETTER_EXCHANGE,
    ]
    readable = [names.ROUTER_QUEUE, names.AGGREGATOR_QUEUE, names.DEADLETTERS_QUEUE, names.HUB_DLQ, *agency_dlqs]
    return (
        User(user, "hub processes: intake, router, aggregator, Watch, dlq replay"),
        Permission(
            user,
            configure=names.any_of([], names.SERVER_NAMED),
            write=names.any_of(hub_exchanges, names.SERVER_NAMED),
            read=names.any_of([*readable, names.STATUS_EXCHANGE], names.SERVER_NAMED),
        ),
    )


def build_topology(
    catalogue: Catalogue,
    settings: TopologySettings,
    *,
    hub_user: str = names.HUB_USER,
    link_user: Callable[[str], str] = names.link_user,
) -> Topology:
    """The whole table: hub exchanges and queues, then per recipient (agency or partner hub) its inbox,
    retry tiers and dead letters, then per partner hub its cross-border link.

    Broker users are global to a RabbitMQ node, so tests (and a second country's hub on the same broker)
    pass their own ``hub_user``, catalogue users and ``link_user`` (partner key -> link user name; the
    partner's ``create_link`` then needs the same name).
    """
    agencies = catalogue.recipients  # partner hubs get an inbox exactly like an agency's
    partners = [r for r in agencies if r.kind is RecipientKind.PARTNER]
    agency_dlqs = [names.dlq(a.id) for a in agencies]
    hub = _hub_part(settings, agency_dlqs)
    parts = [_agency_part(a, settings) for a in agencies]
    parts += [_crossborder_part(p, settings, link_user) for p in partners]
    if partners:
        link_dlqs = [names.crossborder_dlq(names.partner_key(p.id)) for p in partners]
        parts.append(Topology((), (), (), (_crossborder_dlq_policy(settings, link_dlqs),), (), ()))
    hub_account, hub_permission = _hub_user(agency_dlqs, hub_user)
    routing_keys = (
        (names.INTAKE_EXCHANGE, names.SUBMISSION_KEY, "submission events (type property: submitted, amended...)"),
        *((names.AGENCY_EXCHANGE, names.agency_routing_key(a.id), f"the {a.id} view of a document") for a in agencies),
        (names.DECISIONS_EXCHANGE, names.DECISION_KEY, "an agency decision (user_id = the agency's broker user)"),
        (
            names.STATUS_EXCHANGE,
            names.status_key("<submission id>"),
            f"a consolidated status; bind {names.STATUS_BINDING}",
        ),
        *(
            (names.retry_exchange(a.id), names.wait_routing_key(t), f"{a.id} retry after {names.tier_name(t)}")
            for a in agencies
            for t in a.retry_tiers
        ),
        *(
            (
                names.retry_exchange(a.id),
                names.DEAD_LETTER_KEY,
                f"into the {a.id} inbox, marked: rejected there, the broker dead-letters it",
            )
            for a in agencies
        ),
        *(
            (
                names.crossborder_out_exchange(k),
                names.crossborder_out_key(k),
                f"to the {k} hub: the Shovel {names.shovel_name(k)} forwards it, no user_id",
            )
            for k in (names.partner_key(p.id) for p in partners)
        ),
    )
    return Topology(
        exchanges=hub.exchanges + tuple(x for p in parts for x in p.exchanges),
        queues=hub.queues + tuple(q for p in parts for q in p.queues),
        bindings=hub.bindings + tuple(b for p in parts for b in p.bindings),
        policies=hub.policies + tuple(x for p in parts for x in p.policies),
        users=(hub_account, *(u for p in parts for u in p.users)),
        permissions=(hub_permission, *(x for p in parts for x in p.permissions)),
        routing_keys=routing_keys,
    )
