"""Owner settings: a branch's opening hours; tenants' Retell keys marked as sealed values.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# How frontdesk.secrets marks a value stored unencrypted (no FRONTDESK_SECRET_KEY when written).
PLAIN = "plain:"
SEALED = ("plain:%", "fernet:%")


def upgrade() -> None:
    op.create_table(
        "opening_hours",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("branch_id", sa.Uuid(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False, comment="0 = Monday"),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("ends_at", sa.Time(), nullable=False),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_opening_hours_valid_range")),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_opening_hours_weekday_range")),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branch.id"],
            name=op.f("fk_opening_hours_branch_id_branch"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_opening_hours_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opening_hours")),
    )
    op.create_index(op.f("ix_opening_hours_branch_id"), "opening_hours", ["branch_id"])
    op.create_index(op.f("ix_opening_hours_tenant_id"), "opening_hours", ["tenant_id"])
    # Keys stored before sealing existed are plain text: mark them so (frontdesk.secrets).
    tenant = sa.table("tenant", sa.column("retell_api_key", sa.String))
    key = tenant.c.retell_api_key
    op.execute(
        tenant.update()
        .where(key.is_not(None), ~key.like(SEALED[0]), ~key.like(SEALED[1]))
        .values(retell_api_key=sa.literal(PLAIN) + key)
    )


def downgrade() -> None:
    tenant = sa.table("tenant", sa.column("retell_api_key", sa.String))
    key = tenant.c.retell_api_key
    # Encrypted keys cannot be opened here (no key in a migration): they are dropped, and the
    # tenant sets its key again after the downgrade.
    op.execute(tenant.update().where(key.like(SEALED[1])).values(retell_api_key=None))
    op.execute(
        tenant.update()
        .where(key.like(SEALED[0]))
        .values(retell_api_key=sa.func.substr(key, len(PLAIN) + 1))
    )
    op.drop_index(op.f("ix_opening_hours_tenant_id"), table_name="opening_hours")
    op.drop_index(op.f("ix_opening_hours_branch_id"), table_name="opening_hours")
    op.drop_table("opening_hours")
