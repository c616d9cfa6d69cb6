"""The reconciliation's report (ADR 0017): one row per branch and run, its items as JSON."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.db.tables.base import Base, JsonDoc, tenant_fk
from frontdesk.db.types import UTCDateTime


class ReconciliationRun(Base):
    """One comparison of a branch's window with its outside calendar and what was fixed.

    ``counts`` maps a mismatch class to how many were found; ``items`` lists each mismatch
    (class, appointment id, provider uid, fix, note). ``error`` is set when the provider could
    not be read (nothing was compared or fixed then)."""

    __tablename__ = "reconciliation_run"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    branch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    window_end: Mapped[datetime] = mapped_column(UTCDateTime())
    counts: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    items: Mapped[list[Any]] = mapped_column(JsonDoc, default=list)
    error: Mapped[str | None] = mapped_column(String(500))
