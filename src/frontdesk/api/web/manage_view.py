"""What the manage page says, pure: the cancellation policy in sentences, a refusal with its
fee, the free times as choices (``start|staff``), and a chosen time read back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.numbers import format_currency

from frontdesk.api.web.i18n import Translator
from frontdesk.booking.manage import ManagedAppointment
from frontdesk.booking.views import SlotView
from frontdesk.domain.errors import Alternative


@dataclass(frozen=True, slots=True)
class TimeChoice:
    value: str  # "<ISO start>|<staff id>"
    label: str


def money(t: Translator, cents: int) -> str:
    return format_currency(cents / 100, "EUR", locale=t.babel_locale)


def span(t: Translator, length: timedelta) -> str:
    """``24 Stunden``, ``1 Stunde``, ``90 Minuten``."""
    minutes = int(length.total_seconds() // 60)
    if minutes % 60:
        return t("manage.minutes", n=minutes)
    hours = minutes // 60
    return t("manage.hours_one") if hours == 1 else t("manage.hours", n=hours)


def when(t: Translator, start: datetime) -> str:
    return f"{t.date(start)}, {t.time(start)}"


def policy_lines(t: Translator, managed: ManagedAppointment) -> list[str]:
    """The service's cancellation terms as the customer reads them before deciding."""
    if not managed.fees and not managed.min_notice:
        return [t("manage.cancel_free_always")]
    free_now = managed.terms_now.allowed and not managed.terms_now.fee_cents
    until = when(t, managed.free_until)
    lines = [t("manage.cancel_free" if free_now else "manage.cancel_free_past", until=until)]
    lines += [
        t("manage.cancel_fee_tier", hours=span(t, tier.within), fee=money(t, tier.fee_cents))
        for tier in managed.fees
    ]
    if managed.min_notice:
        lines.append(t("manage.cancel_min_notice", hours=span(t, managed.min_notice)))
    if managed.fees:
        lines.append(t("manage.cancel_online_free_only"))
    return lines


def fee_refusal(t: Translator, managed: ManagedAppointment, fee_cents: int) -> str:
    """Why the link cannot cancel now: the fee the policy sets this close to the start."""
    tier = min(
        (tier for tier in managed.fees if tier.fee_cents == fee_cents),
        key=lambda tier: tier.within,
        default=None,
    )
    widest = managed.fees[0].within if managed.fees else timedelta(0)
    window = tier.within if tier is not None else widest
    return t(
        "manage.refused.fee",
        fee=money(t, fee_cents),
        hours=span(t, window),
        business=managed.business_name,
    )


def too_late_refusal(t: Translator, managed: ManagedAppointment) -> str:
    return t(
        "manage.refused.too_late",
        hours=span(t, managed.min_notice),
        business=managed.business_name,
    )


def choices(t: Translator, managed: ManagedAppointment, slots: list[SlotView]) -> list[TimeChoice]:
    return [
        TimeChoice(
            f"{slot.start.isoformat()}|{slot.staff_id}",
            f"{t.time(slot.start.astimezone(managed.zone))} · {slot.staff_name}",
        )
        for slot in slots
    ]


def alternatives(
    t: Translator, managed: ManagedAppointment, offered: tuple[Alternative, ...]
) -> list[TimeChoice]:
    """What a refused move offers instead (other days included, so the date is said)."""
    return [
        TimeChoice(
            f"{a.start.isoformat()}|{a.staff_id}",
            f"{t.date(a.start.astimezone(managed.zone), 'EEE d.M.')} "
            f"{t.time(a.start.astimezone(managed.zone))}",
        )
        for a in offered
    ]


def chosen(raw: object) -> tuple[datetime, uuid.UUID | None] | None:
    """A posted choice back as (start, staff); None when it is not one."""
    if not isinstance(raw, str) or len(raw) > 100:
        return None
    start_text, _, staff_text = raw.partition("|")
    try:
        start = datetime.fromisoformat(start_text)
        staff = uuid.UUID(staff_text) if staff_text else None
    except ValueError:
        return None
    return (start, staff) if start.tzinfo is not None else None
