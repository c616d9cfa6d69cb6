"""The business's web app at ``/admin``: server-rendered pages (Jinja2 + HTMX), German first.

One router carries every page; ``csrf_protect`` is a dependency of the pages' router, so every
unsafe request of every page is checked. How to add a page: docs/web.md.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from frontdesk.api.web import (
    appointment_page,
    auth_pages,
    book_page,
    calls_page,
    customer_actions_page,
    customers_page,
    schedule_page,
    settings_account,
    settings_calendar,
    settings_hours,
    settings_messages,
    settings_page,
    settings_services,
    settings_timeoff,
    static_files,
    sync_page,
)
from frontdesk.api.web.deps import csrf_protect
from frontdesk.api.web.errors import install_web_handlers

# Pages: every unsafe request is CSRF-checked. Static files stay outside, so fetching them
# never looks up a session.
pages = APIRouter(dependencies=[Depends(csrf_protect)])
pages.include_router(auth_pages.router)
pages.include_router(schedule_page.router)
pages.include_router(book_page.router)
pages.include_router(appointment_page.router)
pages.include_router(settings_page.router)
pages.include_router(calls_page.router)
pages.include_router(customers_page.router)
pages.include_router(customer_actions_page.router)
pages.include_router(settings_hours.router)
pages.include_router(settings_timeoff.router)
pages.include_router(settings_services.router)
pages.include_router(settings_account.router)
pages.include_router(settings_calendar.router)
pages.include_router(settings_messages.router)
pages.include_router(sync_page.router)

router = APIRouter(prefix="/admin")
router.include_router(static_files.router)
router.include_router(pages)

__all__ = ["install_web_handlers", "router"]
