"""`frontdesk calcom connect` and `frontdesk calcom status` as an operator runs them, on both
databases, with Cal.com's stand-in behind the command's HTTP client."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
import redis.asyncio as aioredis
from click.testing import Result
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.calcom_support import KEY, FakeCalcom
from tests.services_support import REDIS_URL
from typer.testing import CliRunner

from frontdesk import cli_calcom, secrets
from frontdesk.calendars.mirror.refresher import MIRROR_REQUESTS_PER_RUN
from frontdesk.cli import app
from frontdesk.db.seed import DemoCredentials
from frontdesk.db.tables import CalendarMirrorDay, Tenant
from frontdesk.settings import get_settings

SLUG = "salon-sonnenschein"
runner = CliRunner()


@pytest.fixture
def calcom() -> FakeCalcom:
    return FakeCalcom()


@pytest.fixture
def cli_env(
    engine: AsyncEngine,
    demo: DemoCredentials,
    calcom: FakeCalcom,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[None]:
    """The demo salon in the test's database, FRONTDESK_* pointing at it, debug logging on,
    and the command's HTTP client talking to the stand-in."""
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("FRONTDESK_BASE_URL", "https://frontdesk.example")
    monkeypatch.setenv("FRONTDESK_SECRET_KEY", secrets.new_key())
    monkeypatch.setenv("FRONTDESK_LOG_LEVEL", "DEBUG")
    monkeypatch.delenv("FRONTDESK_REDIS_URL", raising=False)
    monkeypatch.delenv("FRONTDESK_CALCOM_API_URL", raising=False)
    monkeypatch.setattr(
        cli_calcom, "http_client", lambda: httpx.AsyncClient(transport=calcom.transport())
    )
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
    assert calcom.server.errors == [], "\n".join(calcom.server.errors)


async def invoke(*args: str) -> Result:
    """The command in a thread of its own: it runs its own event loop, as from a shell."""
    return await asyncio.to_thread(runner.invoke, app, list(args))


def printed(result: Result) -> str:
    return result.stdout + result.stderr


async def stored_tenant(sessions: async_sessionmaker[AsyncSession]) -> Tenant:
    async with sessions() as session:
        return (await session.execute(select(Tenant).where(Tenant.slug == SLUG))).scalar_one()


@pytest.mark.usefixtures("cli_env")
async def test_connect_prints_links_creations_and_webhooks_never_the_key(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    result = await invoke("calcom", "connect", "--tenant", SLUG, "--api-key", KEY)
    assert result.exit_code == 0, printed(result)
    out = result.stdout
    for text in (
        "Services ↔ event types",
        "Waschen & Föhnen",
        "Waschen und Föhnen",
        "Staff ↔ hosts",
        "Created here",
        "Balayage",
        "Lena Vogel",
        "Not matched",
        "https://frontdesk.example/calcom/webhook/salon-sonnenschein",
        "subscribed",
        "Webhook secret: new, stored",
    ):
        assert text in out, text
    # Logging is configured by the command: every line goes to its stderr, debug included.
    assert "calcom_linked" in result.stderr
    assert "[debug" in result.stderr
    assert KEY not in printed(result)
    tenant = await stored_tenant(sessions)
    assert tenant.calcom_webhook_secret is not None
    assert tenant.calcom_webhook_secret not in printed(result)

    again = await invoke("calcom", "connect", "--tenant", SLUG, "--api-key", KEY)
    assert again.exit_code == 0, printed(again)
    assert "Replaced 7 earlier subscription(s)." in again.stdout
    assert KEY not in printed(again)


@pytest.mark.usefixtures("cli_env")
async def test_a_refused_key_exits_non_zero_with_one_line() -> None:
    wrong = f"{KEY}-revoked"
    result = await invoke("calcom", "connect", "--tenant", SLUG, "--api-key", wrong)
    assert result.exit_code == 1
    assert result.stdout.strip() == "Cal.com refused the API key (401)."
    assert "calcom_refused" in result.stderr
    assert wrong not in printed(result)


@pytest.mark.usefixtures("cli_env")
async def test_refused_webhooks_print_the_manual_way_and_still_link(
    calcom: FakeCalcom, sessions: async_sessionmaker[AsyncSession]
) -> None:
    calcom.refuse_webhooks = True
    result = await invoke("calcom", "connect", "--tenant", SLUG, "--api-key", KEY)
    assert result.exit_code == 0, printed(result)
    flat = " ".join(result.stdout.split())
    assert "Settings → Teams → your team → Webhooks" in flat
    assert "--webhook-secret" in flat
    given = await invoke(
        "calcom", "connect", "--tenant", SLUG, "--api-key", KEY, "--webhook-secret", "by-hand-123"
    )
    assert given.exit_code == 0, printed(given)
    assert "by-hand-123" not in printed(given)
    assert (await stored_tenant(sessions)).calcom_webhook_secret == "by-hand-123"


@pytest.mark.usefixtures("cli_env")
async def test_status_before_and_after_connect() -> None:
    before = await invoke("calcom", "status", "--tenant", SLUG)
    assert before.exit_code == 1
    assert "has no Cal.com link" in printed(before)
    unknown = await invoke("calcom", "status", "--tenant", "nope")
    assert unknown.exit_code == 2

    assert (await invoke("calcom", "connect", "--tenant", SLUG, "--api-key", KEY)).exit_code == 0
    status = await invoke("calcom", "status", "--tenant", SLUG)
    assert status.exit_code == 0, printed(status)
    flat = " ".join(status.stdout.split())
    for text in (
        "https://api.cal.com (default)",
        "stored encrypted",
        "webhook secret │ present",
        "provider calcom",
        "77 (sonnenschein)",
        "not visible: without FRONTDESK_REDIS_URL",
        "pending_sync 0, sync_failed 0, conflict 0",
        "last sync │ never",
        "0 days, 0 stale",
        "Waschen & Föhnen │ 506",
        "Lena Vogel │ 14",
    ):
        assert text in flat, text
    assert KEY not in printed(status)


@pytest.mark.redis
@pytest.mark.usefixtures("cli_env")
async def test_status_reads_the_shared_breaker_from_redis(
    redis_client: aioredis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (await invoke("calcom", "connect", "--tenant", SLUG, "--api-key", KEY)).exit_code == 0
    monkeypatch.setenv("FRONTDESK_REDIS_URL", REDIS_URL)
    get_settings.cache_clear()
    status = await invoke("calcom", "status", "--tenant", SLUG)
    assert status.exit_code == 0, printed(status)
    assert "closed, 0 recent failure(s)" in " ".join(status.stdout.split())


@pytest.mark.usefixtures("cli_env")
async def test_without_a_secret_key_the_key_is_stored_plain_and_still_never_printed(
    monkeypatch: pytest.MonkeyPatch, sessions: async_sessionmaker[AsyncSession]
) -> None:
    monkeypatch.delenv("FRONTDESK_SECRET_KEY")
    get_settings.cache_clear()
    result = await invoke("calcom", "connect", "--tenant", SLUG, "--api-key", KEY)
    assert result.exit_code == 0, printed(result)
    assert "[debug" in result.stderr
    assert KEY not in printed(result)
    assert (await stored_tenant(sessions)).calcom_api_key == f"plain:{KEY}"
    status = await invoke("calcom", "status", "--tenant", SLUG)
    assert "stored PLAIN" in status.stdout
    assert KEY not in printed(status)


@pytest.mark.usefixtures("cli_env")
async def test_connect_reads_the_nearest_days_availability_at_once(
    sessions: async_sessionmaker[AsyncSession], calcom: FakeCalcom
) -> None:
    """The phone agent can answer for the next days right after connect, not only after the
    server's next periodic refresh; one run of the mirror's share, no more."""
    result = await invoke("calcom", "connect", "--tenant", SLUG, "--api-key", KEY)
    assert result.exit_code == 0, printed(result)
    assert "Availability mirrored" in result.stdout
    slots = calcom.requests("GET", "/v2/slots")
    assert 0 < len(slots) <= MIRROR_REQUESTS_PER_RUN
    async with sessions() as session:
        fetched = (
            (
                await session.execute(
                    select(CalendarMirrorDay).where(CalendarMirrorDay.fetched_at.is_not(None))
                )
            )
            .scalars()
            .all()
        )
    assert fetched
