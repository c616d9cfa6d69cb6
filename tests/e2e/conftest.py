"""One server and one browser per module of browser tests (they are few, and CI time is
limited); each test gets a fresh browser context (no cookies shared between tests).

Module scope, not session: Playwright's sync API keeps an event loop running in the main
thread while it is started, and the async tests after this directory need that thread free.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from tests.e2e_support import real_clock_env, require_chromium, running_server

# What a page shows after a round trip to the server is waited for up to 15 s, not Playwright's
# 5 s: the server runs on SQLite in a process of its own, and under libfaketime on a loaded CI
# machine a move by dragging took longer than 5 s to answer (the message was still empty).
# The tests check what the page says, never how fast.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    with running_server(tmp_path_factory.mktemp("e2e")) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = require_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            env=real_clock_env(),
            args=["--no-sandbox", "--disable-dev-shm-usage", "--lang=de-DE"],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(
        base_url=server, locale="de-DE", viewport={"width": 1280, "height": 860}
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def browser_page_phone(browser: Browser, server: str) -> Iterator[Page]:
    """A phone-sized page (the web app is used on phones, too)."""
    context = browser.new_context(
        base_url=server,
        locale="de-DE",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()
