"""What the access use cases return: plain values, independent of HTTP and of the ORM."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from frontdesk.domain.model import UserRole


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """How long a session lives: ``idle`` since its last request, ``absolute`` since sign-in."""

    idle: timedelta = timedelta(hours=8)
    absolute: timedelta = timedelta(hours=24)
    # Writing ``last_seen_at`` on every request would make each page view a write; a minute of
    # slack on the idle timeout is the price of one write per minute at most.
    touch_every: timedelta = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class WebUser:
    """The signed-in person as pages see them."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID
    role: UserRole
    name: str
    email: str
    locale: str
    timezone: str
    tenant_name: str
    calendar_connected: bool = False

    @property
    def is_owner(self) -> bool:
        # Managers of DESIGN §3 act as owners in the web app (they run the business too).
        return self.role in (UserRole.OWNER, UserRole.MANAGER)


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A valid session: its user, the cookie token and the CSRF token forms must send back."""

    user: WebUser
    token: str = field(repr=False)
    csrf_token: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Throttled:
    """Too many failed sign-ins lately; try again after ``retry_after``."""

    retry_after: timedelta


@dataclass(frozen=True, slots=True)
class BadCredentials:
    """Unknown address or wrong password (never said which)."""


SignInResult = SignedIn | Throttled | BadCredentials
