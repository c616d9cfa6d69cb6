"""Who changes settings, and what every change does besides its own write.

Every change, in its own transaction: bump the branch's ``calendar_version`` (the key of every
cached catalogue and slot search: the phone agent offers the new hours at once, ADR 0021) and
append an audit entry (who, what, before and after — never a secret).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.db.engine import DbSession
from frontdesk.db.repositories import audit
from frontdesk.db.repositories import catalog as catalog_rows


@dataclass(frozen=True, slots=True)
class Owner:
    """The tenant whose settings change and who changes them (``actor``: e.g. ``user:<id>``)."""

    tenant_id: uuid.UUID
    actor: str


async def record(
    uow: UnitOfWork,
    session: DbSession,
    owner: Owner,
    action: str,
    entity: tuple[str, uuid.UUID],
    before: Any,
    after: Any,
    branch_id: uuid.UUID | None = None,
) -> None:
    """The change audited, and ``branch_id``'s catalogue invalidated when it touches one."""
    if branch_id is not None:
        await catalog_rows.bump_calendar_version(session, branch_id)
    await audit.record_once(
        session,
        entry_id=uuid.uuid4(),
        tenant_id=owner.tenant_id,
        actor=owner.actor,
        action=action,
        entity_type=entity[0],
        entity_id=str(entity[1]),
        data={"before": before, "after": after},
        at=uow.clock(),
    )
