"""``calcom connect``/``status`` use cases on the demo salon, on both databases, against a
Cal.com stand-in that checks every request with the OpenAPI document."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.calcom_support import ANNA, JONAS, KEY, LENA, MIA, FakeCalcom
from tests.clock_support import FakeClock, FakeTime
from tests.log_support import LogCapture

from frontdesk import demo as demo_data
from frontdesk import secrets
from frontdesk.calendars.calcom import client as client_module
from frontdesk.calendars.calcom import connect as connect_module
from frontdesk.calendars.calcom import transport as transport_module
from frontdesk.calendars.calcom.client import CalcomClient
from frontdesk.calendars.calcom.connect import (
    TRIGGERS,
    ConnectFailed,
    ConnectReport,
    ConnectRequest,
    connect,
)
from frontdesk.calendars.calcom.status import link_status
from frontdesk.calendars.calcom.transport import Guard
from frontdesk.db.seed import DemoCredentials
from frontdesk.db.tables import (
    Appointment,
    Branch,
    Service,
    ServiceStaff,
    Staff,
    Tenant,
    WorkingHours,
)
from frontdesk.domain.model import CalendarProvider
from frontdesk.resilience.retry import RetryPolicy

SLUG = demo_data.TENANT_SLUG
HOOK_URL = f"https://frontdesk.example/calcom/webhook/{SLUG}"
SECRET_KEY = SecretStr(secrets.new_key())

Connect = Callable[..., Any]


@pytest.fixture
def calcom() -> FakeCalcom:
    return FakeCalcom()


@pytest.fixture
async def http(calcom: FakeCalcom) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=calcom.transport()) as client:
        yield client
    assert calcom.server.errors == [], "\n".join(calcom.server.errors)


def make_client(http: httpx.AsyncClient, key: str = KEY) -> Callable[[str], CalcomClient]:
    time = FakeTime()
    guard = Guard.build(
        clock=time.now,
        monotonic=time.monotonic,
        sleep=time.sleep,
        retry=RetryPolicy(attempts=2, base=0.1, cap=0.2),
    )

    def build(base_url: str) -> CalcomClient:
        return CalcomClient.for_tenant(
            http, tenant=SLUG, api_key=SecretStr(key), guard=guard, base_url=base_url
        )

    return build


async def run(
    sessions: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    clock: FakeClock,
    *,
    key: str = KEY,
    **options: Any,
) -> ConnectReport:
    request = ConnectRequest(
        tenant=SLUG,
        api_key=SecretStr(key),
        webhook_base_url="https://frontdesk.example/",
        **options,
    )
    return await connect(
        sessions,
        make_client(http, key),
        request,
        default_api_url="https://api.cal.com",
        clock=clock,
        secret_key=SECRET_KEY,
        new_secret=lambda: "whsec-generated-for-test",
    )


async def rows(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    async with sessions() as session:
        staff = {s.name: s for s in (await session.execute(select(Staff))).scalars()}
        services = {s.name: s for s in (await session.execute(select(Service))).scalars()}
        names = {s.id: n for n, s in staff.items()}
        links: dict[str, set[str]] = {}
        for service_id, staff_id in (
            await session.execute(select(ServiceStaff.service_id, ServiceStaff.staff_id))
        ).all():
            service = next(n for n, s in services.items() if s.id == service_id)
            links.setdefault(service, set()).add(names[staff_id])
        branch = (await session.execute(select(Branch))).scalar_one()
        tenant = (await session.execute(select(Tenant))).scalar_one()
        hours = {
            staff_id for (staff_id,) in (await session.execute(select(WorkingHours.staff_id))).all()
        }
    return {
        "staff": staff,
        "services": services,
        "links": links,
        "branch": branch,
        "tenant": tenant,
        "hours": hours,
    }


async def test_connect_links_the_demo_salon_and_creates_what_is_missing(
    sessions: async_sessionmaker[AsyncSession],
    demo: DemoCredentials,
    calcom: FakeCalcom,
    http: httpx.AsyncClient,
    clock: FakeClock,
) -> None:
    async with sessions() as session:
        version_before = (await session.execute(select(Branch))).scalar_one().calendar_version
    report = await run(sessions, http, clock)
    found = await rows(sessions)

    ids = {name: s.calcom_event_type_id for name, s in found["services"].items()}
    assert ids == {
        "Damenhaarschnitt": 501,
        "Herrenhaarschnitt": 502,
        "Färben": 503,
        "Bartpflege": 504,
        "Beratung": 505,
        "Waschen & Föhnen": 506,
        "Balayage": 507,
    }
    assert found["services"]["Balayage"].duration_minutes == 180
    users = {name: s.calcom_user_id for name, s in found["staff"].items()}
    assert users == {
        "Anna Becker": ANNA,
        "Jonas Weber": JONAS,
        "Mia Schulz": MIA,
        "Lena Vogel": LENA,
    }
    lena = found["staff"]["Lena Vogel"]
    assert (lena.first_name, lena.last_name, lena.email) == ("Lena", "Vogel", "lena@salon.example")
    assert lena.branch_id == found["branch"].id
    assert lena.id not in found["hours"], "Cal.com keeps her hours"
    # Services' staff are the event types' hosts.
    assert found["links"]["Balayage"] == {"Mia Schulz", "Lena Vogel"}
    assert found["links"]["Waschen & Föhnen"] == {
        "Anna Becker",
        "Jonas Weber",
        "Mia Schulz",
        "Lena Vogel",
    }
    assert found["links"]["Bartpflege"] == {"Jonas Weber"}

    branch = found["branch"]
    assert branch.calendar_provider is CalendarProvider.CALCOM
    assert branch.calendar_version > version_before
    config = branch.calendar_config
    assert config["team_id"] == 77
    assert config["team_slug"] == "sonnenschein"
    assert config["linked_at"] == clock().isoformat()
    assert set(config["webhooks"]) == {str(i) for i in range(501, 508)}

    tenant = found["tenant"]
    assert tenant.calcom_api_key is not None
    assert secrets.is_encrypted(tenant.calcom_api_key)
    assert KEY not in tenant.calcom_api_key
    assert secrets.unseal(tenant.calcom_api_key, SECRET_KEY).get_secret_value() == KEY
    assert tenant.calcom_api_url is None
    assert tenant.calcom_webhook_secret == "whsec-generated-for-test"

    posts = calcom.requests("POST", "/webhooks")
    assert len(posts) == 7
    for post in posts:
        body = json.loads(post.content)
        assert body == {
            "subscriberUrl": HOOK_URL,
            "triggers": list(TRIGGERS),
            "active": True,
            "secret": "whsec-generated-for-test",
        }
    assert [h["id"] for hooks in calcom.hooks.values() for h in hooks] == list(range(1, 8))

    how = {report.local_names.get(link.local): link.how for link in report.plan.service_links}
    assert how["Waschen & Föhnen"] == "same name"
    assert [n.name for n in report.plan.new_services] == ["Balayage"]
    assert [(n.first_name, n.user_id) for n in report.plan.new_staff] == [("Lena", LENA)]
    assert report.secret_source == "new"
    assert report.webhook_refused is None


async def test_a_second_connect_updates_and_duplicates_nothing(
    sessions: async_sessionmaker[AsyncSession],
    demo: DemoCredentials,
    calcom: FakeCalcom,
    http: httpx.AsyncClient,
    clock: FakeClock,
) -> None:
    await run(sessions, http, clock)
    first = await rows(sessions)
    report = await run(sessions, http, clock, api_url=calcom.base_url)
    second = await rows(sessions)

    assert len(second["staff"]) == 4
    assert len(second["services"]) == 7
    assert {n: s.id for n, s in second["staff"].items()} == {
        n: s.id for n, s in first["staff"].items()
    }
    assert second["links"] == first["links"]
    assert report.plan.new_staff == ()
    assert report.plan.new_services == ()
    assert {link.how for link in report.plan.service_links} == {"Cal.com id"}
    assert {link.how for link in report.plan.staff_links} == {"Cal.com id"}
    # Our earlier subscription was replaced (created anew, then the old one deleted).
    assert all(len(hooks) == 1 for hooks in calcom.hooks.values())
    assert len(calcom.requests("DELETE", "/webhooks/")) == 7
    assert report.removed_webhooks == 7
    assert report.secret_source == "kept"
    assert second["tenant"].calcom_webhook_secret == "whsec-generated-for-test"
    assert all(
        h["secret"] == "whsec-generated-for-test" for hs in calcom.hooks.values() for h in hs
    )
    new_ids = {str(et): hooks[0]["id"] for et, hooks in calcom.hooks.items()}
    assert second["branch"].calendar_config["webhooks"] == new_ids
    assert second["branch"].calendar_version > first["branch"].calendar_version
    assert second["tenant"].calcom_api_url == calcom.base_url


async def test_refused_webhooks_keep_the_link_and_say_how_to_subscribe_by_hand(
    sessions: async_sessionmaker[AsyncSession],
    demo: DemoCredentials,
    calcom: FakeCalcom,
    http: httpx.AsyncClient,
    clock: FakeClock,
) -> None:
    calcom.refuse_webhooks = True
    report = await run(sessions, http, clock)
    found = await rows(sessions)

    assert found["branch"].calendar_provider is CalendarProvider.CALCOM
    assert found["services"]["Balayage"].calcom_event_type_id == 507
    assert report.webhook_refused is not None
    assert "(403)" in report.webhook_refused
    assert "Settings → Teams" in report.webhook_refused
    assert HOOK_URL in report.webhook_refused
    assert "--webhook-secret" in report.webhook_refused
    # The first refusal stops the others: all would be refused alike.
    assert len(calcom.requests("GET", "/webhooks")) == 1
    assert [o.webhook_id for o in report.webhooks] == [None] * 7
    assert found["tenant"].calcom_webhook_secret is None, "a secret nobody subscribed with"
    assert found["branch"].calendar_config["webhooks"] == {}

    calcom.server.requests.clear()
    again = await run(sessions, http, clock, webhook_secret=SecretStr("made-by-hand"))
    assert calcom.requests("POST", "/webhooks") == []
    assert calcom.requests("GET", "/webhooks") == []
    assert again.secret_source == "given"
    assert (await rows(sessions))["tenant"].calcom_webhook_secret == "made-by-hand"


async def test_a_refused_key_fails_in_one_line_and_changes_nothing(
    sessions: async_sessionmaker[AsyncSession],
    demo: DemoCredentials,
    http: httpx.AsyncClient,
    clock: FakeClock,
) -> None:
    with pytest.raises(ConnectFailed) as failed:
        await run(sessions, http, clock, key="cal_live_wrong")
    assert str(failed.value) == "Cal.com refused the API key (401)."
    assert failed.value.exit_code == 1
    found = await rows(sessions)
    assert found["branch"].calendar_provider is CalendarProvider.BUILTIN
    assert found["tenant"].calcom_api_key is None
    assert len(found["staff"]) == 3


async def test_an_unreachable_calcom_fails_in_one_line(
    sessions: async_sessionmaker[AsyncSession], demo: DemoCredentials, clock: FakeClock
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
        with pytest.raises(ConnectFailed) as failed:
            await run(sessions, http, clock, api_url="http://127.0.0.1:9")
    assert str(failed.value) == "Cal.com unreachable at http://127.0.0.1:9 (connect)."
    assert failed.value.exit_code == 1


async def test_the_team_named_like_the_tenant_is_chosen_else_team_must_be_given(
    sessions: async_sessionmaker[AsyncSession],
    demo: DemoCredentials,
    calcom: FakeCalcom,
    http: httpx.AsyncClient,
    clock: FakeClock,
) -> None:
    other = {"id": 78, "name": "Barbershop Nord", "slug": "nord", "isOrganization": False}
    ours = calcom.teams[0]
    calcom.teams = [other, ours]
    report = await run(sessions, http, clock)
    assert report.team.id == 77

    calcom.teams = [other, ours | {"name": "Kette Berlin", "slug": "kette"}]
    with pytest.raises(ConnectFailed) as failed:
        await run(sessions, http, clock)
    assert failed.value.exit_code == 2
    assert "--team" in str(failed.value)
    assert "78 (Barbershop Nord)" in str(failed.value)
    assert "77 (Kette Berlin)" in str(failed.value)
    assert (await run(sessions, http, clock, team_id=77)).team.id == 77


async def test_unknown_tenant_and_branch_fail_before_asking_calcom(
    sessions: async_sessionmaker[AsyncSession],
    demo: DemoCredentials,
    calcom: FakeCalcom,
    http: httpx.AsyncClient,
    clock: FakeClock,
) -> None:
    with pytest.raises(ConnectFailed) as failed:
        await run(sessions, http, clock, branch="Kreuzberg")
    assert failed.value.exit_code == 2
    assert "Mitte" in str(failed.value)
    request = ConnectRequest(tenant="nope", api_key=SecretStr(KEY), webhook_base_url="https://x")
    with pytest.raises(ConnectFailed) as unknown:
        await connect(
            sessions,
            make_client(http),
            request,
            default_api_url="https://api.cal.com",
            clock=clock,
            secret_key=None,
        )
    assert (str(unknown.value), unknown.value.exit_code) == ("No tenant with slug 'nope'.", 2)
    assert calcom.server.requests == []


async def test_the_api_key_appears_in_no_log_line(
    sessions: async_sessionmaker[AsyncSession],
    demo: DemoCredentials,
    calcom: FakeCalcom,
    http: httpx.AsyncClient,
    clock: FakeClock,
    logs_of: LogCapture,
) -> None:
    calcom.refuse_webhooks = True
    with logs_of(connect_module, transport_module, client_module) as logs:
        report = await run(sessions, http, clock)
        with pytest.raises(ConnectFailed):
            await run(sessions, http, clock, key=f"{KEY}-wrong")
    assert logs, "the refusals and the link are logged"
    assert KEY not in repr(logs)
    assert KEY not in repr(report)


async def test_status_shows_the_link_without_secrets(
    sessions: async_sessionmaker[AsyncSession],
    demo: DemoCredentials,
    http: httpx.AsyncClient,
    clock: FakeClock,
) -> None:
    assert (await link_status(sessions, "nope", default_api_url="u", breaker=None)) is None
    unlinked = await link_status(
        sessions, SLUG, default_api_url="https://api.cal.com", breaker=None
    )
    assert unlinked is not None
    assert not unlinked.linked

    await run(sessions, http, clock)
    status = await link_status(sessions, SLUG, default_api_url="https://api.cal.com", breaker=None)
    assert status is not None
    assert status.linked
    assert status.key == "encrypted"
    assert status.webhook_secret
    assert (status.base_url, status.own_url) == ("https://api.cal.com", False)
    (branch,) = status.overview.branches
    assert ("Waschen & Föhnen", 506) in branch.services
    assert ("Lena Vogel", LENA) in branch.staff
    assert branch.mirror.days == 0
    assert status.overview.last_synced_at is None
    assert set(status.overview.unsynced.values()) == {0}
    assert KEY not in repr(status)


async def test_status_counts_appointments_not_in_sync(
    sessions: async_sessionmaker[AsyncSession],
    demo: DemoCredentials,
    http: httpx.AsyncClient,
    clock: FakeClock,
) -> None:
    await run(sessions, http, clock)
    async with sessions() as session:
        await session.execute(
            Appointment.__table__.insert(),
            [
                appointment_row(state, hour, clock)
                for hour, state in enumerate(["pending_sync", "pending_sync", "conflict", "synced"])
            ],
        )
        await session.commit()
        total = await session.scalar(select(func.count()).select_from(Appointment))
    assert total == 4
    status = await link_status(sessions, SLUG, default_api_url="u", breaker=None)
    assert status is not None
    assert {k.value: v for k, v in status.overview.unsynced.items()} == {
        "pending_sync": 2,
        "sync_failed": 0,
        "conflict": 1,
    }
    assert status.overview.last_synced_at == clock()


def appointment_row(state: str, hour: int, clock: FakeClock) -> dict[str, Any]:
    from datetime import timedelta

    start = clock() + timedelta(days=1, hours=hour)
    return {
        "id": uuid.uuid4(),
        "tenant_id": demo_data.demo_id(),
        "branch_id": demo_data.demo_id("branch", "mitte"),
        "staff_id": demo_data.demo_id("staff", "anna"),
        "service_id": demo_data.demo_id("service", "beratung"),
        "customer_id": demo_data.demo_id("customer", "erika"),
        "starts_at": start,
        "ends_at": start + timedelta(minutes=15),
        "status": "confirmed",
        "source": "api",
        "sync_state": state,
        "version": 1,
        "created_at": clock(),
        "updated_at": clock(),
        "last_synced_at": clock() if state == "synced" else None,
    }
