"""The reconciliation's report: one row per branch and run with its counts and items.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 06:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# JSON, JSONB on PostgreSQL (as ``JsonDoc`` in db/tables/base.py).
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "reconciliation_run",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("branch_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counts", JSON_DOC, nullable=False),
        sa.Column("items", JSON_DOC, nullable=False),
        sa.Column("error", sa.String(500), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_reconciliation_run_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branch.id"],
            name=op.f("fk_reconciliation_run_branch_id_branch"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_run")),
    )
    op.create_index(
        op.f("ix_reconciliation_run_tenant_id"), "reconciliation_run", ["tenant_id"], unique=False
    )
    op.create_index(
        op.f("ix_reconciliation_run_started_at"),
        "reconciliation_run",
        ["started_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_reconciliation_run_started_at"), table_name="reconciliation_run")
    op.drop_index(op.f("ix_reconciliation_run_tenant_id"), table_name="reconciliation_run")
    op.drop_table("reconciliation_run")
