"""Confluent's delete rules: soft first, then ``permanent=true``; soft-deleting a subject also drops its
subject-level compatibility and mode (research §1.9)."""

from __future__ import annotations

from singlewindow.registry.errors import (
    SubjectNotFound,
    SubjectNotSoftDeleted,
    SubjectSoftDeleted,
    VersionNotFound,
    VersionNotSoftDeleted,
    VersionSoftDeleted,
)
from singlewindow.registry.storage.store import StoreTransaction
from singlewindow.registry.versions import LATEST


async def delete_subject(tx: StoreTransaction, subject: str, *, permanent: bool) -> list[int]:
    """Soft: mark every live version deleted. Permanent: remove versions that were soft-deleted first."""
    rows = await tx.versions(subject, include_deleted=True)
    if not rows:
        raise SubjectNotFound(f"Subject '{subject}' not found.")
    live = [row.version for row in rows if not row.deleted]
    if permanent:
        if live:
            raise SubjectNotSoftDeleted(f"Subject '{subject}' was not deleted first before being permanently deleted")
        every = [row.version for row in rows]
        await tx.hard_delete(subject, every)
        return every
    if not live:
        raise SubjectSoftDeleted(f"Subject '{subject}' was soft deleted. Set permanent=true to delete permanently")
    await tx.soft_delete(subject, live)
    await tx.set_setting(subject, "compatibility", None)
    await tx.set_setting(subject, "mode", None)
    return live


async def delete_version(tx: StoreTransaction, subject: str, version: int, *, permanent: bool) -> int:
    """One version: soft-delete a live one, or permanently remove one already soft-deleted."""
    rows = await tx.versions(subject, include_deleted=True)
    if not rows:
        raise SubjectNotFound(f"Subject '{subject}' not found.")
    if version == LATEST:
        candidates = rows if permanent else [row for row in rows if not row.deleted]
        if not candidates:
            raise VersionNotFound(f"Subject '{subject}' has no live version to delete.")
        target = candidates[-1]
    else:
        match = [row for row in rows if row.version == version]
        if not match:
            raise VersionNotFound(f"Version {version} not found.")
        target = match[0]
    if permanent:
        if not target.deleted:
            raise VersionNotSoftDeleted(
                f"Subject '{subject}' Version {target.version} was not deleted first before being permanently deleted"
            )
        await tx.hard_delete(subject, [target.version])
    else:
        if target.deleted:
            raise VersionSoftDeleted(
                f"Subject '{subject}' Version {target.version} was soft deleted. Set permanent=true to "
                "delete permanently"
            )
        await tx.soft_delete(subject, [target.version])
    return target.version
