"""Row times come from the application's clock, not the database server's.

Every ``created_at``/``updated_at``/``run_after``/``received_at`` is stamped by the process's
one clock (DESIGN §1.8, ADR 0009); a database default would quietly use another clock (and made
jobs due by the wall clock while the worker judged "due" by the injected one). Dropping the
defaults turns a forgotten stamp into a NOT NULL error. PostgreSQL only: on SQLite a column
default can only change by rebuilding the table (which would drop the no-overlap triggers), and
the embedded database never has more than one process whose clock could disagree.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 01:40:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STAMPED = {
    "tenant": ("created_at", "updated_at"),
    "branch": ("created_at", "updated_at"),
    "phone_number": ("created_at", "updated_at"),
    "staff": ("created_at", "updated_at"),
    "staff_absence": ("created_at", "updated_at"),
    "branch_closure": ("created_at", "updated_at"),
    "service": ("created_at", "updated_at"),
    "customer": ("created_at", "updated_at"),
    "call": ("created_at", "updated_at"),
    "appointment": ("created_at", "updated_at"),
    "user_account": ("created_at", "updated_at"),
    "api_key": ("created_at",),
    "audit_log": ("created_at",),
    "idempotency_record": ("created_at",),
    "call_function": ("created_at",),
    "call_appointment": ("created_at",),
    "job": ("run_after", "created_at"),
    "webhook_inbox": ("received_at",),
}


def _set_defaults(default: sa.ColumnElement[Any] | None) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in _STAMPED.items():
        for column in columns:
            op.alter_column(table, column, server_default=default)


def upgrade() -> None:
    _set_defaults(None)


def downgrade() -> None:
    _set_defaults(sa.func.now())
