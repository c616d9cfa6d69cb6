"""The relational schema of frontdesk as SQLAlchemy 2 declarative tables, one module per area.

Every tenant-owned row carries ``tenant_id`` (DESIGN §1.6) with ``ON DELETE CASCADE`` so removing a
tenant removes its data in one statement. Times are aware UTC (``UTCDateTime``); local wall-clock
rules (weekly hours, breaks) are ``time`` values interpreted in the branch's zone. Money is integer
cents. The no-overlap guarantee for appointments lives in the migration: a PostgreSQL exclusion
constraint declared here with ``ddl_if`` and an SQLite trigger created by the migration.

This package is the schema's one public path: repositories, use cases, the seed, tests and the
Alembic environment import ``from frontdesk.db.tables import X``, so it re-exports ``Base`` and
every table. Importing it also puts every table on ``Base.metadata``, which Alembic's
autogenerate comparison and the migration tests read as a whole; a table module left out here
would look like a table to drop.
"""

from __future__ import annotations

from frontdesk.db.tables.access import ApiKey, AuditLog, User, WebSession
from frontdesk.db.tables.base import Base
from frontdesk.db.tables.booking import (
    Appointment,
    AppointmentExternalUid,
    CalendarMirrorDay,
    Customer,
    CustomerConsent,
)
from frontdesk.db.tables.calls import Call, CallAppointment, CallFunction
from frontdesk.db.tables.catalog import (
    BranchClosure,
    OpeningHours,
    Service,
    ServiceStaff,
    Staff,
    StaffAbsence,
    WorkingBreak,
    WorkingHours,
)
from frontdesk.db.tables.messages import MessageDelivery, MessageSequence, ReminderClaim
from frontdesk.db.tables.ops import IdempotencyRecord, Job, WebhookInbox
from frontdesk.db.tables.reconciliation import ReconciliationRun
from frontdesk.db.tables.tenancy import BookingDay, Branch, PhoneNumber, Tenant

__all__ = [
    "ApiKey",
    "Appointment",
    "AppointmentExternalUid",
    "AuditLog",
    "Base",
    "BookingDay",
    "Branch",
    "BranchClosure",
    "CalendarMirrorDay",
    "Call",
    "CallAppointment",
    "CallFunction",
    "Customer",
    "CustomerConsent",
    "IdempotencyRecord",
    "Job",
    "MessageDelivery",
    "MessageSequence",
    "OpeningHours",
    "PhoneNumber",
    "ReconciliationRun",
    "ReminderClaim",
    "Service",
    "ServiceStaff",
    "Staff",
    "StaffAbsence",
    "Tenant",
    "User",
    "WebSession",
    "WebhookInbox",
    "WorkingBreak",
    "WorkingHours",
]
