"""Who uses frontdesk and where: tenants, their branches, the numbers callers dial, and the
per-day versions that key a branch's availability cache."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.db.tables.base import Base, JsonDoc, Timestamped, portable_enum, tenant_fk
from frontdesk.domain.model import CalendarProvider


class Tenant(Timestamped, Base):
    """A business that uses frontdesk."""

    __tablename__ = "tenant"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(16), default="de-DE")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Berlin")
    phone_region: Mapped[str] = mapped_column(String(2), default="DE")
    # Retell signs with this key; it must be readable to verify HMACs, so it is not hashed but
    # sealed by frontdesk.secrets like the Cal.com key (ADR 0021); never logged or shown. A
    # sealed key of up to 79 characters fits (Retell's are 36; business.retell checks).
    retell_api_key: Mapped[str | None] = mapped_column(String(200))
    calcom_webhook_secret: Mapped[str | None] = mapped_column(String(200))
    # Sealed by frontdesk.secrets (encrypted when FRONTDESK_SECRET_KEY is set); never logged.
    calcom_api_key: Mapped[str | None] = mapped_column(String(1000))
    calcom_api_url: Mapped[str | None] = mapped_column(String(300))
    # How long call transcripts are kept (days); a periodic job deletes older ones (ADR 0020).
    transcript_retention_days: Mapped[int] = mapped_column(Integer, default=90, server_default="90")
    # Customer messages (ADR 0024): hours before an appointment its reminder goes out (NULL =
    # no reminders), on which channels, and the sender address (else FRONTDESK_MAIL_FROM).
    reminder_hours: Mapped[int | None] = mapped_column(Integer, default=24, server_default="24")
    reminder_email: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    reminder_sms: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    mail_from: Mapped[str | None] = mapped_column(String(254))


class Branch(Timestamped, Base):
    """A location of a tenant, with its own time zone, holidays and calendar provider."""

    __tablename__ = "branch"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        CheckConstraint("slot_step_minutes > 0", name="slot_step_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    state_code: Mapped[str | None] = mapped_column(String(8), comment="German state for holidays")
    country_code: Mapped[str] = mapped_column(String(2), default="DE")
    calendar_provider: Mapped[CalendarProvider] = mapped_column(
        portable_enum(CalendarProvider, "calendar_provider"), default=CalendarProvider.BUILTIN
    )
    calendar_config: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    slot_step_minutes: Mapped[int] = mapped_column(Integer, default=15)
    # Street, postcode and town as the customer's messages show them (one line).
    address: Mapped[str | None] = mapped_column(String(300))
    # Bumped on every change to staff, hours, absences, closures or services of the branch,
    # so cached catalogues invalidate explicitly.
    calendar_version: Mapped[int] = mapped_column(BigInteger, default=0)


class BookingDay(Base):
    """A version per branch and local day, bumped with every appointment write touching the day.

    Availability caches key a day's appointments by it (ADR 0007): after a booking only that
    day is read again, not the whole searched range.
    """

    __tablename__ = "booking_day"

    branch_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("branch.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    version: Mapped[int] = mapped_column(BigInteger, default=1)


class PhoneNumber(Timestamped, Base):
    """A number callers dial; it routes the call to a branch."""

    __tablename__ = "phone_number"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    branch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    e164: Mapped[str] = mapped_column(String(20), unique=True)
    label: Mapped[str | None] = mapped_column(String(100))
