"""The relational schema of frontdesk as SQLAlchemy 2 declarative tables.

Every tenant-owned row carries ``tenant_id`` (DESIGN §1.6) with ``ON DELETE CASCADE`` so removing a
tenant removes its data in one statement. Times are aware UTC (``UTCDateTime``); local wall-clock
rules (weekly hours, breaks) are ``time`` values interpreted in the branch's zone. Money is integer
cents. The no-overlap guarantee for appointments lives in the migration: a PostgreSQL exclusion
constraint declared here with ``ddl_if`` and an SQLite trigger created by the migration.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    Uuid,
    column,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, ExcludeConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from frontdesk.db.types import UTCDateTime
from frontdesk.domain.model import (
    AppointmentSource,
    AppointmentStatus,
    CalendarProvider,
    IdempotencyState,
    InboxStatus,
    JobState,
    SyncState,
    UserRole,
)

# Batch migrations on SQLite rebuild tables and need every constraint to have a stable name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JsonDoc = JSON().with_variant(JSONB(), "postgresql")


def _enum(enum_cls: type[StrEnum], name: str) -> Enum:
    """A portable enum: a VARCHAR with a CHECK constraint, never a PostgreSQL ENUM type.

    Native enum types need their own migrations for every new value; a check constraint does not.
    """
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def _tenant_fk() -> Mapped[uuid.UUID]:
    return mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Tenant(Timestamped, Base):
    """A business that uses frontdesk."""

    __tablename__ = "tenant"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(16), default="de-DE")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Berlin")
    phone_region: Mapped[str] = mapped_column(String(2), default="DE")
    # Retell signs with this key; it must be readable to verify HMACs, so it is not hashed.
    retell_api_key: Mapped[str | None] = mapped_column(String(200))
    calcom_webhook_secret: Mapped[str | None] = mapped_column(String(200))
    # Sealed by frontdesk.secrets (encrypted when FRONTDESK_SECRET_KEY is set); never logged.
    calcom_api_key: Mapped[str | None] = mapped_column(String(1000))
    calcom_api_url: Mapped[str | None] = mapped_column(String(300))


class Branch(Timestamped, Base):
    """A location of a tenant, with its own time zone, holidays and calendar provider."""

    __tablename__ = "branch"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        CheckConstraint("slot_step_minutes > 0", name="slot_step_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    state_code: Mapped[str | None] = mapped_column(String(8), comment="German state for holidays")
    country_code: Mapped[str] = mapped_column(String(2), default="DE")
    calendar_provider: Mapped[CalendarProvider] = mapped_column(
        _enum(CalendarProvider, "calendar_provider"), default=CalendarProvider.BUILTIN
    )
    calendar_config: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    slot_step_minutes: Mapped[int] = mapped_column(Integer, default=15)
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
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    version: Mapped[int] = mapped_column(BigInteger, default=1)


class PhoneNumber(Timestamped, Base):
    """A number callers dial; it routes the call to a branch."""

    __tablename__ = "phone_number"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    branch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    e164: Mapped[str] = mapped_column(String(20), unique=True)
    label: Mapped[str | None] = mapped_column(String(100))


class Staff(Timestamped, Base):
    """A person whose time can be booked."""

    __tablename__ = "staff"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    branch_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("branch.id", ondelete="CASCADE"), index=True
    )
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), default="")
    nicknames: Mapped[list[str]] = mapped_column(JSON, default=list)
    email: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    calcom_user_id: Mapped[int | None] = mapped_column(Integer)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class WorkingHours(Base):
    """One weekly working window of a staff member, in the branch's local time."""

    __tablename__ = "working_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("starts_at < ends_at", name="valid_range"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    staff_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(Integer, comment="0 = Monday")
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)


class WorkingBreak(Base):
    """A break inside a working window (e.g. lunch 13:00–13:30)."""

    __tablename__ = "working_break"
    __table_args__ = (CheckConstraint("starts_at < ends_at", name="valid_range"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    working_hours_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("working_hours.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)


class StaffAbsence(Timestamped, Base):
    """Time a staff member is away (holiday, sickness, training)."""

    __tablename__ = "staff_absence"
    __table_args__ = (CheckConstraint("starts_at < ends_at", name="valid_range"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    staff_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(String(200))


class BranchClosure(Timestamped, Base):
    """Time the whole branch is closed beyond public holidays (e.g. company holidays)."""

    __tablename__ = "branch_closure"
    __table_args__ = (CheckConstraint("starts_at < ends_at", name="valid_range"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    branch_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("branch.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(String(200))


class Service(Timestamped, Base):
    """Something a customer can book, with its duration, buffers and booking rules."""

    __tablename__ = "service"
    __table_args__ = (
        UniqueConstraint("tenant_id", "branch_id", "name"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint(
            "buffer_before_minutes >= 0 AND buffer_after_minutes >= 0", name="buffers_non_negative"
        ),
        CheckConstraint("price_cents IS NULL OR price_cents >= 0", name="price_non_negative"),
        CheckConstraint("min_notice_minutes >= 0", name="notice_non_negative"),
        CheckConstraint("horizon_days > 0", name="horizon_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    branch_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("branch.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    buffer_before_minutes: Mapped[int] = mapped_column(Integer, default=0)
    buffer_after_minutes: Mapped[int] = mapped_column(Integer, default=0)
    price_cents: Mapped[int | None] = mapped_column(Integer)
    min_notice_minutes: Mapped[int] = mapped_column(Integer, default=60)
    horizon_days: Mapped[int] = mapped_column(Integer, default=60)
    # {"min_notice_minutes": 1440, "fees": [{"within_minutes": 1440, "fee_cents": 1500}, ...]}
    cancellation_policy: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    calcom_event_type_id: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class ServiceStaff(Base):
    """Which staff members perform which service."""

    __tablename__ = "service_staff"

    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    staff_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()


class Customer(Timestamped, Base):
    """A person who books; identified within a tenant by E.164 phone when known."""

    __tablename__ = "customer"
    # Several NULL phones are allowed on both databases: callers with a withheld number.
    __table_args__ = (UniqueConstraint("tenant_id", "phone_e164"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    notes: Mapped[str | None] = mapped_column(Text)
    contact_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    marketing_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Call(Timestamped, Base):
    """A phone call handled by the voice agent, assembled from Retell events and functions."""

    __tablename__ = "call"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
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
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    branch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service.id"))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customer.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[AppointmentStatus] = mapped_column(
        _enum(AppointmentStatus, "appointment_status"), default=AppointmentStatus.CONFIRMED
    )
    source: Mapped[AppointmentSource] = mapped_column(
        _enum(AppointmentSource, "appointment_source")
    )
    sync_state: Mapped[SyncState] = mapped_column(
        _enum(SyncState, "sync_state"), default=SyncState.LOCAL
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
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CallFunction(Base):
    """One voice-function invocation during a call, with its latency and outcome."""

    __tablename__ = "call_function"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    call_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("call.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    arguments: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    status: Mapped[str] = mapped_column(String(32))
    latency_ms: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Job(Base):
    """The transactional outbox: a side effect to run, written with the change that causes it."""

    __tablename__ = "job"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        Index("ix_job_state_run_after", "state", "run_after"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenant.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    state: Mapped[JobState] = mapped_column(_enum(JobState, "job_state"), default=JobState.QUEUED)
    dedupe_key: Mapped[str | None] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_by: Mapped[str | None] = mapped_column(String(128))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebhookInbox(Base):
    """Incoming webhooks, deduplicated by provider and event key before they are processed."""

    __tablename__ = "webhook_inbox"
    __table_args__ = (UniqueConstraint("provider", "dedupe_key"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenant.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(32))
    dedupe_key: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    status: Mapped[InboxStatus] = mapped_column(
        _enum(InboxStatus, "inbox_status"), default=InboxStatus.RECEIVED
    )
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class IdempotencyRecord(Base):
    """The remembered outcome of a REST write sent with an ``Idempotency-Key``."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[IdempotencyState] = mapped_column(
        _enum(IdempotencyState, "idempotency_state"), default=IdempotencyState.IN_FLIGHT
    )
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ApiKey(Base):
    """A tenant-scoped API key; only its SHA-256 digest is stored."""

    __tablename__ = "api_key"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    display_prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class User(Timestamped, Base):
    """A login to the business's web app."""

    # "user" is a reserved word in PostgreSQL; quoting it everywhere invites mistakes.
    __tablename__ = "user_account"
    __table_args__ = (UniqueConstraint("email"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[UserRole] = mapped_column(_enum(UserRole, "user_role"), default=UserRole.STAFF)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditLog(Base):
    """Who changed what, when: an append-only trail for the business and for support."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_tenant_id_created_at", "tenant_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


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
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    # [[start, end], ...] as UTC ISO-8601 strings, sorted by start.
    slots: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refresh_after: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    stale_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(500))


class AppointmentExternalUid(Base):
    """Every provider uid an appointment has had: a provider reschedule makes a new uid, and a
    late webhook or a reconciliation row about an older one must still find the appointment."""

    __tablename__ = "appointment_external_uid"
    __table_args__ = (UniqueConstraint("tenant_id", "uid"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = _tenant_fk()
    appointment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appointment.id", ondelete="CASCADE"), index=True
    )
    uid: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
