"""``frontdesk doctor``'s judgements: pure functions from what a probe saw to findings.

Thresholds (ADR 0022):

- Clock skew against the database server: ``warn`` from ``SKEW_WARN`` (the voice agent reads
  "today" and slot times from this machine's clock), ``fail`` from ``SKEW_FAIL`` — a quarter of
  the job lease (60 s): beyond it another machine's worker may take over a job that is still
  running. The round trip is subtracted first, so a slow network is not reported as skew.
- A tenant's Retell key: its own (unsealable) or the installation's fallback must exist, or the
  voice endpoints refuse its calls (``fail``). No phone number is a ``warn``: a tenant being set
  up, or one that only books through the web app and the API.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from pydantic import SecretStr

from frontdesk import secrets
from frontdesk.calendars.errors import CalendarAuthFailed, CalendarError, CalendarUnavailable
from frontdesk.operations.doctor_model import Finding, fail, ok, skip, warn
from frontdesk.operations.doctor_ports import CalendarLink, Subscription, TenantFacts
from frontdesk.operations.doctor_text import describe

SKEW_WARN = timedelta(seconds=2)
SKEW_FAIL = timedelta(seconds=15)
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
CONNECT_AGAIN = "frontdesk calcom connect --tenant {slug} --api-key <key> (see docs/calcom.md)"


def migrations(current: str | None, head: str, known: Sequence[str]) -> Finding:
    check = "migrations"
    if current == head:
        return ok(check, f"revision {current}", "the database is at the newest migration")
    if current is None:
        return fail(
            check,
            "no revision",
            "the database has never been migrated",
            "frontdesk db upgrade (serve does it on start)",
        )
    if current in known:
        return fail(
            check,
            f"revision {current}",
            f"behind the newest migration {head}",
            "frontdesk db upgrade (take a backup first: docs/deployment.md#backups)",
        )
    return fail(
        check,
        f"revision {current}",
        f"unknown to this version of frontdesk (its newest is {head})",
        "a newer frontdesk migrated this database: install that version again",
    )


def clock_skew(before: datetime, server: datetime | None, after: datetime) -> Finding:
    """``before``/``after`` are this process's clock around the server's reading."""
    check = "clock"
    if server is None:
        return ok(check, "database server", "embedded database: it reads this machine's clock")
    midpoint = before + (after - before) / 2
    uncertainty = (after - before) / 2
    skew = server - midpoint
    beyond = abs(skew) - uncertainty
    text = f"this machine is {_signed(-skew)} against the database server"
    if beyond >= SKEW_FAIL:
        return fail(
            check,
            "database server",
            text,
            "synchronise both clocks with NTP (timedatectl set-ntp true; chronyc tracking)",
        )
    if beyond >= SKEW_WARN:
        return warn(
            check,
            "database server",
            text,
            "check NTP on this machine and the database server (chronyc tracking)",
        )
    return ok(check, "database server", f"{text} (within {SKEW_WARN.total_seconds():g} s)")


def _signed(delta: timedelta) -> str:
    seconds = delta.total_seconds()
    if abs(seconds) < 0.001:
        return "in step"
    direction = "ahead" if seconds > 0 else "behind"
    return f"{abs(seconds):.3f} s {direction}"


def no_tenants() -> Finding:
    return warn(
        "tenants",
        "-",
        "no tenant in the database: every call would be refused",
        "frontdesk demo (a demo business) or create the business in the admin app",
    )


def retell_key(tenant: TenantFacts, fallback: bool, secret_key: SecretStr | None) -> Finding:
    check = "retell key"
    if tenant.sealed_retell_key is None:
        if fallback:
            return ok(check, tenant.slug, "none of its own: FRONTDESK_RETELL_API_KEY verifies")
        return fail(
            check,
            tenant.slug,
            "no Retell key of its own and no FRONTDESK_RETELL_API_KEY: its calls are refused",
            "set the tenant's key in /admin/settings (Retell) or FRONTDESK_RETELL_API_KEY",
        )
    try:
        secrets.unseal(tenant.sealed_retell_key, secret_key)
    except secrets.SecretUnreadable as exc:
        return fail(
            check,
            tenant.slug,
            f"stored but cannot be opened: {exc}",
            "restore the FRONTDESK_SECRET_KEY it was sealed with, or enter the key again in "
            "/admin/settings (docs/runbook.md#a-tenants-retell-key-was-rotated)",
        )
    if not secrets.is_encrypted(tenant.sealed_retell_key) and secret_key is not None:
        return warn(
            check,
            tenant.slug,
            "stored unencrypted (saved before FRONTDESK_SECRET_KEY was set)",
            "enter the key again in /admin/settings to seal it",
        )
    return ok(check, tenant.slug, "stored and opens")


def numbers(tenant: TenantFacts) -> Finding:
    check = "phone numbers"
    if not tenant.numbers:
        return warn(
            check,
            tenant.slug,
            "no number: no call can reach this tenant",
            "add the number callers dial in /admin/settings and bind it to the agent in Retell",
        )
    bad = [n for n in tenant.numbers if not E164.match(n)]
    if bad:
        return fail(
            check,
            tenant.slug,
            f"not E.164: {', '.join(bad)}",
            "store numbers as +<country><number>, e.g. +4930123456789",
        )
    return ok(check, tenant.slug, ", ".join(tenant.numbers))


def builtin_calendar(tenant: TenantFacts) -> Finding:
    return ok("calendar", tenant.slug, "built-in calendar: nothing outside to reach")


def calendar_ok(tenant: TenantFacts, link: CalendarLink, account: str) -> Finding:
    return ok("calendar", _subject(tenant, link), f"{link.link.provider}: signed in as {account}")


def calendar_failed(tenant: TenantFacts, link: CalendarLink, exc: Exception) -> Finding:
    """The provider could not be asked (``exc`` from the probe), by what it means to do."""
    subject = _subject(tenant, link)
    provider = str(link.link.provider)
    if isinstance(exc, CalendarAuthFailed):
        refused = f"refused the key ({exc.status})" if exc.status else "the key cannot be used"
        return fail(
            "calendar",
            subject,
            f"{provider}: {refused}: {exc.message}",
            "a rotated or revoked key: " + CONNECT_AGAIN.format(slug=tenant.slug),
        )
    if isinstance(exc, CalendarUnavailable):
        status = f", {exc.status}" if exc.status else ""
        finding = f"{provider}: unreachable ({exc.reason}{status}): {exc.message}"
    elif isinstance(exc, CalendarError):
        finding = f"{provider}: refused ({exc.status}): {exc.message}"
    else:
        finding = f"{provider}: {describe(exc)}"
    return fail(
        "calendar",
        subject,
        finding,
        "check Cal.com's status page and the network from this machine "
        "(docs/runbook.md#calcom-is-down)",
    )


def webhooks(
    tenant: TenantFacts,
    link: CalendarLink,
    expected_url: str,
    found: Mapping[str, Sequence[Subscription]],
) -> Finding:
    """Our stored subscriptions against the ones the provider holds (``found`` per event
    type)."""
    check = "webhooks"
    subject = _subject(tenant, link)
    if not link.webhooks:
        if link.webhook_secret:
            return warn(
                check,
                subject,
                "a team webhook made by hand (secret stored): doctor cannot see team webhooks",
                f"check in Cal.com (Settings → Teams → Webhooks) that it posts to {expected_url}",
            )
        return fail(
            check,
            subject,
            "no webhook subscription: Cal.com's bookings and changes never reach frontdesk",
            CONNECT_AGAIN.format(slug=tenant.slug),
        )
    missing, elsewhere, inactive = [], [], []
    for event_type, hook_id in sorted(link.webhooks.items()):
        ours = next((s for s in found.get(event_type, ()) if s.id == hook_id), None)
        if ours is None:
            missing.append(event_type)
        elif ours.url.rstrip("/") != expected_url.rstrip("/"):
            elsewhere.append(event_type)
        elif not ours.active:
            inactive.append(event_type)
    problems = [
        f"{label} for event type(s) {', '.join(ids)}"
        for label, ids in (("missing", missing), ("inactive", inactive))
        if ids
    ]
    if problems:
        return fail(check, subject, "; ".join(problems), CONNECT_AGAIN.format(slug=tenant.slug))
    if elsewhere:
        return warn(
            check,
            subject,
            f"event type(s) {', '.join(elsewhere)} post to another URL than {expected_url}",
            "if FRONTDESK_BASE_URL is right, " + CONNECT_AGAIN.format(slug=tenant.slug),
        )
    return ok(check, subject, f"{len(link.webhooks)} subscription(s) to {expected_url}")


def webhooks_unchecked(tenant: TenantFacts, link: CalendarLink) -> Finding:
    return skip("webhooks", _subject(tenant, link), "not checked: the calendar is not reachable")


def _subject(tenant: TenantFacts, link: CalendarLink) -> str:
    return f"{tenant.slug} / {link.branch}"
