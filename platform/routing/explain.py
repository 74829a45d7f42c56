"""Why a document goes where it goes: each recipient, the rules that matched (with the goods items that
triggered them) and the fields of its view, for people (text) and for tools (JSON)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from singlewindow.platform.routing.engine import RecipientRoute, RoutingDecision
from singlewindow.platform.routing.tables import RoutingTables


def _item_summary(document: Mapping[str, Any], index: int) -> dict[str, Any]:
    items = document.get("goodsItems")
    item: Mapping[str, Any] = items[index] if isinstance(items, list) and index < len(items) else {}
    code = item.get("commodityCode")
    return {
        "index": index,
        "sequenceNumber": item.get("sequenceNumber"),
        "hsCode": code.get("hsCode") if isinstance(code, Mapping) else None,
        "description": item.get("description"),
    }


WHOLE_DOCUMENT_FIELDS: tuple[str, ...] = ("(the whole document, as submitted)",)


def _recipient_json(route: RecipientRoute, tables: RoutingTables, document: Mapping[str, Any]) -> dict[str, Any]:
    if route.whole_document:
        goods_sent, fields = "all", WHOLE_DOCUMENT_FIELDS
    else:
        view = tables.views.get(route.view)
        goods_sent, fields = view.goods_items.value, view.field_names()
    return {
        "recipient": route.recipient,
        "name": tables.catalogue.get(route.recipient).name,
        "view": route.view,
        "rules": [
            {
                "id": match.rule_id,
                "description": match.description,
                "itemLevel": match.item_level,
                "goodsItems": [_item_summary(document, index) for index in match.items],
            }
            for match in route.matches
        ],
        "goodsItems": list(route.items),
        "goodsItemsSent": goods_sent,
        "viewFields": list(fields),
    }


def explanation(decision: RoutingDecision, tables: RoutingTables, document: Mapping[str, Any]) -> dict[str, Any]:
    """The decision as plain JSON data (what ``nsw routes explain --json`` prints)."""
    return {
        "documentType": decision.document_type,
        "rulesVersion": decision.rules_version,
        "recipients": [_recipient_json(route, tables, document) for route in decision.recipients],
    }


def _wrap(text: str, indent: str, more: str = "", width: int = 100) -> list[str]:
    return textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=indent + more) or [indent]


def _items_lines(items: Sequence[Mapping[str, Any]], item_level: bool) -> list[str]:
    if not item_level:
        return ["      goods items: all (the rule tests the consignment, not single items)"]
    return [
        f"      goods item {item['sequenceNumber']} (index {item['index']}): HS {item['hsCode']} {item['description']}"
        for item in items
    ]


def render_text(data: Mapping[str, Any]) -> str:
    """The human rendering of ``explanation(...)``."""
    recipients = data["recipients"]
    lines = [f"{data['documentType']} -> {len(recipients)} recipient(s), rules version {data['rulesVersion']}"]
    for recipient in recipients:
        lines += ["", f"{recipient['recipient']} ({recipient['name']}), view {recipient['view']}"]
        for rule in recipient["rules"]:
            lines.append(f"  rule {rule['id']}")
            lines += _wrap(rule["description"], "      ")
            lines += _items_lines(rule["goodsItems"], rule["itemLevel"])
        lines += _wrap("fields: " + ", ".join(recipient["viewFields"]), "  ", "  ")
    return "\n".join(lines) + "\n"
