"""Who is calling whom: the tenant from the dialled number, the caller from the caller ID.

The tenant (and so the signing key) is found from ``to_number`` — the number the caller dialled.
The caller's identity comes only from ``from_number`` as Retell's telephony reports it, never
from anything the model typed: a withheld, empty or unparseable caller ID makes the caller
anonymous, who may book (with a name) but only sees appointments made in the same call.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from frontdesk.db.engine import reading
from frontdesk.db.repositories import phone_numbers
from frontdesk.db.repositories.catalog import BranchRef
from frontdesk.language.phone import E164, parse_phone

ROUTE_TTL_S = 30.0
_MAX_ENTRIES = 10_000


@dataclass(frozen=True, slots=True)
class Route:
    """A dialled number's tenant and branch, with the key its requests are signed with."""

    number: str
    tenant_id: uuid.UUID
    branch_id: uuid.UUID
    key: str | None
    branch: BranchRef


@dataclass(frozen=True, slots=True)
class Caller:
    """The person on the line as far as the caller ID tells; ``phone`` None = anonymous."""

    phone: str | None

    @property
    def anonymous(self) -> bool:
        return self.phone is None


def caller_of(from_number: object, region: str) -> Caller:
    """The caller from Retell's ``from_number``: E.164 when valid, otherwise anonymous."""
    parsed = parse_phone(from_number if isinstance(from_number, str) else None, region)
    return Caller(parsed.number if isinstance(parsed, E164) else None)


def dialled(to_number: object) -> str | None:
    """The dialled number as E.164, or ``None`` when it is missing or not a number."""
    parsed = parse_phone(to_number if isinstance(to_number, str) else None)
    return parsed.number if isinstance(parsed, E164) else None


class Router:
    """Dialled number → ``Route``, cached for ``ttl`` seconds per process.

    The cache keeps one query off every mid-call request. A changed Retell key or a moved
    number therefore takes effect within ``ttl`` (availability itself is never served from
    this cache: the booking use cases check the branch's calendar version on every call).
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        fallback_key: str | None,
        ttl: float = ROUTE_TTL_S,
    ) -> None:
        self._sessions = sessions
        self._fallback_key = fallback_key or None
        self._ttl = ttl
        self._entries: dict[str, tuple[Route, float]] = {}

    @property
    def fallback_key(self) -> str | None:
        """``FRONTDESK_RETELL_API_KEY``: verifies tenants without their own key."""
        return self._fallback_key

    async def route(self, number: str | None) -> Route | None:
        if number is None:
            return None
        entry = self._entries.get(number)
        if entry is not None and entry[1] > time.monotonic():
            return entry[0]
        async with reading(self._sessions) as session:
            row = await phone_numbers.route(session, number)
        if row is None:
            return None
        found = Route(
            number=number,
            tenant_id=row.tenant_id,
            branch_id=row.branch_id,
            key=row.retell_api_key or self._fallback_key,
            branch=BranchRef(
                row.branch_id, row.tenant_id, row.calendar_version, row.branch_updated_at
            ),
        )
        if len(self._entries) >= _MAX_ENTRIES:
            self._entries.clear()
        self._entries[number] = (found, time.monotonic() + self._ttl)
        return found
