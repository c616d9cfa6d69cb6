"""Customer messages (ADR 0024): change sequences, deliveries, reminder claims; the tenant's
reminder settings and sender, the branch's address, reminder opt-out, staff notification opt-in.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "message_delivery",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("appointment_id", sa.Uuid(), nullable=True),
        sa.Column("message_key", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("provider_ref", sa.String(length=200), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        _fk("message_delivery", "appointment_id", "appointment"),
        _fk("message_delivery", "tenant_id", "tenant"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_delivery")),
        sa.UniqueConstraint(
            "message_key", "channel", name=op.f("uq_message_delivery_message_key_channel")
        ),
    )
    op.create_index(
        op.f("ix_message_delivery_appointment_id"), "message_delivery", ["appointment_id"]
    )
    op.create_index(op.f("ix_message_delivery_tenant_id"), "message_delivery", ["tenant_id"])
    op.create_table(
        "message_sequence",
        sa.Column("appointment_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        _fk("message_sequence", "appointment_id", "appointment"),
        _fk("message_sequence", "tenant_id", "tenant"),
        sa.PrimaryKeyConstraint("appointment_id", name=op.f("pk_message_sequence")),
    )
    op.create_index(op.f("ix_message_sequence_tenant_id"), "message_sequence", ["tenant_id"])
    op.create_table(
        "reminder_claim",
        sa.Column("appointment_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        _fk("reminder_claim", "appointment_id", "appointment"),
        _fk("reminder_claim", "tenant_id", "tenant"),
        sa.PrimaryKeyConstraint("appointment_id", "starts_at", name=op.f("pk_reminder_claim")),
    )
    op.create_index(op.f("ix_reminder_claim_tenant_id"), "reminder_claim", ["tenant_id"])
    # Plain ADD COLUMN (as in 0004/0009): a batch rebuild would recreate the no-overlap trigger.
    op.add_column("branch", sa.Column("address", sa.String(length=300), nullable=True))
    op.add_column(
        "customer", sa.Column("reminders_opted_out_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "tenant", sa.Column("reminder_hours", sa.Integer(), server_default="24", nullable=True)
    )
    op.add_column(
        "tenant",
        sa.Column("reminder_email", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    op.add_column(
        "tenant", sa.Column("reminder_sms", sa.Boolean(), server_default=sa.true(), nullable=False)
    )
    op.add_column("tenant", sa.Column("mail_from", sa.String(length=254), nullable=True))
    op.add_column(
        "user_account",
        sa.Column("notify_by_email", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("user_account", "notify_by_email")
    for column in ("mail_from", "reminder_sms", "reminder_email", "reminder_hours"):
        op.drop_column("tenant", column)
    op.drop_column("customer", "reminders_opted_out_at")
    op.drop_column("branch", "address")
    op.drop_index(op.f("ix_reminder_claim_tenant_id"), table_name="reminder_claim")
    op.drop_table("reminder_claim")
    op.drop_index(op.f("ix_message_sequence_tenant_id"), table_name="message_sequence")
    op.drop_table("message_sequence")
    op.drop_index(op.f("ix_message_delivery_tenant_id"), table_name="message_delivery")
    op.drop_index(op.f("ix_message_delivery_appointment_id"), table_name="message_delivery")
    op.drop_table("message_delivery")
