"""Keyset pages: a listing's rows in a fixed order, and where the next page starts.

A listing is ordered by a time and the row's id (the tie-breaker). A page's ``next`` is the
position of its last row when more rows follow; the next page starts after it. Every listing
pages through one helper (``db.repositories.keyset.page_of``); the REST API turns positions into
opaque cursors (``api.rest.pagination``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")
U = TypeVar("U")

Cursor = tuple[datetime, uuid.UUID]
"""A row's position in a listing: its sort time and its id."""


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    # The last item's position when more items follow; None on the last page.
    next: Cursor | None = None

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        """The same page with every item converted (e.g. rows to views)."""
        return Page([convert(item) for item in self.items], self.next)
