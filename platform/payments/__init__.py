"""One invoice and one payment for every fee and duty of a consignment.

``provider`` is the contract between the invoice side (fee schedules, pricing, the invoice store and its
reconciliation) and the payment providers (the embedded one, ISO 20022 credit transfers).
"""
