"""``frontdesk doctor``: run every check against the installation, each bounded by a timeout,
and collect the findings (ADR 0022). An exception or a timeout becomes a ``fail`` finding that
says what could not be reached; nothing here raises for a broken installation.

Order matters only where a check needs another's answer: without a reachable database there are
no migrations, clock or tenants to look at (those are ``skip``ped, the database row says why).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from frontdesk.domain.clock import Clock
from frontdesk.operations import doctor_checks as checks
from frontdesk.operations.doctor_config import check_configuration, redacted_url
from frontdesk.operations.doctor_model import Finding, fail, ok, skip
from frontdesk.operations.doctor_ports import (
    CalendarLink,
    CalendarProbes,
    DatabaseProbe,
    RedisProbe,
    Subscription,
    TenantFacts,
)
from frontdesk.operations.doctor_text import CheckTimedOut, describe
from frontdesk.settings import Settings

T = TypeVar("T")
# Per check; a Cal.com check is one request (and one per linked event type for webhooks).
DEFAULT_TIMEOUT_S = 5.0
TENANTS_AT_ONCE = 8


@dataclass(frozen=True, slots=True)
class Installation:
    """What the checks reach the installation through (real adapters, or fakes in tests)."""

    database: DatabaseProbe
    redis: RedisProbe | None
    calendars: CalendarProbes
    head: str
    known_revisions: Sequence[str]


async def bounded(action: Callable[[], Awaitable[T]], seconds: float) -> T:
    """``action()`` or ``CheckTimedOut`` after ``seconds``: a hung socket or server must not
    hang the doctor."""
    try:
        async with asyncio.timeout(seconds):
            return await action()
    except TimeoutError as exc:
        raise CheckTimedOut(f"no answer within {seconds:g} s") from exc


async def run_doctor(
    settings: Settings, installation: Installation, clock: Clock, *, per_check: float
) -> list[Finding]:
    findings = check_configuration(settings)
    findings.append(await _redis(settings, installation.redis, per_check))
    database = await _database(settings, installation, clock, per_check)
    findings.extend(database.findings)
    if database.tenants is None:
        return findings
    if not database.tenants:
        findings.append(checks.no_tenants())
    # Tenants side by side (their Cal.com keys have budgets of their own), a few at a time: a
    # Cal.com that hangs costs ``per_check`` per batch, not per tenant.
    gate = asyncio.Semaphore(TENANTS_AT_ONCE)

    async def one(tenant: TenantFacts) -> list[Finding]:
        async with gate:
            return await _tenant(settings, installation.calendars, tenant, per_check)

    for found in await asyncio.gather(*(one(t) for t in database.tenants)):
        findings.extend(found)
    return findings


async def _redis(settings: Settings, redis: RedisProbe | None, per_check: float) -> Finding:
    if redis is None or settings.redis_url is None:
        return ok(
            "redis",
            "not configured",
            "cache and breaker state in-process: fine for one server process",
        )
    subject = redacted_url(settings.redis_url)
    try:
        await bounded(redis.ping, per_check)
    except Exception as exc:
        return fail(
            "redis",
            subject,
            f"unreachable ({describe(exc)}): /readyz fails; breakers and budgets fall back to "
            "each process's own",
            "start Redis or fix FRONTDESK_REDIS_URL (docs/runbook.md#not-ready)",
        )
    return ok("redis", subject, "answers PING")


@dataclass(frozen=True, slots=True)
class _DatabaseOutcome:
    findings: list[Finding]
    # None: the database could not be read (the tenants' checks are skipped).
    tenants: Sequence[TenantFacts] | None


async def _database(
    settings: Settings, installation: Installation, clock: Clock, per_check: float
) -> _DatabaseOutcome:
    subject = redacted_url(settings.database_url)
    probe = installation.database
    try:
        revision = await bounded(probe.revision, per_check)
    except Exception as exc:
        return _DatabaseOutcome(
            [
                fail(
                    "database",
                    subject,
                    f"unreachable: {describe(exc)}",
                    "check FRONTDESK_DATABASE_URL and that the server runs "
                    "(docs/runbook.md#not-ready)",
                ),
                skip("migrations", subject, "needs the database"),
                skip("clock", subject, "needs the database"),
                skip("tenants", subject, "needs the database"),
            ],
            None,
        )
    found = [
        ok("database", subject, "reachable"),
        checks.migrations(revision, installation.head, installation.known_revisions),
        await _clock(probe, clock, per_check),
    ]
    if revision != installation.head:
        found.append(skip("tenants", subject, "needs the database at the newest migration"))
        return _DatabaseOutcome(found, None)
    try:
        tenants = await bounded(probe.tenants, per_check)
    except Exception as exc:
        found.append(
            fail("tenants", subject, f"cannot be read: {describe(exc)}", "see the database row")
        )
        return _DatabaseOutcome(found, None)
    return _DatabaseOutcome(found, tenants)


async def _clock(probe: DatabaseProbe, clock: Clock, per_check: float) -> Finding:
    before = clock()
    try:
        server = await bounded(probe.server_now, per_check)
    except Exception as exc:
        return fail("clock", "database server", f"cannot be read: {describe(exc)}", "")
    return checks.clock_skew(before, server, clock())


async def _tenant(
    settings: Settings, calendars: CalendarProbes, tenant: TenantFacts, per_check: float
) -> list[Finding]:
    found = [
        checks.retell_key(tenant, settings.retell_api_key is not None, settings.secret_key),
        checks.numbers(tenant),
    ]
    if not tenant.calendars:
        found.append(checks.builtin_calendar(tenant))
    expected = f"{settings.base_url.rstrip('/')}/calcom/webhook/{tenant.slug}"
    for link in tenant.calendars:
        found.extend(await _calendar(calendars, tenant, link, expected, per_check))
    return found


async def _calendar(
    calendars: CalendarProbes,
    tenant: TenantFacts,
    link: CalendarLink,
    expected_url: str,
    per_check: float,
) -> list[Finding]:
    try:
        probe = calendars.probe(link.link)
        account = await bounded(probe.account, per_check)
    except Exception as exc:  # any failure is a finding, never a traceback
        return [
            checks.calendar_failed(tenant, link, exc),
            checks.webhooks_unchecked(tenant, link),
        ]
    found: dict[str, Sequence[Subscription]] = {}
    try:
        for event_type in sorted(link.webhooks):
            found[event_type] = await bounded(partial(probe.subscriptions, event_type), per_check)
    except Exception as exc:  # any failure is a finding, never a traceback
        return [
            checks.calendar_ok(tenant, link, account),
            fail(
                "webhooks",
                f"{tenant.slug} / {link.branch}",
                f"cannot be listed: {describe(exc)}",
                "run doctor again; if it persists see docs/runbook.md#calcom-is-down",
            ),
        ]
    return [
        checks.calendar_ok(tenant, link, account),
        checks.webhooks(tenant, link, expected_url, found),
    ]
