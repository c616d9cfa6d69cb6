"""The web app's sign-in, session lookup, sign-out and password change, one short use case
each over a transaction (ADR 0019)."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import timedelta

from frontdesk.access.model import (
    BadCredentials,
    SessionPolicy,
    SignedIn,
    SignInResult,
    Throttled,
    WebUser,
)
from frontdesk.access.throttle import LoginThrottle
from frontdesk.db.engine import SessionFactory, reading
from frontdesk.db.repositories import users, web_sessions
from frontdesk.db.repositories.web_sessions import SessionRow
from frontdesk.db.tables import WebSession
from frontdesk.domain.clock import Clock
from frontdesk.observability.logging import get_logger
from frontdesk.security import hash_password, needs_rehash, verify_password

log = get_logger(__name__)
# Verified when the address is unknown, so a wrong address costs as long as a wrong password
# and response times do not tell which addresses have a login.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
MIN_PASSWORD_LENGTH = 10
# argon2 hashes any length, but a megabyte-long "password" would only cost us CPU.
MAX_PASSWORD_LENGTH = 1024


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class WebAccess:
    def __init__(
        self,
        sessions: SessionFactory,
        clock: Clock,
        throttle: LoginThrottle,
        policy: SessionPolicy | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self.throttle = throttle
        self.policy = policy or SessionPolicy()

    async def sign_in(self, email: str, password: str, address: str) -> SignInResult:
        """Check the password (unless throttled) and open a session."""
        wait = await self.throttle.retry_after(email, address)
        if wait is not None:
            return Throttled(wait)
        if len(password) > MAX_PASSWORD_LENGTH:
            await self.throttle.failed(email, address)
            return BadCredentials()
        now = self._clock()
        async with self._sessions() as session:
            user = await users.by_email(session, email)
            # argon2 takes tens of milliseconds of CPU: off the event loop.
            valid = await asyncio.to_thread(
                verify_password, password, user.password_hash if user else _DUMMY_HASH
            )
            if user is None or not valid or not user.active:
                await self.throttle.failed(email, address)
                log.info("web_sign_in_refused")
                return BadCredentials()
            if needs_rehash(user.password_hash):
                # Older (scrypt) hashes become argon2 the first time their password is known.
                rehashed = await asyncio.to_thread(hash_password, password)
                await users.set_password_hash(session, user.tenant_id, user.id, rehashed)
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            await web_sessions.remove_expired_of_user(session, user.id, now)
            await web_sessions.add(
                session,
                WebSession(
                    token_hash=token_digest(token),
                    tenant_id=user.tenant_id,
                    user_id=user.id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + self.policy.absolute,
                ),
            )
            await users.mark_signed_in(session, user.id, now)
            await session.commit()
            found = await web_sessions.find(session, token_digest(token))
        await self.throttle.succeeded(email)
        assert found is not None  # just written in this transaction
        log.info("web_signed_in", user_id=str(user.id), tenant_id=str(user.tenant_id))
        return SignedIn(_user_of(found), token, csrf)

    async def session_of(self, token: str) -> SignedIn | None:
        """The live session of a cookie token; expired ones are deleted and give None."""
        digest = token_digest(token)
        now = self._clock()
        async with reading(self._sessions) as session:
            found = await web_sessions.find(session, digest)
        if found is None:
            return None
        row = found.session
        if now >= row.expires_at or now >= row.last_seen_at + self.policy.idle:
            await self._remove(digest)
            return None
        if now - row.last_seen_at >= self.policy.touch_every:
            async with self._sessions() as session:
                await web_sessions.touch(session, digest, now)
                await session.commit()
        return SignedIn(_user_of(found), token, row.csrf_token)

    async def sign_out(self, token: str) -> None:
        await self._remove(token_digest(token))

    async def change_password(self, signed_in: SignedIn, current: str, new: str) -> str | None:
        """Set a new password; None when done, else the message key of what is wrong.

        Every other session of the person ends, so a stolen session does not outlive the change.
        """
        if len(new) < MIN_PASSWORD_LENGTH:
            return "password.too_short"
        if len(new) > MAX_PASSWORD_LENGTH:
            return "password.too_long"
        user = signed_in.user
        async with self._sessions() as session:
            row = await users.get(session, user.tenant_id, user.user_id)
            if row is None or not await asyncio.to_thread(
                verify_password, current, row.password_hash
            ):
                return "password.wrong_current"
            new_hash = await asyncio.to_thread(hash_password, new)
            await users.set_password_hash(session, user.tenant_id, user.user_id, new_hash)
            await web_sessions.remove_others_of_user(
                session, user.user_id, token_digest(signed_in.token)
            )
            await session.commit()
        log.info("web_password_changed", user_id=str(user.user_id))
        return None

    async def _remove(self, digest: str) -> None:
        async with self._sessions() as session:
            await web_sessions.remove(session, digest)
            await session.commit()


def _user_of(found: SessionRow) -> WebUser:
    user = found.user
    return WebUser(
        user_id=user.id,
        tenant_id=user.tenant_id,
        role=user.role,
        name=user.name,
        email=user.email,
        locale=found.tenant_locale,
        timezone=found.tenant_timezone,
        tenant_name=found.tenant_name,
        calendar_connected=found.calendar_connected,
    )


def retry_minutes(wait: timedelta) -> int:
    """Whole minutes to tell a person, never zero."""
    return max(1, -(-int(wait.total_seconds()) // 60))
