"""Unsubscribing from reminders through the signed link a reminder carries (no login)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from frontdesk.db.repositories import messages as message_rows
from frontdesk.domain.clock import Clock
from frontdesk.messages.links import link_key, read_unsubscribe_token
from frontdesk.settings import Settings


class Unsubscribed(StrEnum):
    DONE = "done"  # opted out now or earlier: either way no more reminders
    INVALID = "invalid"  # not a link we signed (or for a customer no longer here)


def valid(settings: Settings, token: str) -> bool:
    key = link_key(settings)
    return key is not None and read_unsubscribe_token(key, token) is not None


async def unsubscribe(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, clock: Clock, token: str
) -> Unsubscribed:
    key = link_key(settings)
    who = None if key is None else read_unsubscribe_token(key, token)
    if who is None:
        return Unsubscribed.INVALID
    tenant_id, customer_id = who
    async with sessions() as session:
        known = await message_rows.opt_out_of_reminders(session, tenant_id, customer_id, clock())
        await session.commit()
    return Unsubscribed.DONE if known else Unsubscribed.INVALID
