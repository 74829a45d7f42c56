"""The cross-border gateway: signed envelopes and receipts exchanged with a partner country's single window."""
