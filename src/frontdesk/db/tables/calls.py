"""The call log: calls handled by the voice agent, the functions they ran and the appointments
they touched."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.db.tables.base import Base, JsonDoc, Timestamped, tenant_fk
from frontdesk.db.types import UTCDateTime


class Call(Timestamped, Base):
    """A phone call handled by the voice agent, assembled from Retell events and functions."""

    __tablename__ = "call"
    # The tenant's calls newest first (the call list) and older than the retention (its job).
    __table_args__ = (Index("ix_call_tenant_id_created_at", "tenant_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    branch_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("branch.id", ondelete="SET NULL")
    )
    retell_call_id: Mapped[str] = mapped_column(String(128), unique=True)
    agent_id: Mapped[str | None] = mapped_column(String(128))
    direction: Mapped[str | None] = mapped_column(String(16))
    from_number: Mapped[str | None] = mapped_column(String(32))
    to_number: Mapped[str | None] = mapped_column(String(32))
    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("customer.id", ondelete="SET NULL"), index=True
    )
    call_status: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    disconnection_reason: Mapped[str | None] = mapped_column(String(64))
    transcript: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    sentiment: Mapped[str | None] = mapped_column(String(32))
    successful: Mapped[bool | None] = mapped_column(Boolean)
    outcome: Mapped[str | None] = mapped_column(String(32))
    analysis: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    # When what was said (transcript, summary, analysis, function arguments and answers) was
    # deleted: the retention period ran out or the caller's data was erased (ADR 0020).
    content_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CallAppointment(Base):
    """Which appointments a call booked, moved or cancelled."""

    __tablename__ = "call_appointment"

    call_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("call.id", ondelete="CASCADE"), primary_key=True
    )
    appointment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appointment.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    action: Mapped[str] = mapped_column(String(16), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CallFunction(Base):
    """One voice-function invocation during a call, with its latency and outcome."""

    __tablename__ = "call_function"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    call_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("call.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    arguments: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    status: Mapped[str] = mapped_column(String(32))
    latency_ms: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    # What the agent was told to say (the reply's message).
    answer: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
