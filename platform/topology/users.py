"""Broker users and their permissions, from the topology table (``nsw topology users``).

A new user gets a generated password that is returned once, for the operator to hand to the adapter's
secret store; the broker keeps only a hash, so it cannot be shown again. An existing user keeps its
password unless ``rotate`` is asked for, so re-running the command only re-asserts permissions.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.topology.management import ManagementClient
from singlewindow.platform.topology.model import Topology
from singlewindow.platform.transport import MemoryBroker

PASSWORD_BYTES = 24


@dataclass(frozen=True, slots=True)
class IssuedCredential:
    """A user whose password was set by this run; ``password`` is shown once and never stored by us."""

    user: str
    password: str


@dataclass(frozen=True, slots=True)
class UsersReport:
    issued: tuple[IssuedCredential, ...]
    unchanged: tuple[str, ...]
    """Users that existed already: permissions re-applied, password untouched."""


def generate_password() -> str:
    return secrets.token_urlsafe(PASSWORD_BYTES)


async def ensure_users_rabbitmq(
    topology: Topology, client: ManagementClient, vhost: str, *, rotate: bool = False
) -> UsersReport:
    """Create missing users (or every user with ``rotate``) and set each one's permissions in ``vhost``."""
    issued: list[IssuedCredential] = []
    unchanged: list[str] = []
    for user in topology.users:
        existing = await client.get_user(user.name)
        if existing is None or rotate:
            password = generate_password()
            await client.put_user(user.name, password, user.tags)
            issued.append(IssuedCredential(user.name, password))
        else:
            unchanged.append(user.name)
    for permission in topology.permissions:
        await client.put_permissions(vhost, permission.user, permission.configure, permission.write, permission.read)
    for permission in topology.permissions:
        found = await client.get_permissions(vhost, permission.user)
        expected = {"configure": permission.configure, "write": permission.write, "read": permission.read}
        if found is None or {key: found.get(key) for key in expected} != expected:
            raise ConfigurationError(
                f"permissions of {permission.user!r} in {vhost!r} read back as {found}, expected {expected}"
            )
    return UsersReport(tuple(issued), tuple(unchanged))


def ensure_users_memory(topology: Topology, broker: MemoryBroker, vhost: str, *, rotate: bool = False) -> UsersReport:
    """The same users and permissions on the embedded broker."""
    issued: list[IssuedCredential] = []
    unchanged: list[str] = []
    known = set(broker.users())
    for user in topology.users:
        if user.name not in known or rotate:
            password = generate_password()
            broker.add_user(user.name, password, user.tags)
            issued.append(IssuedCredential(user.name, password))
        else:
            unchanged.append(user.name)
    for permission in topology.permissions:
        broker.set_permissions(vhost, permission.user, permission.configure, permission.write, permission.read)
    return UsersReport(tuple(issued), tuple(unchanged))
