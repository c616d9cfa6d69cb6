"""Customer messages (ADR 0024): the change sequence per appointment, what was sent, and the
reminder claims that make a reminder go out once however many workers look."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.db.tables.base import Base, tenant_fk
from frontdesk.db.types import UTCDateTime


class MessageSequence(Base):
    """How many customer-visible changes an appointment has had: 0 when booked, +1 per move or
    cancellation. The message job of a change is keyed by it, and the .ics SEQUENCE is it."""

    __tablename__ = "message_sequence"

    appointment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appointment.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    sequence: Mapped[int] = mapped_column(Integer)


class MessageDelivery(Base):
    """One message handed to a channel (never its body): a retried job finds it and does not
    send that channel again."""

    __tablename__ = "message_delivery"
    __table_args__ = (UniqueConstraint("message_key", "channel"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("appointment.id", ondelete="CASCADE"), index=True
    )
    message_key: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    provider_ref: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReminderClaim(Base):
    """The reminder of an appointment at one start time, claimed once (the primary key): a
    moved appointment gets a new claim for its new start, a second worker's insert does nothing."""

    __tablename__ = "reminder_claim"

    appointment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appointment.id", ondelete="CASCADE"), primary_key=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
