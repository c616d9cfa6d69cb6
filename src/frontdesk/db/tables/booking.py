"""Who booked what: customers, appointments, the provider uids an appointment has had, and
the mirrored free time of an outside calendar that bookings are made against."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    column,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.db.tables.base import Base, Timestamped, portable_enum, tenant_fk
from frontdesk.db.types import UTCDateTime
from frontdesk.domain.model import (
    AppointmentSource,
    AppointmentStatus,
    ConsentChannel,
    SyncState,
)


class Customer(Timestamped, Base):
    """A person who books; identified within a tenant by E.164 phone when known."""

    __tablename__ = "customer"
    # Several NULL phones are allowed on both databases: callers with a withheld number.
    __table_args__ = (UniqueConstraint("tenant_id", "phone_e164"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    notes: Mapped[str | None] = mapped_column(Text)
    contact_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    marketing_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the person's data was erased on request (GDPR Art. 17, ADR 0020): the row stays
    # as the anonymous customer of the appointments kept for the books.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set through the signed unsubscribe link of a reminder: no more reminders (ADR 0024).
    reminders_opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CustomerConsent(Base):
    """One statement of a customer's consent to be contacted on a channel (SMS, e-mail):
    given or withdrawn, when and how it was given. Appended, never changed: the latest per
    channel is the current state, the earlier ones are the proof (GDPR Art. 7(1))."""

    __tablename__ = "customer_consent"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[ConsentChannel] = mapped_column(
        portable_enum(ConsentChannel, "consent_channel")
    )
    granted: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Appointment(Timestamped, Base):
    """A booked block of one staff member's time for one service and one customer."""

    __tablename__ = "appointment"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="valid_range"),
        UniqueConstraint("tenant_id", "idempotency_key"),
        UniqueConstraint("tenant_id", "external_uid"),
        Index("ix_appointment_staff_id_starts_at", "staff_id", "starts_at"),
        Index("ix_appointment_branch_id_starts_at", "branch_id", "starts_at"),
        # The database, not Python, guarantees that one staff member is never booked twice.
        # SQLite gets an equivalent trigger in the migration (see ADR 0001).
        ExcludeConstraint(
            (column("staff_id"), "="),
            (func.tstzrange(column("starts_at"), column("ends_at"), text("'[)'")), "&&"),
            name="appointment_no_overlap",
            using="gist",
            where=text("status <> 'cancelled'"),
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    branch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service.id"))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customer.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[AppointmentStatus] = mapped_column(
        portable_enum(AppointmentStatus, "appointment_status"), default=AppointmentStatus.CONFIRMED
    )
    source: Mapped[AppointmentSource] = mapped_column(
        portable_enum(AppointmentSource, "appointment_source")
    )
    sync_state: Mapped[SyncState] = mapped_column(
        portable_enum(SyncState, "sync_state"), default=SyncState.LOCAL
    )
    external_uid: Mapped[str | None] = mapped_column(String(128))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Optimistic locking: every ORM update checks and bumps the version it read.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own API
    notes: Mapped[str | None] = mapped_column(Text)
    price_cents: Mapped[int | None] = mapped_column(Integer)
    call_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("call.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancellation_reason: Mapped[str | None] = mapped_column(String(200))
    cancellation_fee_cents: Mapped[int | None] = mapped_column(Integer)
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sync_error: Mapped[str | None] = mapped_column(Text)
    # The saga's claim (booking.sync): until then one process is talking to the provider about
    # this appointment and no other may. Written with plain UPDATEs, so the version stays.
    sync_claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AppointmentExternalUid(Base):
    """Every provider uid an appointment has had: a provider reschedule makes a new uid, and a
    late webhook or a reconciliation row about an older one must still find the appointment."""

    __tablename__ = "appointment_external_uid"
    __table_args__ = (UniqueConstraint("tenant_id", "uid"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    appointment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appointment.id", ondelete="CASCADE"), index=True
    )
    uid: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CalendarMirrorDay(Base):
    """One provider host's free starts for one event type on one local day (the mirror).

    Filled ahead of calls by the refresh job within the provider's rate budget; the voice and
    REST searches read it instead of calling the provider. ``stale_since`` is set when a webhook
    or our own write touched the day (refresh at once; until then the day is served with our own
    bookings subtracted and its age known); ``fetched_at`` is None until the first fetch.
    """

    __tablename__ = "calendar_mirror_day"

    branch_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("branch.id", ondelete="CASCADE"), primary_key=True
    )
    event_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    # [[start, end], ...] as UTC ISO-8601 strings, sorted by start.
    slots: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refresh_after: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    stale_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(500))
