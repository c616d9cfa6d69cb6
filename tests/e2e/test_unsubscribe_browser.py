"""The reminder unsubscribe page in a real browser: a signed link asks, the button opts the
customer out; a tampered link is refused politely. Both pages pass the axe check."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from tests.axe_support import assert_accessible
from tests.e2e_support import LINK_KEY

from frontdesk import demo
from frontdesk.messages import links
from frontdesk.settings import Settings

ERIKA = demo.demo_id("customer", "erika")


def _path(server: str) -> str:
    url = links.unsubscribe_url(Settings(link_key=LINK_KEY, base_url=server), demo.demo_id(), ERIKA)
    assert url is not None
    return url.removeprefix(server)


def test_a_signed_link_unsubscribes_after_one_click(page: Page, server: str) -> None:
    page.goto(_path(server))
    expect(page.get_by_role("heading", name="Terminerinnerungen abbestellen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Erinnerungen abbestellen").click()
    expect(page.get_by_text("Sie erhalten keine Terminerinnerungen mehr")).to_be_visible()
    assert_accessible(page)


def test_a_tampered_link_is_refused(page: Page, server: str) -> None:
    path = _path(server)
    response = page.goto(path[:-4] + ("AAAA" if not path.endswith("AAAA") else "BBBB"))
    assert response is not None
    assert response.status == 404
    expect(page.get_by_text("Dieser Link ist ungültig")).to_be_visible()
    assert_accessible(page)
