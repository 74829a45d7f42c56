"""The OpenAPI paths of invoices and payments (``payments_http``); the meanings are in docs/payments.md."""

from __future__ import annotations

from typing import Any

from singlewindow.platform.api.openapi_common import BOOLEAN, INTEGER, STAMP, TEXT, ok, operation, path_param, ref

_MONEY = {"type": "string", "description": "Decimal amount, two decimals"}
_LINE_STATUS = {"enum": ["DUE", "PAID", "VOID", "SUPERSEDED"]}


def payment_schemas() -> dict[str, Any]:
    line = {
        "type": "object",
        "properties": {
            "version": INTEGER,
            "agency": TEXT,
            "feeCode": TEXT,
            "description": TEXT,
            "basis": TEXT,
            "amount": _MONEY,
            "currency": {"type": "string", "description": "ISO 4217"},
            "status": _LINE_STATUS,
            "trigger": {"enum": ["ROUTING", "INSPECTION"]},
            "scheduleId": TEXT,
        },
    }
    head = {
        "submissionId": TEXT,
        "number": TEXT,
        "reference": {"type": "string", "description": "ISO 11649 RF creditor reference to remit with a transfer"},
        "version": INTEGER,
        "createdAt": STAMP,
    }
    return {
        "InvoiceLine": line,
        "Invoice": {
            "type": "object",
            "properties": {
                **head,
                "status": {"enum": ["OPEN", "PAID", "CANCELLED", "VOID", "NOTHING_DUE"]},
                "lines": {"type": "array", "items": ref("InvoiceLine")},
                "totals": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "currency": TEXT,
                            "charged": _MONEY,
                            "received": _MONEY,
                            "due": _MONEY,
                            "credit": _MONEY,
                            "refundable": BOOLEAN,
                        },
                    },
                },
                "payments": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "provider": TEXT,
                            "entryReference": TEXT,
                            "amount": _MONEY,
                            "currency": TEXT,
                            "applied": _MONEY,
                            "outcome": TEXT,
                            "bookedAt": STAMP,
                        },
                    },
                },
            },
        },
        "AgencyInvoiceLines": {
            "type": "object",
            "properties": {
                **head,
                "agency": TEXT,
                "paid": BOOLEAN,
                "cancelled": BOOLEAN,
                "lines": {"type": "array", "items": ref("InvoiceLine")},
            },
        },
        "PaymentRequest": {
            "type": "object",
            "description": "Optional: the payer's own account, written into the payment order",
            "properties": {
                "debtor": {
                    "type": "object",
                    "properties": {"name": TEXT, "account": TEXT, "bic": TEXT},
                    "required": ["name", "account"],
                }
            },
        },
        "PaymentStarted": {
            "type": "object",
            "properties": {
                "initiations": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "provider": TEXT,
                            "messageId": TEXT,
                            "contentType": TEXT,
                            "documentBase64": {"type": "string", "description": "e.g. the pain.001 to send the bank"},
                        },
                    },
                },
                "reconciled": {"type": "array", "items": {"type": "object"}},
                "invoice": ref("Invoice"),
            },
        },
    }


def payment_paths() -> dict[str, Any]:
    submission = path_param("id", TEXT, "Submission id")
    return {
        "/v1/submissions/{id}/invoice": {
            "get": operation(
                "The submission's invoice: every line per agency and fee, balance per currency, payments",
                "getInvoice",
                ok("The invoice", ref("Invoice")),
                parameters=[submission],
            )
        },
        "/v1/submissions/{id}/invoice/payments": {
            "post": operation(
                "Pay what is due with the configured provider (one order per currency), then reconcile",
                "payInvoice",
                ok("Initiated (and, with the embedded provider, settled)", ref("PaymentStarted"), "201"),
                ref("PaymentRequest"),
                conflicts="Nothing is due, or the invoice is cancelled",
                parameters=[submission],
            )
        },
        "/v1/agency/invoices/{submission}": {
            "get": operation(
                "The calling agency's own lines of a submission's invoice",
                "getAgencyInvoiceLines",
                ok("Its lines", ref("AgencyInvoiceLines")),
                parameters=[path_param("submission", TEXT, "Submission id")],
            )
        },
    }
