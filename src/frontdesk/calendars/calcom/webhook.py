"""Cal.com's webhook deliveries, read (pure: no I/O): the signature, the dedupe key and the
facts a booking event states about one booking uid (reference/calcom.md §2, ADR 0015).

Cal.com signs ``hex(HMAC-SHA256(secret, exact body))`` into ``X-Cal-Signature-256`` with no
timestamp and no event id, sends each event at most once, in no particular order, and may send
it twice (overlapping subscriptions). So a delivery is judged only by what it says about the
booking, never by when it arrived: a booking uid's times never change (Cal.com makes a new uid
for a new time) and its status only moves forward (``rank``).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from frontdesk.domain import rules

SIGNATURE_HEADER = "X-Cal-Signature-256"
# What Cal.com sends in the header when the subscription has no secret: never valid here.
NO_SECRET = "no-secret-provided"
PING = "PING"
CREATED = "BOOKING_CREATED"
REQUESTED = "BOOKING_REQUESTED"
RESCHEDULED = "BOOKING_RESCHEDULED"
CANCELLED = "BOOKING_CANCELLED"
REJECTED = "BOOKING_REJECTED"
BOOKING_TRIGGERS = frozenset({CREATED, REQUESTED, RESCHEDULED, CANCELLED, REJECTED})
# Cal.com's other triggers (calcom.md §2.1): named in metrics as themselves; anything else is
# "other", so a stranger's string never becomes a label value.
OTHER_TRIGGERS = frozenset(
    {
        "BOOKING_PAYMENT_INITIATED",
        "BOOKING_PAID",
        "BOOKING_NO_SHOW_UPDATED",
        "MEETING_STARTED",
        "MEETING_ENDED",
        "AFTER_HOSTS_CAL_VIDEO_NO_SHOW",
        "AFTER_GUESTS_CAL_VIDEO_NO_SHOW",
        "RECORDING_READY",
        "RECORDING_TRANSCRIPTION_GENERATED",
        "INSTANT_MEETING",
        "OOO_CREATED",
        "FORM_SUBMITTED",
        "FORM_SUBMITTED_NO_EVENT",
    }
)
# The reserved, undeliverable address our saga books callers without e-mail under (ADR 0014):
# never a customer's address.
GUEST_EMAIL_DOMAIN = "@guest.frontdesk.invalid"
OUR_ID_KEY = "frontdesk_appointment_id"


class SignatureProblem(StrEnum):
    NO_SECRET = "no_secret"
    MISSING = "missing"
    MISMATCH = "mismatch"


def sign(secret: str, body: bytes) -> str:
    """The header value Cal.com sends for ``body`` (tests, bench, the emulator's twin)."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def check(body: bytes, secret: str | None, header: str | None) -> SignatureProblem | None:
    """``None`` when ``header`` is the signature of the raw ``body`` under ``secret``."""
    if not secret:
        return SignatureProblem.NO_SECRET
    if not header or header.strip() == NO_SECRET:
        return SignatureProblem.MISSING
    # compare_digest on ASCII bytes: constant time in the expected value's length, and a
    # non-ASCII header cannot raise.
    given = header.strip().lower().encode("utf-8", "replace")
    if not hmac.compare_digest(given, sign(secret, body).encode("ascii")):
        return SignatureProblem.MISMATCH
    return None


def dedupe_key(tenant_id: uuid.UUID, body: bytes) -> str:
    """The inbox key of a delivery: SHA-256 of the tenant and the exact body (ADR 0015).

    Cal.com has no event id, and its ``createdAt`` is stamped per send, so the bytes are the
    only identity a delivery has: the same bytes again are a replay or a redelivery. The same
    event in other bytes gets a second row, which changes nothing (processing is a merge)."""
    digest = hashlib.sha256(tenant_id.bytes + b"\n" + body).hexdigest()
    return f"calcom:{digest}"


def trigger_label(trigger: str) -> str:
    """A bounded metric label for a trigger."""
    if trigger == PING or trigger in BOOKING_TRIGGERS or trigger in OTHER_TRIGGERS:
        return trigger
    return "other"


class BookingState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    CANCELLED = "cancelled"
    REJECTED = "rejected"

    @property
    def rank(self) -> int:
        """Statuses of one booking only move up: pending → accepted → cancelled/rejected."""
        return _RANK[self]

    @property
    def final(self) -> bool:
        return self.rank == _RANK[BookingState.CANCELLED]


_RANK = {
    BookingState.PENDING: 1,
    BookingState.ACCEPTED: 2,
    BookingState.CANCELLED: 3,
    BookingState.REJECTED: 3,
}
_TRIGGER_STATE = {
    CREATED: BookingState.ACCEPTED,
    REQUESTED: BookingState.PENDING,
    RESCHEDULED: BookingState.ACCEPTED,
    CANCELLED: BookingState.CANCELLED,
    REJECTED: BookingState.REJECTED,
}


@dataclass(frozen=True, slots=True)
class Attendee:
    name: str
    email: str | None
    phone: str | None


@dataclass(frozen=True, slots=True)
class BookingFacts:
    """What one booking event says about the booking ``uid``."""

    trigger: str
    uid: str
    state: BookingState
    start: datetime
    end: datetime
    # The uid this booking replaced (a reschedule: ``rescheduleUid`` is the old booking).
    previous_uid: str | None
    host: str | None
    event_type: str | None
    attendee: Attendee | None
    # Our appointment id when the booking carries it in its metadata (our own booking).
    ours: uuid.UUID | None
    reason: str | None


def booking_facts(trigger: str, payload: Mapping[str, Any]) -> BookingFacts | None:
    """The facts of a booking trigger's payload, or None when it names no booking and times."""
    uid = _text(payload.get("uid"), 128)
    start = _instant(payload.get("startTime"))
    end = _instant(payload.get("endTime"))
    if uid is None or start is None or end is None or not start < end:
        return None
    return BookingFacts(
        trigger=trigger,
        uid=uid,
        state=_state(trigger, payload.get("status")),
        start=start,
        end=end,
        previous_uid=_text(payload.get("rescheduleUid"), 128) if trigger == RESCHEDULED else None,
        host=_id(_mapping(payload.get("organizer")).get("id")),
        event_type=_id(payload.get("eventTypeId")),
        attendee=_attendee(payload.get("attendees")),
        ours=_ours(payload.get("metadata")),
        reason=_text(payload.get("cancellationReason"), 150),
    )


def _state(trigger: str, status: object) -> BookingState:
    """The trigger decides a final state (a cancel is a cancel whatever else is said); for the
    others the payload's own status (a reschedule needing confirmation is pending)."""
    implied = _TRIGGER_STATE[trigger]
    if implied.final or not isinstance(status, str):
        return implied
    try:
        stated = BookingState(status.lower())
    except ValueError:
        return implied
    return implied if stated.final else stated


def _attendee(value: object) -> Attendee | None:
    if not isinstance(value, list) or not value or not isinstance(value[0], dict):
        return None
    first = value[0]
    email = _text(first.get("email"), 254)
    if email is not None and email.lower().endswith(GUEST_EMAIL_DOMAIN):
        email = None
    return Attendee(
        name=_text(first.get("name"), 200) or "",
        email=email,
        phone=_text(first.get("phoneNumber"), 40),
    )


def _ours(metadata: object) -> uuid.UUID | None:
    raw = _mapping(metadata).get(OUR_ID_KEY)
    if not isinstance(raw, str):
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def _instant(value: object) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None or not rules.EARLIEST <= parsed < rules.LATEST:
        return None
    return parsed


def _id(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    text = str(value)
    return text if text.isdigit() and len(text) <= 18 else None


def _text(value: object, limit: int) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:limit]


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}
