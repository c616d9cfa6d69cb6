"""Pure parts of the web app: the message catalogues, language choice, the ``next`` check,
and the schedule's query parsing."""

from __future__ import annotations

import string
import uuid
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.access.model import WebUser
from frontdesk.api.web import nav
from frontdesk.api.web.deps import safe_next
from frontdesk.api.web.i18n import Translator, language_of_accept, language_of_locale
from frontdesk.api.web.messages import MESSAGES, merge
from frontdesk.api.web.schedule_page import parse_query
from frontdesk.api.web.static_files import static_url
from frontdesk.domain.model import UserRole


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_exists_in_every_language_with_the_same_placeholders() -> None:
    german, english = MESSAGES["de"], MESSAGES["en"]
    assert german.keys() == english.keys()
    for key, text in german.items():
        assert _fields(text) == _fields(english[key]), key


def test_two_areas_cannot_both_define_a_text() -> None:
    """The catalogue is merged from one module per area; a key in two would silently win."""
    one = {"de": {"a.b": "eins"}, "en": {"a.b": "one"}}
    assert merge((one,))["en"] == {"a.b": "one"}
    with pytest.raises(ValueError, match=r"a\.b"):
        merge((one, {"de": {"a.b": "zwei"}}))


def test_languages_come_from_the_locale_or_the_browser() -> None:
    assert language_of_locale("de-DE") == "de"
    assert language_of_locale("en_GB") == "en"
    assert language_of_locale("fr-FR") == "de"
    assert language_of_locale(None) == "de"
    assert language_of_accept("en-US,en;q=0.9,de;q=0.8") == "en"
    assert language_of_accept("fr, de;q=0.5, en;q=0.4") == "de"
    assert language_of_accept("en;q=0, de;q=0.1") == "de"
    assert language_of_accept("xx;q=abc") == "de"
    assert language_of_accept(None) == "de"


def test_dates_and_times_in_german_and_english() -> None:
    german, english = Translator("de"), Translator("en")
    assert german.date(date(2026, 12, 1)) == "Dienstag, 1. Dezember 2026"
    assert german.date(date(2026, 12, 1), "medium") == "01.12.2026"
    assert english.date(date(2026, 12, 1)) == "Tuesday, 1 December 2026"
    assert german("login.throttled", minutes=3) == (
        "Zu viele Versuche – bitte in 3 Minuten erneut versuchen."
    )
    assert german("no.such.key") == "no.such.key"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/admin/schedule?date=2026-12-01&view=week", "/admin/schedule?date=2026-12-01&view=week"),
        ("/admin/calls/123", "/admin/calls/123"),
        ("/admin", "/admin"),
        ("", "/admin/schedule"),
        (None, "/admin/schedule"),
        ("https://evil.example/admin/x", "/admin/schedule"),
        ("//evil.example/admin/x", "/admin/schedule"),
        ("/\\evil.example", "/admin/schedule"),
        ("/admin\\..\\x", "/admin/schedule"),
        ("/admin/x\nSet-Cookie: a=b", "/admin/schedule"),
        ("/adminx", "/admin/schedule"),
        ("/admin/login", "/admin/schedule"),
        ("javascript:alert(1)", "/admin/schedule"),
        ("admin/schedule", "/admin/schedule"),
    ],
)
def test_next_is_a_relative_admin_path_or_the_schedule(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


@given(st.text(max_size=60))
def test_next_never_points_off_site(value: str) -> None:
    target = safe_next(value)
    assert target.startswith("/admin")
    assert not target.startswith("//")
    assert "\\" not in target


def test_schedule_queries_never_fail() -> None:
    today = date(2026, 12, 1)
    assert parse_query(None, None, today).day == today
    week = parse_query("2026-12-03", "week", today)
    assert (week.first, week.days) == (date(2026, 11, 30), 7)
    bad = parse_query("gestern", "monat", today)
    assert (bad.day, bad.view) == (today, "day")
    assert [key for key, _ in bad.problems] == ["schedule.bad_date", "schedule.bad_view"]


def test_static_urls_carry_the_files_digest_and_unknown_files_fail() -> None:
    url = static_url("vendor/htmx/htmx.min.js")
    assert url.startswith("/admin/static/")
    assert url.endswith("/vendor/htmx/htmx.min.js")
    with pytest.raises(KeyError):
        static_url("vendor/missing.js")


def _user(role: UserRole, connected: bool = False) -> WebUser:
    return WebUser(
        user_id=uuid.uuid4(),
        tenant_id=uuid.uuid4(),
        role=role,
        name="X",
        email="x@example.de",
        locale="de-DE",
        timezone="Europe/Berlin",
        tenant_name="Salon",
        calendar_connected=connected,
    )


def test_menu_entries_follow_role_and_calendar_provider() -> None:
    owner, staff = _user(UserRole.OWNER), _user(UserRole.STAFF, connected=True)
    assert nav.owners_only(owner)
    assert nav.owners_only(_user(UserRole.MANAGER))
    assert not nav.owners_only(staff)
    assert nav.with_calendar_provider(staff)
    assert not nav.with_calendar_provider(owner)
    staff_menu = [item.key for item in nav.items_for(staff)]
    assert "nav.schedule" in staff_menu
    assert "nav.settings" not in staff_menu
    assert next(item.key for item in nav.items_for(owner)) == "nav.schedule"
