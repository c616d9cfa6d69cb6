"""The declarative base every table shares: the constraint naming convention, portable column
types (JSON documents, enums as checked strings), the tenant key and the timestamp pair."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Enum, ForeignKey, MetaData
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from frontdesk.db.types import UTCDateTime

# Batch migrations on SQLite rebuild tables and need every constraint to have a stable name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JsonDoc = JSON().with_variant(JSONB(), "postgresql")


def portable_enum(enum_cls: type[StrEnum], name: str) -> Enum:
    """A portable enum: a VARCHAR with a CHECK constraint, never a PostgreSQL ENUM type.

    Native enum types need their own migrations for every new value; a check constraint does not.
    """
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def tenant_fk() -> Mapped[uuid.UUID]:
    """The ``tenant_id`` column of a tenant-owned row: indexed, and gone with its tenant."""
    return mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
