"""Idempotency keys for REST writes (after the IETF "Idempotency-Key" draft).

Same key and same request → the original response, replayed. Same key, different request →
refused. Same key while the first request is still running → refused as a conflict. Keys are
kept 24 hours. A record left "in flight" by a crashed process is taken over after
``STALE_AFTER``; the booking itself stays safe because the appointment carries the key too.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from frontdesk.db.engine import SessionFactory
from frontdesk.db.repositories import idempotency as records
from frontdesk.domain.clock import Clock
from frontdesk.domain.model import IdempotencyState

KEEP_FOR = timedelta(hours=24)
STALE_AFTER = timedelta(minutes=2)
MAX_KEY_LENGTH = 255


class Claim(StrEnum):
    NEW = "new"
    REPLAY = "replay"
    IN_FLIGHT = "in_flight"
    MISMATCH = "mismatch"


@dataclass(frozen=True, slots=True)
class ClaimResult:
    claim: Claim
    status: int | None = None
    body: dict[str, Any] | None = None


def request_fingerprint(method: str, path: str, body: Any) -> str:
    """A stable hash of what was asked: same JSON in any key order hashes the same."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


class IdempotencyStore:
    def __init__(self, sessions: SessionFactory, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def claim(self, tenant_id: uuid.UUID, key: str, fingerprint: str) -> ClaimResult:
        now = self._clock()
        async with self._sessions() as session:
            if await records.claim(session, tenant_id, key, fingerprint, now, now + KEEP_FOR):
                await session.commit()
                return ClaimResult(Claim.NEW)
            record = await records.find(session, tenant_id, key)
            if record is None:  # deleted between our insert and read: try once more
                await session.rollback()
                return await self.claim(tenant_id, key, fingerprint)
            # Read what we need now: the rollback below expires the loaded record.
            seen = ClaimResult(Claim.REPLAY, record.response_status, record.response_body)
            seen_hash, seen_state = record.request_hash, record.state
            reusable = record.expires_at <= now or (
                record.state is IdempotencyState.IN_FLIGHT and now - record.created_at > STALE_AFTER
            )
            if reusable and await records.take_over(
                session, record, fingerprint, now, now + KEEP_FOR
            ):
                await session.commit()
                return ClaimResult(Claim.NEW)
            await session.rollback()
        if seen_hash != fingerprint:
            return ClaimResult(Claim.MISMATCH)
        if seen_state is IdempotencyState.IN_FLIGHT:
            return ClaimResult(Claim.IN_FLIGHT)
        return seen

    async def complete(
        self, tenant_id: uuid.UUID, key: str, status: int, body: dict[str, Any]
    ) -> None:
        async with self._sessions() as session:
            await records.complete(session, tenant_id, key, status, body)
            await session.commit()

    async def release(self, tenant_id: uuid.UUID, key: str) -> None:
        async with self._sessions() as session:
            await records.release(session, tenant_id, key)
            await session.commit()
