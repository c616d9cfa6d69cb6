"""Helpers for the owner-settings tests: the demo salon's ids and a settings unit of work.

(A module, not a conftest: the settings tests in api/ and integration/ share it; it has no tests.)
"""

from __future__ import annotations

from datetime import time

from sqlalchemy.ext.asyncio import AsyncEngine

from frontdesk import demo
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.business.owner import Owner
from frontdesk.business.rules import Window
from frontdesk.db.engine import create_session_factory
from frontdesk.domain.clock import Clock

TENANT = demo.demo_id()
BRANCH = demo.demo_id("branch", "mitte")
ANNA = demo.demo_id("staff", "anna")
JONAS = demo.demo_id("staff", "jonas")
MIA = demo.demo_id("staff", "mia")
HERREN = demo.demo_id("service", "herrenhaarschnitt")
BART = demo.demo_id("service", "bartpflege")
OWNER = Owner(TENANT, "user:owner-test")
LUNCH = ((time(13, 0), time(13, 30)),)


def settings_uow(engine: AsyncEngine, clock: Clock) -> UnitOfWork:
    """A unit of work of its own (another process's, as far as the app's caches know)."""
    return UnitOfWork(create_session_factory(engine, clock), clock=clock)


def hours(start: int, end: int, *breaks: tuple[time, time]) -> Window:
    return Window(time(start), time(end), tuple(breaks))
