"""Principals (traders, brokers, agency officers, agencies, operators), their tokens and grants."""

from singlewindow.platform.identity.models import Grant, GrantScope, IssuedToken, Principal, Role
from singlewindow.platform.identity.store import PrincipalStore

__all__ = ["Grant", "GrantScope", "IssuedToken", "Principal", "PrincipalStore", "Role"]
