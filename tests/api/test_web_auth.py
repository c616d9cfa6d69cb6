"""The web app's sign-in through the ASGI app: cookies, CSRF, throttling, roles, expiry."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.clock_support import FakeClock
from tests.web_support import (
    OTHER_OWNER,
    OWNER,
    PASSWORD,
    STAFF,
    WebApp,
    web_app,
)

from frontdesk.access.throttle import ThrottleLimits
from frontdesk.db.engine import create_session_factory
from frontdesk.db.repositories import users
from frontdesk.db.tables import User
from frontdesk.security import legacy_scrypt_hash


@pytest.fixture
async def web(db: AsyncEngine) -> AsyncIterator[WebApp]:
    async for app in web_app(db):
        yield app


def _cookie_header(response_headers: list[str], name: str) -> str:
    return next(h for h in response_headers if h.startswith(f"{name}="))


async def test_the_demo_owner_signs_in_with_safe_cookie_flags(web: WebApp) -> None:
    response = await web.sign_in()
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/schedule"
    cookie = _cookie_header(response.headers.get_list("set-cookie"), "fd_session")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/admin" in cookie
    assert "Secure" not in cookie  # plain http and an http base URL
    page = await web.client.get("/admin/schedule")
    assert page.status_code == 200
    assert "Anna Becker" in page.text


async def test_cookies_are_secure_when_the_public_url_is_https(db: AsyncEngine) -> None:
    async for web in web_app(db, base_url="https://frontdesk.example.de"):
        login = await web.client.get("/admin/login")
        assert "Secure" in _cookie_header(login.headers.get_list("set-cookie"), "fd_csrf")
        # The browser sends Secure cookies back over HTTPS only (the proxy's side).
        web.client.base_url = "https://test"  # type: ignore[assignment]
        response = await web.sign_in()
        assert "Secure" in _cookie_header(response.headers.get_list("set-cookie"), "fd_session")


async def test_a_wrong_password_is_refused_in_german(web: WebApp) -> None:
    response = await web.sign_in(password="falsch")
    assert response.status_code == 401
    assert "E-Mail-Adresse oder Passwort ist falsch." in response.text
    assert "fd_session" not in response.headers.get("set-cookie", "")
    unknown = await web.sign_in(email="niemand@example.de")
    assert unknown.status_code == 401


async def test_wrong_passwords_are_throttled_per_account_until_the_window_ends(
    web: WebApp,
) -> None:
    for _ in range(5):
        assert (await web.sign_in(password="falsch")).status_code == 401
    throttled = await web.sign_in()  # even the right password waits
    assert throttled.status_code == 429
    assert "Zu viele Versuche – bitte in 15 Minuten erneut versuchen." in throttled.text
    assert int(throttled.headers["Retry-After"]) == 15 * 60
    other_account = await web.sign_in(email=STAFF)
    assert other_account.status_code == 303
    web.client.cookies.clear()
    web.clock.advance(timedelta(minutes=15))
    assert (await web.sign_in()).status_code == 303


async def test_failures_are_throttled_per_address_across_accounts(web: WebApp) -> None:
    access = web.client._transport.app.state.web_access  # type: ignore[attr-defined]
    access.throttle.limits = ThrottleLimits(per_account=5, per_address=3)
    for email in ("a@example.de", "b@example.de", "c@example.de"):
        assert (await web.sign_in(email=email, password="x")).status_code == 401
    throttled = await web.sign_in()
    assert throttled.status_code == 429
    assert "Zu viele Versuche" in throttled.text


async def test_a_login_without_or_with_a_wrong_csrf_token_is_refused(web: WebApp) -> None:
    await web.client.get("/admin/login")
    missing = await web.client.post("/admin/login", data={"email": OWNER, "password": PASSWORD})
    assert missing.status_code == 403
    assert "Sicherheitstoken" in missing.text
    wrong = await web.client.post(
        "/admin/login", data={"email": OWNER, "password": PASSWORD, "csrf_token": "x" * 43}
    )
    assert wrong.status_code == 403


async def test_signed_in_posts_need_the_sessions_token(web: WebApp) -> None:
    await web.sign_in()
    login_token = web.client.cookies.get("fd_csrf")
    assert login_token is None  # the pre-login token is gone once signed in
    refused = await web.client.post("/admin/logout")
    assert refused.status_code == 403
    assert (await web.client.get("/admin/schedule")).status_code == 200  # still signed in
    token = await web.csrf_of("/admin/schedule")
    done = await web.client.post("/admin/logout", headers={"X-CSRF-Token": token})
    assert done.status_code == 303


async def test_logout_ends_the_session_on_the_server(web: WebApp) -> None:
    await web.sign_in()
    session_token = web.client.cookies["fd_session"]
    token = await web.csrf_of("/admin/schedule")
    response = await web.client.post("/admin/logout", data={"csrf_token": token})
    assert response.headers["location"] == "/admin/login"
    page = await web.client.get("/admin/login")
    assert "Sie sind abgemeldet." in page.text
    # The old cookie, replayed, signs nobody in.
    web.client.cookies.set("fd_session", session_token, path="/admin")
    replay = await web.client.get("/admin/schedule")
    assert replay.status_code == 303
    assert replay.headers["location"].startswith("/admin/login")


async def test_a_page_sends_the_visitor_to_the_login_and_back(web: WebApp) -> None:
    response = await web.client.get("/admin/schedule?date=2026-12-03&view=week")
    assert response.status_code == 303
    assert response.headers["location"] == (
        "/admin/login?next=/admin/schedule%3Fdate%3D2026-12-03%26view%3Dweek"
    )
    login = await web.client.get(response.headers["location"])
    assert 'name="next" value="/admin/schedule?date=2026-12-03&amp;view=week"' in login.text
    signed_in = await web.sign_in(next_path="/admin/schedule?date=2026-12-03&view=week")
    assert signed_in.headers["location"] == "/admin/schedule?date=2026-12-03&view=week"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/admin",
        "//evil.example/admin",
        "/\\evil.example",
        "/api/v1/appointments",
        "javascript:alert(1)",
        "/admin/login?next=https://evil.example",
        "/admin\r\nLocation: https://evil.example",
        "/administrator",
    ],
)
async def test_next_never_leaves_the_web_app(web: WebApp, target: str) -> None:
    response = await web.sign_in(next_path=target)
    assert response.headers["location"] == "/admin/schedule"


async def test_htmx_requests_without_a_session_redirect_the_whole_page(web: WebApp) -> None:
    response = await web.client.get("/admin/schedule/updates", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/admin/login?next=")


async def test_staff_cannot_open_the_settings(web: WebApp) -> None:
    await web.sign_in(email=STAFF)
    page = await web.client.get("/admin/schedule")
    assert ">Einstellungen<" not in page.text
    refused = await web.client.get("/admin/settings")
    assert refused.status_code == 403
    assert "nur für Inhaberinnen und Inhaber" in refused.text


async def test_owners_open_the_settings(web: WebApp) -> None:
    await web.sign_in()
    page = await web.client.get("/admin/schedule")
    assert 'href="/admin/settings"' in page.text
    settings = await web.client.get("/admin/settings")
    assert settings.status_code == 200
    assert "Mitte" in settings.text
    assert "Europe/Berlin" in settings.text


async def test_a_session_ends_after_its_idle_time(web: WebApp) -> None:
    await web.sign_in()
    web.clock.advance(timedelta(hours=7, minutes=59))
    assert (await web.client.get("/admin/schedule")).status_code == 200
    web.clock.advance(timedelta(hours=8))
    assert (await web.client.get("/admin/schedule")).status_code == 303


async def test_a_session_ends_after_its_absolute_lifetime_despite_use(web: WebApp) -> None:
    await web.sign_in()
    for _ in range(3):
        web.clock.advance(timedelta(hours=7))
        assert (await web.client.get("/admin/schedule")).status_code == 200
    web.clock.advance(timedelta(hours=3))  # 24 hours after sign-in
    assert (await web.client.get("/admin/schedule")).status_code == 303


async def test_changing_the_password(web: WebApp) -> None:
    await web.sign_in()
    token = await web.csrf_of("/admin/password")

    async def change(current: str, new: str, repeat: str) -> str:
        response = await web.client.post(
            "/admin/password",
            data={"csrf_token": token, "current": current, "new": new, "repeat": repeat},
        )
        return f"{response.status_code} {response.text}"

    assert "Das aktuelle Passwort ist falsch." in await change(
        "falsch", "neu-passwort-1", "neu-passwort-1"
    )
    assert "stimmen nicht überein" in await change(PASSWORD, "neu-passwort-1", "neu-passwort-2")
    assert "zu kurz" in await change(PASSWORD, "kurz", "kurz")
    assert (await change(PASSWORD, "neu-passwort-1", "neu-passwort-1")).startswith("303")
    assert "Ihr Passwort wurde geändert." in (await web.client.get("/admin/schedule")).text
    web.client.cookies.clear()
    assert (await web.sign_in(password=PASSWORD)).status_code == 401
    assert (await web.sign_in(password="neu-passwort-1")).status_code == 303


async def test_a_password_change_ends_the_other_sessions(web: WebApp, db: AsyncEngine) -> None:
    await web.sign_in()
    elsewhere = web.client.cookies["fd_session"]
    web.client.cookies.clear()
    await web.sign_in()
    token = await web.csrf_of("/admin/password")
    await web.client.post(
        "/admin/password",
        data={
            "csrf_token": token,
            "current": PASSWORD,
            "new": "neu-passwort-1",
            "repeat": "neu-passwort-1",
        },
    )
    assert (await web.client.get("/admin/schedule")).status_code == 200
    web.client.cookies.set("fd_session", elsewhere, path="/admin")
    assert (await web.client.get("/admin/schedule")).status_code == 303


async def test_an_old_scrypt_hash_signs_in_and_becomes_argon2(web: WebApp, db: AsyncEngine) -> None:
    sessions = create_session_factory(db, FakeClock())
    async with sessions() as session:
        user = await users.by_email(session, OWNER)
        assert user is not None
        await users.set_password_hash(
            session, user.tenant_id, user.id, legacy_scrypt_hash(PASSWORD)
        )
        await session.commit()
    assert (await web.sign_in()).status_code == 303
    async with sessions() as session:
        stored = (
            await session.execute(select(User.password_hash).where(User.email == OWNER))
        ).scalar_one()
    assert stored.startswith("$argon2id$")


async def test_another_tenants_owner_sees_only_their_own_business(web: WebApp) -> None:
    await web.sign_in(email=OTHER_OWNER)
    page = await web.client.get("/admin/schedule")
    assert page.status_code == 200
    assert "Anna Becker" not in page.text
    settings = await web.client.get("/admin/settings")
    assert "Mitte" not in settings.text


async def test_the_login_page_speaks_the_browsers_language(web: WebApp) -> None:
    english = await web.client.get("/admin/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<h1 id="login-title">Sign in</h1>' in english.text
    assert 'lang="en"' in english.text
    german = await web.client.get("/admin/login", headers={"Accept-Language": "fr-FR"})
    assert 'lang="de"' in german.text


async def test_over_long_fields_get_the_pages_message_not_a_422(web: WebApp) -> None:
    response = await web.sign_in(email="a" * 5000 + "@example.de", password="p" * 5000)
    assert response.status_code == 401
    assert "E-Mail-Adresse oder Passwort ist falsch." in response.text
