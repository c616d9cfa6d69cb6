"""The saga's claim on an appointment: while one process talks to the provider about it, no
other may (two concurrent creates would book the time twice or refuse each other).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 09:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD/DROP COLUMN (as in 0004): a batch rebuild would recreate the no-overlap trigger.
    op.add_column(
        "appointment", sa.Column("sync_claimed_until", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("appointment", "sync_claimed_until")
