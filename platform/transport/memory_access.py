"""Users and permissions of the in-memory broker, with RabbitMQ's rules.

A permission is three regular expressions (configure, write, read) per user and vhost, matched with an
unanchored search as RabbitMQ does; the empty string grants nothing. The default exchange is checked under
the name ``amq.default``. Users tagged ``impersonator`` may publish with another ``user_id``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from singlewindow.platform.errors import AccessDenied, ConfigurationError, Unauthenticated

Access = Literal["configure", "write", "read"]
ResourceKind = Literal["exchange", "queue"]


@dataclass(frozen=True, slots=True)
class Permission:
    configure: str
    write: str
    read: str

    def __post_init__(self) -> None:
        for kind in ("configure", "write", "read"):
            try:
                re.compile(getattr(self, kind))
            except re.error as exc:
                raise ConfigurationError(f"{kind} permission {getattr(self, kind)!r} is not a regex") from exc

    def allows(self, access: Access, name: str) -> bool:
        pattern: str = getattr(self, access)
        return pattern != "" and re.search(pattern, name) is not None


@dataclass(slots=True)
class User:
    name: str
    password: str
    tags: frozenset[str] = frozenset()
    permissions: dict[str, Permission] = field(default_factory=dict)


def authenticate(users: dict[str, User], name: str, password: str | None, vhost: str) -> User:
    """Check a login the way the broker does at connection open (``password=None`` skips the check)."""
    user = users.get(name)
    if user is None or (password is not None and user.password != password):
        raise Unauthenticated(f"ACCESS_REFUSED - login refused for user {name!r}")
    if vhost not in user.permissions:
        raise AccessDenied(f"NOT_ALLOWED - access to vhost {vhost!r} refused for user {name!r}")
    return user


def check_access(user: User, vhost: str, access: Access, kind: ResourceKind, name: str) -> None:
    """Raise ``AccessDenied`` with RabbitMQ's wording unless ``user`` may ``access`` the resource."""
    resource = "amq.default" if kind == "exchange" and name == "" else name
    permission = user.permissions.get(vhost)
    if permission is None or not permission.allows(access, resource):
        raise AccessDenied(
            f"ACCESS_REFUSED - {access} access to {kind} {resource!r} in vhost {vhost!r} refused for user {user.name!r}"
        )


def check_user_id(user: User, user_id: str | None) -> None:
    """Validated user-id: a publisher may only claim to be itself unless it is an impersonator."""
    if user_id is not None and user_id != user.name and "impersonator" not in user.tags:
        raise AccessDenied(
            f"PRECONDITION_FAILED - user_id property set to {user_id!r} but authenticated user was {user.name!r}"
        )
