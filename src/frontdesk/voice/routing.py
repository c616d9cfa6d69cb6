"""Who is calling whom: the tenant from the dialled number, the caller from the caller ID.

The tenant (and so the signing key) is found from ``to_number`` — the number the caller dialled.
The caller's identity comes only from ``from_number`` as Retell's telephony reports it, never
from anything the model typed: a withheld, empty or unparseable caller ID makes the caller
anonymous, who may book (with a name) but only sees appointments made in the same call.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from frontdesk.booking.directory import BranchRef, Directory
from frontdesk.language.phone import E164, parse_phone


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
    """Dialled number → ``Route`` through the booking directory (cached there for a short
    time, so one query stays off every mid-call request; availability itself is never served
    from that cache: the use cases check the branch's calendar version on every call)."""

    def __init__(self, directory: Directory, fallback_key: str | None) -> None:
        self._directory = directory
        self._fallback_key = fallback_key or None

    @property
    def fallback_key(self) -> str | None:
        """``FRONTDESK_RETELL_API_KEY``: verifies tenants without their own key."""
        return self._fallback_key

    async def route(self, number: str | None) -> Route | None:
        if number is None:
            return None
        found = await self._directory.number(number)
        if found is None:
            return None
        return Route(
            number=number,
            tenant_id=found.tenant_id,
            branch_id=found.branch_id,
            key=found.retell_api_key or self._fallback_key,
            branch=found.branch,
        )
