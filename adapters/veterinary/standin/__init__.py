"""A stand-in of the veterinary service's CHED system (REST/JSON, decisions by webhook), run as its own process."""

from singlewindow.adapters.veterinary.ched_api import ChedDecision, ChedNotification
from singlewindow.adapters.veterinary.standin.app import WEBHOOK_TOKEN_HEADER, build_app, run_veterinarian
from singlewindow.adapters.veterinary.standin.store import ChedStore

__all__ = ["WEBHOOK_TOKEN_HEADER", "ChedDecision", "ChedNotification", "ChedStore", "build_app", "run_veterinarian"]
