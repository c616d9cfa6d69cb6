"""An owner's settings change reaches the phone agent at once: check_availability through the
signed voice endpoint before and after the change (issue 14, item 5; ADR 0021).

The change is made through the settings use cases on a unit of work of their own — as another
process would — so only what the app's caches key on (the branch's calendar version) can tell
the app that its cached catalogue and slot searches are stale."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.clock_support import at
from tests.services_support import REDIS_URL
from tests.settings_support import BRANCH, HERREN, JONAS, LUNCH, OWNER, hours, settings_uow
from tests.voice_support import GENEROUS_DEADLINE_S, SALON, RetellClient, retell_client, seed

from frontdesk import secrets
from frontdesk.business import hours as hours_cases
from frontdesk.business import retell as retell_cases
from frontdesk.business import services as service_cases
from frontdesk.business import timeoff
from frontdesk.business.services import ServiceDraft
from frontdesk.demo import demo_id

WEDNESDAY = "2026-12-02"


@pytest.fixture(params=["in-process", "redis"])
async def agent(request: pytest.FixtureRequest, db: AsyncEngine) -> AsyncIterator[RetellClient]:
    """The demo salon's agent, with and without Redis (breakers and rate budgets shared there:
    nothing about availability may be cached where a settings change would not reach it)."""
    await seed(db)
    extra = {"redis_url": REDIS_URL} if request.param == "redis" else {}
    async for client in retell_client(db, function_deadline=GENEROUS_DEADLINE_S, **extra):
        yield client


async def haircut(agent: RetellClient, day: str, at_time: str | None = None) -> dict[str, object]:
    args = {"service": "Herrenhaarschnitt", "date": day, "staff": "Jonas"}
    if at_time is not None:
        args["time"] = at_time
    return await agent.fn("check_availability", args)


async def test_shorter_opening_hours_are_offered_at_once(
    agent: RetellClient, db: AsyncEngine
) -> None:
    before = await haircut(agent, WEDNESDAY, "16:00")
    assert before["status"] == "available"
    week = {d: [hours(9, 18)] for d in (1, 2, 3, 4)} | {5: [hours(9, 14)]}
    week[2] = [hours(9, 12)]
    await hours_cases.set_opening_hours(settings_uow(db, agent.clock), OWNER, BRANCH, week)
    after = await haircut(agent, WEDNESDAY, "16:00")
    assert after["status"] != "available"
    day = await haircut(agent, WEDNESDAY)
    starts = [slot["start"] for slot in day["slots"]]  # type: ignore[union-attr]
    assert starts
    assert all(s < at(2, 12).isoformat() for s in starts)


async def test_an_absence_is_respected_at_once(agent: RetellClient, db: AsyncEngine) -> None:
    before = await haircut(agent, WEDNESDAY, "10:00")
    assert before["status"] == "available"
    uow = settings_uow(db, agent.clock)
    await timeoff.add_absence(uow, OWNER, JONAS, at(2, 0), at(3, 0), "Krank")
    after = await haircut(agent, WEDNESDAY, "10:00")
    assert after["status"] != "available"
    assert all(
        s["staff"] != "Jonas Weber" or not s["start"].startswith(WEDNESDAY) for s in after["slots"]
    )  # type: ignore[union-attr,index]


async def test_a_new_service_duration_is_offered_at_once(
    agent: RetellClient, db: AsyncEngine
) -> None:
    before = await haircut(agent, WEDNESDAY, "10:00")
    assert before["slots"][0]["end"] == at(2, 10, 30).isoformat()  # type: ignore[index]
    uow = settings_uow(db, agent.clock)
    draft = ServiceDraft(
        "Herrenhaarschnitt",
        45,
        [demo_id("staff", k) for k in ("anna", "jonas", "mia")],
        price_cents=2800,
        aliases=("Männerhaarschnitt",),
    )
    await service_cases.update_service(uow, OWNER, HERREN, draft)
    after = await haircut(agent, WEDNESDAY, "10:00")
    assert after["status"] == "available"
    assert after["slots"][0]["end"] == at(2, 10, 45).isoformat()  # type: ignore[index]


async def test_a_longer_staff_day_is_offered_at_once(agent: RetellClient, db: AsyncEngine) -> None:
    """Opening hours bound a staff member's day: Jonas working until 20:00 on Wednesday is
    bookable until the salon closes at 18:00, and after 18:00 once the salon opens longer."""
    uow = settings_uow(db, agent.clock)
    late = {d: [hours(9, 18, *LUNCH)] for d in (1, 3, 4)} | {2: [hours(9, 20, *LUNCH)]}
    await hours_cases.set_staff_week(uow, OWNER, JONAS, late | {5: [hours(9, 14)]})
    assert (await haircut(agent, WEDNESDAY, "18:30"))["status"] != "available"
    week = {d: [hours(9, 18)] for d in (1, 3, 4)} | {2: [hours(9, 20)], 5: [hours(9, 14)]}
    await hours_cases.set_opening_hours(uow, OWNER, BRANCH, week)
    body = await haircut(agent, WEDNESDAY, "18:30")
    assert body["status"] == "available"
    assert body["slots"][0]["start"] == at(2, 18, 30).isoformat()  # type: ignore[index]


async def test_a_sealed_tenant_key_verifies_the_agents_requests(db: AsyncEngine) -> None:
    """The key set in the settings is stored encrypted and opened by the voice routing: the
    tenant's own key signs, the installation's no longer does for this tenant."""
    await seed(db)
    secret_key = secrets.new_key()
    async for client in retell_client(
        db, function_deadline=GENEROUS_DEADLINE_S, secret_key=secret_key
    ):
        uow = settings_uow(db, client.clock)
        own = SecretStr("key_tenant_own_0123456789abcdef012345")
        await retell_cases.set_retell_key(uow, OWNER, own, SecretStr(secret_key))
        body = await client.fn(
            "check_availability", {"service": "Herrenhaarschnitt"}, key=own.get_secret_value()
        )
        assert body["status"] == "options"
        payload = {"name": "check_availability", "args": {}, "call": {"call_id": "c2",
                   "to_number": SALON}}  # fmt: skip
        refused = await client.post("/retell/functions/check_availability", payload)
        assert refused.status_code == 401
