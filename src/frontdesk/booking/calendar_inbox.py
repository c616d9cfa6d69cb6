"""Cal.com's webhooks in: verify, store in the inbox with its job, answer at once (ADR 0015).

``receive`` is everything ``POST /calcom/webhook/{tenant_slug}`` does besides HTTP: the tenant
by slug (404 unknown), the signature over the raw bytes with the tenant's secret (401 without a
secret, without a signature or with a wrong one), the JSON envelope (400 after a valid
signature), then one transaction: the inbox row (unique dedupe key, so a replay writes nothing)
and, for a booking trigger, the ``calendar.inbox`` job that processes it
(``booking.calendar_events``). PING and unknown triggers are stored as already done. A refusal
writes nothing and logs a warning without the body.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from frontdesk import untrusted
from frontdesk.calendars.calcom import webhook
from frontdesk.db.engine import SessionFactory, reading
from frontdesk.db.repositories import inbox as inbox_rows
from frontdesk.domain.model import InboxStatus
from frontdesk.jobs.queue import enqueue
from frontdesk.observability.logging import get_logger
from frontdesk.observability.metrics import CALCOM_WEBHOOK_SIGNATURE_FAILURES, CALCOM_WEBHOOKS

PROVIDER = "calcom"
INBOX_JOB = "calendar.inbox"
IGNORED = "ignored: not a booking trigger"

log = get_logger(__name__)


class WebhookRefused(Exception):
    """A delivery we do not take: ``status`` 400, 401 or 404 with a stable ``code``."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


@dataclass(frozen=True, slots=True)
class Receipt:
    """What became of a delivery: ``accepted`` (queued), ``duplicate``, ``ping``, ``ignored``."""

    outcome: str
    inbox_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class _Envelope:
    trigger: str
    stored: dict[str, Any]


class CalendarInbox:
    """One per process: the session factory and the clock."""

    def __init__(self, sessions: SessionFactory, clock: Callable[[], datetime]) -> None:
        self._sessions = sessions
        self._clock = clock

    async def receive(self, slug: str, body: bytes, signature: str | None) -> Receipt:
        tenant = await self._tenant(slug)
        problem = webhook.check(body, tenant.secret, signature)
        if problem is not None:
            CALCOM_WEBHOOK_SIGNATURE_FAILURES.labels(str(problem)).inc()
            CALCOM_WEBHOOKS.labels("unverified", "unauthorized").inc()
            log.warning("calcom_webhook_refused", tenant_id=str(tenant.id), reason=str(problem))
            raise WebhookRefused(401, "unauthorized", "missing or wrong X-Cal-Signature-256")
        envelope = _envelope(body)
        receipt = await self._store(tenant.id, envelope, webhook.dedupe_key(tenant.id, body))
        CALCOM_WEBHOOKS.labels(webhook.trigger_label(envelope.trigger), receipt.outcome).inc()
        return receipt

    async def _tenant(self, slug: str) -> inbox_rows.WebhookTenant:
        async with reading(self._sessions) as session:
            tenant = await inbox_rows.webhook_tenant(session, slug[:64])
        if tenant is None:
            CALCOM_WEBHOOKS.labels("unverified", "unknown_tenant").inc()
            log.warning("calcom_webhook_refused", reason="unknown_tenant", slug=slug[:64])
            raise WebhookRefused(404, "unknown_tenant", "no such tenant")
        return tenant

    async def _store(self, tenant_id: uuid.UUID, envelope: _Envelope, key: str) -> Receipt:
        """The inbox row and (booking triggers) its job, in one transaction."""
        trigger = envelope.trigger
        booking = trigger in webhook.BOOKING_TRIGGERS
        now = self._clock()
        async with self._sessions() as session:
            inbox_id = await inbox_rows.add(
                session,
                tenant_id=tenant_id,
                provider=PROVIDER,
                dedupe_key=key,
                event_type=trigger[:64],
                payload=envelope.stored,
                status=InboxStatus.RECEIVED if booking else InboxStatus.PROCESSED,
                received_at=now,
                error=None if booking or trigger == webhook.PING else IGNORED,
            )
            if inbox_id is None:
                log.info("calcom_webhook_duplicate", tenant_id=str(tenant_id), trigger=trigger)
                return Receipt("duplicate", None)
            if booking:
                await enqueue(session, INBOX_JOB, {"inbox_id": str(inbox_id)}, tenant_id=tenant_id)
            await session.commit()
        return Receipt(_outcome(trigger, tenant_id), inbox_id)


def _outcome(trigger: str, tenant_id: uuid.UUID) -> str:
    if trigger in webhook.BOOKING_TRIGGERS:
        return "accepted"
    if trigger == webhook.PING:
        return "ping"
    log.info("calcom_webhook_ignored", tenant_id=str(tenant_id), trigger=trigger[:64])
    return "ignored"


def _envelope(body: bytes) -> _Envelope:
    """``{triggerEvent, createdAt, payload}`` as stored (strings made storable), or 400."""
    parsed = untrusted.loads(body)
    trigger = parsed.get("triggerEvent") if isinstance(parsed, dict) else None
    if not isinstance(trigger, str) or not trigger:
        raise WebhookRefused(400, "invalid_body", "expected a JSON object with triggerEvent")
    try:
        stored = untrusted.sanitised(parsed)
    except untrusted.TooDeep as exc:
        raise WebhookRefused(400, "invalid_body", "the JSON nests too deeply") from exc
    return _Envelope(untrusted.text(trigger), stored)
