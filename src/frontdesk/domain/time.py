"""Time helpers: the one clock of the system and UTC conversions."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current instant as an aware UTC datetime (the only clock code should read)."""
    return datetime.now(UTC)
