"""Customer data protection and the call detail: consents, erasure, transcript retention, the
answers of function calls (ADR 0020).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_consent",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "sms",
                "email",
                name="consent_channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_customer_consent_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_customer_consent_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_consent")),
    )
    op.create_index(
        op.f("ix_customer_consent_tenant_id"), "customer_consent", ["tenant_id"], unique=False
    )
    op.create_index(
        op.f("ix_customer_consent_customer_id"), "customer_consent", ["customer_id"], unique=False
    )
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("content_deleted_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_call_tenant_id_created_at", ["tenant_id", "created_at"])
    with op.batch_alter_table("call_function", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answer", sa.Text(), nullable=True))
    with op.batch_alter_table("tenant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "transcript_retention_days", sa.Integer(), server_default="90", nullable=False
            )
        )


def _drop_column(table: str, column: str) -> None:
    # Plain ALTER TABLE … DROP COLUMN on both databases (SQLite >= 3.35): a batch rebuild of
    # ``tenant`` or ``customer`` on SQLite would cascade-delete every row that refers to them.
    op.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')


def downgrade() -> None:
    _drop_column("tenant", "transcript_retention_days")
    _drop_column("call_function", "answer")
    op.drop_index("ix_call_tenant_id_created_at", table_name="call")
    _drop_column("call", "content_deleted_at")
    _drop_column("customer", "erased_at")
    op.drop_index(op.f("ix_customer_consent_customer_id"), table_name="customer_consent")
    op.drop_index(op.f("ix_customer_consent_tenant_id"), table_name="customer_consent")
    op.drop_table("customer_consent")
