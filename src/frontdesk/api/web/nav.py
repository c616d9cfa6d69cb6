"""The navigation: each page module registers its entry, so the menu never links to a page
that does not exist and a new page appears in it by registering (see docs/web.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from frontdesk.access.model import WebUser


def _everyone(user: WebUser) -> bool:
    return True


def owners_only(user: WebUser) -> bool:
    return user.is_owner


def with_calendar_provider(user: WebUser) -> bool:
    return user.calendar_connected


@dataclass(frozen=True, slots=True)
class NavItem:
    key: str  # message key of the label, e.g. "nav.schedule"; also marks the current page
    path: str
    order: int
    visible: Callable[[WebUser], bool] = _everyone


_ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    """Add (or replace, on re-import) a menu entry."""
    _ITEMS[item.key] = item


def items_for(user: WebUser) -> list[NavItem]:
    return sorted((i for i in _ITEMS.values() if i.visible(user)), key=lambda i: i.order)
