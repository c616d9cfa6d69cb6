"""The .ics attached to a customer's e-mail: an iTIP request or cancellation (RFC 5546) that
Apple, Google and Outlook calendars take as an invitation and update in place.

* One ``UID`` per appointment for its whole life (RFC 5545 §3.8.4.7), so a move or a cancel
  updates the entry the customer already has instead of adding a second one.
* ``SEQUENCE`` is the appointment's change count (0 when booked, +1 per move or cancellation):
  RFC 5546 §2.1.4 — a client applies a REQUEST or CANCEL only when its SEQUENCE is not lower
  than the one it holds, so late or repeated mail cannot roll a calendar back.
* ``METHOD:REQUEST`` needs ``ORGANIZER``, ``ATTENDEE``, ``DTSTAMP``, ``DTSTART``, ``SUMMARY``,
  ``UID`` (RFC 5546 §3.2.2); ``METHOD:CANCEL`` needs ``ORGANIZER``, ``ATTENDEE``, ``DTSTAMP``,
  ``SEQUENCE``, ``UID`` and says ``STATUS:CANCELLED`` (§3.2.5).
* Times are local to the branch with a ``TZID`` and its ``VTIMEZONE`` (RFC 5545 §3.6.5), so a
  calendar shows the salon's wall-clock time on either side of a DST change.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

import icalendar

from frontdesk.messages.model import MessageKind, Notice

PRODID = "-//frontdesk//customer messages//DE"


def method_for(kind: MessageKind) -> str:
    return "CANCEL" if kind is MessageKind.CANCELLED else "REQUEST"


def uid_for(notice: Notice) -> str:
    """Stable per appointment (never the change): the calendar entry's identity."""
    return f"{notice.appointment.appointment_id}@frontdesk"


def invitation(notice: Notice, organizer: str, attendee: str, stamp: datetime) -> bytes:
    """The iTIP object for ``notice``; ``organizer`` and ``attendee`` are e-mail addresses,
    ``stamp`` the send time (DTSTAMP)."""
    appt = notice.appointment
    method = method_for(notice.kind)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add_component(_vtimezone(appt.timezone, appt.starts_at.year))
    event = icalendar.Event()
    event.add("uid", uid_for(notice))
    event.add("sequence", notice.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", appt.starts_at.astimezone(appt.zone))
    event.add("dtend", appt.ends_at.astimezone(appt.zone))
    event.add("summary", f"{appt.service} – {appt.business}")
    if appt.address:
        event.add("location", f"{appt.business}, {appt.address}")
    organizer_prop = icalendar.vCalAddress(f"mailto:{organizer}")
    organizer_prop.params["cn"] = icalendar.vText(appt.business)
    event.add("organizer", organizer_prop)
    attendee_prop = icalendar.vCalAddress(f"mailto:{attendee}")
    attendee_prop.params["cn"] = icalendar.vText(appt.customer_name)
    attendee_prop.params["role"] = icalendar.vText("REQ-PARTICIPANT")
    attendee_prop.params["partstat"] = icalendar.vText(
        "DECLINED" if method == "CANCEL" else "ACCEPTED"
    )
    event.add("attendee", attendee_prop)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    cal.add_component(event)
    content: bytes = cal.to_ical()
    return content


@lru_cache(maxsize=32)
def _vtimezone(tzid: str, year: int) -> icalendar.Timezone:
    """The zone's rules around the appointment's year (all of 1970–2038 would be hundreds of
    lines per mail); cached, building one takes a while."""
    return icalendar.Timezone.from_tzid(
        tzid, first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1)
    )
