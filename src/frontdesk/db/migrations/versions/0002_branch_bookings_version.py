"""Branch bookings version: bumped with every appointment write, keys the availability cache.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 23:43:00.841523
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTERs, not batch mode: SQLite (3.35+) adds and drops a simple column natively, and a
# batch "move and copy" of branch would DROP the old table, which with foreign keys on cascades
# into every row that references a branch.
def upgrade() -> None:
    op.add_column(
        "branch", sa.Column("bookings_version", sa.BigInteger(), server_default="0", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("branch", "bookings_version")
