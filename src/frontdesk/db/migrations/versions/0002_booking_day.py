"""Booking day versions: bumped with every appointment write, key the availability caches.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 00:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "booking_day",
        sa.Column("branch_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branch.id"],
            name=op.f("fk_booking_day_branch_id_branch"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_booking_day_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("branch_id", "day", name=op.f("pk_booking_day")),
    )
    op.create_index(op.f("ix_booking_day_tenant_id"), "booking_day", ["tenant_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_booking_day_tenant_id"), table_name="booking_day")
    op.drop_table("booking_day")
