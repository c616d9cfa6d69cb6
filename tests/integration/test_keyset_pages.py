"""The one keyset-pagination helper: every row once, in order, both directions, ties by id."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.clock_support import NOW

from frontdesk import demo as demo_ids
from frontdesk.db.repositories import customers
from frontdesk.db.repositories.keyset import page_of
from frontdesk.db.seed import DemoCredentials
from frontdesk.db.tables import Customer
from frontdesk.domain.paging import Cursor, Page

TENANT = demo_ids.demo_id()


async def add_customers(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Seven more customers; three of them created at the same moment (ordered by id)."""
    async with sessions() as session:
        for n, minutes in enumerate([5, 1, 3, 3, 3, 9, 7]):
            session.add(
                Customer(
                    tenant_id=TENANT,
                    name=f"Kunde {n}",
                    phone_e164=f"+4930111222{n:02d}",
                    created_at=NOW - timedelta(minutes=minutes),
                )
            )
        await session.commit()


async def walk(
    sessions: async_sessionmaker[AsyncSession], limit: int, newest_first: bool
) -> list[Page[Customer]]:
    pages: list[Page[Customer]] = []
    after: Cursor | None = None
    while True:
        async with sessions() as session:
            if newest_first:
                stmt = select(Customer).where(Customer.tenant_id == TENANT)
                key = (Customer.created_at, Customer.id)
                page = await page_of(
                    session, stmt, key, after=after, limit=limit, newest_first=True
                )
            else:
                page = await customers.page(session, TENANT, query=None, after=after, limit=limit)
        pages.append(page)
        if page.next is None:
            return pages
        after = page.next


@pytest.mark.parametrize("newest_first", [False, True], ids=["oldest-first", "newest-first"])
@pytest.mark.parametrize("limit", [1, 2, 3, 100])
async def test_pages_hold_every_row_once_in_order(
    sessions: async_sessionmaker[AsyncSession],
    demo: DemoCredentials,
    limit: int,
    newest_first: bool,
) -> None:
    await add_customers(sessions)
    async with sessions() as session:
        everyone = list(
            (await session.execute(select(Customer).where(Customer.tenant_id == TENANT))).scalars()
        )
    expected = sorted(everyone, key=lambda c: (c.created_at, c.id), reverse=newest_first)
    pages = await walk(sessions, limit, newest_first)
    assert [c.id for page in pages for c in page.items] == [c.id for c in expected]
    assert all(len(page.items) == limit for page in pages[:-1])
    assert 0 < len(pages[-1].items) <= limit
    for page in pages[:-1]:
        last = page.items[-1]
        assert page.next == (last.created_at, last.id)


async def test_a_cursor_past_the_last_row_is_an_empty_last_page(
    sessions: async_sessionmaker[AsyncSession], demo: DemoCredentials
) -> None:
    async with sessions() as session:
        page = await customers.page(
            session, TENANT, query=None, after=(NOW + timedelta(days=1), uuid.uuid4()), limit=5
        )
    assert page == Page([])
