"""Benchmark of the web app's day view: ``GET /admin/schedule`` for 10 staff × 40 appointments,
rendered server-side; prints p50/p95/p99 and updates docs/benchmarks.md (issue 14: p95 < 50 ms).

Through the whole app in-process (httpx's ASGI transport: routing, session lookup, the schedule
use case's queries, layout and Jinja2), on a fresh SQLite file database — the embedded default.

    .venv/bin/python bench/web_schedule.py [--iterations 300] [--warmup 30] [--no-write]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import re
import statistics
import tempfile
import time as clock
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from benchreport import BENCHMARKS, write_section

from frontdesk.app import create_app
from frontdesk.db.engine import create_engine, create_session_factory
from frontdesk.db.migrate import upgrade_engine
from frontdesk.db.tables import (
    Appointment,
    Branch,
    Customer,
    Service,
    Staff,
    Tenant,
    User,
    WorkingHours,
)
from frontdesk.domain.model import AppointmentSource, UserRole
from frontdesk.security import hash_password
from frontdesk.settings import Settings

BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
STAFF, PER_STAFF, MINUTES = 10, 40, 15
EMAIL, PASSWORD = "bench@example.de", "bench-password"
SECTION = "web-schedule"


async def seed(url: str) -> None:
    engine = create_engine(url)
    await upgrade_engine(engine)
    async with create_session_factory(engine, lambda: NOW)() as session:
        tenant = Tenant(slug="bench", name="Bench Salon", timezone="Europe/Berlin")
        session.add(tenant)
        await session.flush()
        branch = Branch(
            tenant_id=tenant.id, name="Mitte", timezone="Europe/Berlin", state_code="BE"
        )
        session.add(branch)
        await session.flush()
        service = Service(
            tenant_id=tenant.id, branch_id=branch.id, name="Kurzer Termin", duration_minutes=MINUTES
        )
        staff = [
            Staff(tenant_id=tenant.id, branch_id=branch.id, first_name=f"Person{n}", last_name="X")
            for n in range(STAFF)
        ]
        session.add_all([service, *staff])
        await session.flush()
        session.add_all(
            WorkingHours(
                id=uuid.uuid4(),
                tenant_id=tenant.id,
                staff_id=member.id,
                weekday=DAY.weekday(),
                starts_at=time(8),
                ends_at=time(19),
            )
            for member in staff
        )
        customers = [Customer(tenant_id=tenant.id, name=f"Kundin {n}") for n in range(PER_STAFF)]
        session.add_all(customers)
        session.add(
            User(
                tenant_id=tenant.id,
                email=EMAIL,
                name="Bench",
                password_hash=hash_password(PASSWORD),
                role=UserRole.OWNER,
            )
        )
        await session.flush()
        first = datetime.combine(DAY, time(8), BERLIN)
        session.add_all(
            Appointment(
                tenant_id=tenant.id,
                branch_id=branch.id,
                staff_id=member.id,
                service_id=service.id,
                customer_id=customers[n].id,
                starts_at=first + timedelta(minutes=MINUTES * n),
                ends_at=first + timedelta(minutes=MINUTES * (n + 1)),
                source=AppointmentSource.API,
            )
            for member in staff
            for n in range(PER_STAFF)
        )
        await session.commit()
    await engine.dispose()


async def measure(url: str, iterations: int, warmup: int) -> list[float]:
    app = create_app(Settings(database_url=url, embedded_worker=False), clock=lambda: NOW)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            login = await client.get("/admin/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
            assert token
            signed_in = await client.post(
                "/admin/login",
                data={"csrf_token": token.group(1), "email": EMAIL, "password": PASSWORD},
            )
            assert signed_in.status_code == 303, signed_in.text
            path = f"/admin/schedule?date={DAY.isoformat()}&view=day"
            timings: list[float] = []
            for n in range(warmup + iterations):
                started = clock.perf_counter()
                response = await client.get(path)
                elapsed = clock.perf_counter() - started
                assert response.status_code == 200
                assert response.text.count("data-appointment-id") == STAFF * PER_STAFF
                if n >= warmup:
                    timings.append(elapsed * 1000)
    return timings


def report(timings: list[float]) -> str:
    cuts = statistics.quantiles(timings, n=100)
    p50, p95, p99 = cuts[49], cuts[94], cuts[98]
    try:
        load = Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        load = "?"
    return (
        "## Web app: the day view (`bench/web_schedule.py`)\n\n"
        f"`GET /admin/schedule` (signed in) for {STAFF} staff × {PER_STAFF} appointments on one "
        "day, through the whole app in-process (session lookup, the schedule's queries, layout, "
        f"Jinja2) on SQLite; {len(timings)} timed requests after warm-up.\n\n"
        "| time | p50 | p95 | p99 | target |\n|---|---|---|---|---|\n"
        f"| wall clock | {p50:.1f} ms | {p95:.1f} ms | {p99:.1f} ms | p95 < 50 ms |\n\n"
        f"Python {platform.python_version()} on {platform.machine()} (load average {load} when "
        "it ran, shared machine), measured with `.venv/bin/python bench/web_schedule.py`."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        asyncio.run(seed(url))
        timings = asyncio.run(measure(url, args.iterations, args.warmup))
    section = report(timings)
    print(section)
    if not args.no_write:
        write_section(BENCHMARKS, SECTION, section)


if __name__ == "__main__":
    main()
