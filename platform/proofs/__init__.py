"""The hub's signed status statements: the QR code on a consolidated decision and its verification."""

from singlewindow.platform.proofs.service import StatusProofs, Verification, status_keystore
from singlewindow.platform.proofs.statement import StatusStatement, decode_payload, encode_payload

__all__ = ["StatusProofs", "StatusStatement", "Verification", "decode_payload", "encode_payload", "status_keystore"]
