"""Cal.com as a branch's calendar: the tenant's sealed provider key and URL, the availability
mirror and the chain of provider uids an appointment has had.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 05:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenant.id"], name=op.f(f"fk_{table}_tenant_id_tenant"), ondelete="CASCADE"
    )


def upgrade() -> None:
    # Plain ADD/DROP COLUMN (SQLite ≥ 3.35 has both): a batch rebuild of ``tenant`` would
    # cascade-delete every tenant-owned row on SQLite.
    op.add_column("tenant", sa.Column("calcom_api_key", sa.String(1000), nullable=True))
    op.add_column("tenant", sa.Column("calcom_api_url", sa.String(300), nullable=True))
    op.create_table(
        "calendar_mirror_day",
        sa.Column("branch_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("host", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refresh_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stale_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(500), nullable=True),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branch.id"],
            name=op.f("fk_calendar_mirror_day_branch_id_branch"),
            ondelete="CASCADE",
        ),
        _tenant_fk("calendar_mirror_day"),
        sa.PrimaryKeyConstraint(
            "branch_id", "event_type", "host", "day", name=op.f("pk_calendar_mirror_day")
        ),
    )
    op.create_index(op.f("ix_calendar_mirror_day_tenant_id"), "calendar_mirror_day", ["tenant_id"])
    op.create_index(
        op.f("ix_calendar_mirror_day_refresh_after"), "calendar_mirror_day", ["refresh_after"]
    )
    op.create_table(
        "appointment_external_uid",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("appointment_id", sa.Uuid(), nullable=False),
        sa.Column("uid", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointment.id"],
            name=op.f("fk_appointment_external_uid_appointment_id_appointment"),
            ondelete="CASCADE",
        ),
        _tenant_fk("appointment_external_uid"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_external_uid")),
        sa.UniqueConstraint(
            "tenant_id", "uid", name=op.f("uq_appointment_external_uid_tenant_id_uid")
        ),
    )
    op.create_index(
        op.f("ix_appointment_external_uid_tenant_id"), "appointment_external_uid", ["tenant_id"]
    )
    op.create_index(
        op.f("ix_appointment_external_uid_appointment_id"),
        "appointment_external_uid",
        ["appointment_id"],
    )


def downgrade() -> None:
    op.drop_table("appointment_external_uid")
    op.drop_table("calendar_mirror_day")
    op.drop_column("tenant", "calcom_api_url")
    op.drop_column("tenant", "calcom_api_key")
