"""Who may be reached how, and when (pure).

* SMS only to a mobile number (``phonenumbers`` says MOBILE; a landline caller ID cannot take an
  SMS) and only with the customer's recorded SMS consent.
* No SMS between 21:00 and 08:00 at the branch: a reminder due at night goes at 08:00 instead,
  unless 08:00 is already too close to (or past) the appointment, then it is skipped.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import PhoneNumberType

from frontdesk.language.phone import E164, parse_phone

QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(8, 0)
# A reminder later than this before the start is pointless: the customer is on the way.
LATEST_USEFUL = timedelta(hours=1)


def sms_number(phone: str | None, region: str, consented: bool) -> str | None:
    """The E.164 number an SMS may go to, or None."""
    if not consented or not phone:
        return None
    parsed = parse_phone(phone, region)
    if not isinstance(parsed, E164):
        return None
    # Strictly MOBILE: FIXED_LINE_OR_MOBILE (numbering plans that cannot tell) may be a
    # landline, and a landline cannot take the SMS.
    kind = phonenumbers.number_type(phonenumbers.parse(parsed.number))
    return parsed.number if kind == PhoneNumberType.MOBILE else None


def is_quiet(at: datetime, zone: ZoneInfo) -> bool:
    local = at.astimezone(zone).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def sms_send_time(due: datetime, starts_at: datetime, zone: ZoneInfo) -> datetime | None:
    """When an SMS due at ``due`` may go: ``due`` itself by day, else the next 08:00 local;
    None when that is too late for the appointment at ``starts_at``."""
    if not is_quiet(due, zone):
        return due
    local = due.astimezone(zone)
    morning_day = local.date() if local.time() < QUIET_UNTIL else local.date() + timedelta(days=1)
    # Wall-clock 08:00 of that day in the zone (zoneinfo resolves DST for us).
    morning = datetime.combine(morning_day, QUIET_UNTIL, tzinfo=zone)
    if morning > starts_at - LATEST_USEFUL:
        return None
    return morning
