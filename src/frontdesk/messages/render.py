"""Message texts from the Jinja2 templates in ``templates/`` (plain text: e-mail bodies are
``text/plain`` and SMS is text, so nothing is HTML-escaped). German, or English for tenants whose
locale is English. Pure: no I/O beyond reading the packaged templates."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jinja2

from frontdesk.messages.model import Appointment, Notice
from frontdesk.messages.wording import in_digits, in_words


@dataclass(frozen=True, slots=True)
class Texts:
    subject: str
    body: str


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("frontdesk.messages", "templates"),
        autoescape=False,  # plain text only; see the module docstring
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=False,
    )


def _context(appointment: Appointment, kind: str, **links: str | None) -> dict[str, Any]:
    local = appointment.starts_at.astimezone(appointment.zone)
    language = appointment.language
    return {
        "a": appointment,
        "kind": kind,
        "when_words": in_words(local, language),
        "when_digits": in_digits(local, language),
        **links,
    }


def _render(name: str, context: dict[str, Any]) -> str:
    return _env().get_template(name).render(context).strip()


def customer_email(notice: Notice) -> Texts:
    appt = notice.appointment
    context = _context(
        appt,
        notice.kind.value,
        manage_url=notice.manage_url,
        unsubscribe_url=notice.unsubscribe_url,
    )
    return Texts(
        subject=_render(f"subject.{appt.language}.txt.j2", context),
        body=_render(f"email.{appt.language}.txt.j2", context) + "\n",
    )


def customer_sms(notice: Notice) -> str:
    appt = notice.appointment
    context = _context(
        appt,
        notice.kind.value,
        manage_url=notice.manage_url,
        unsubscribe_url=notice.unsubscribe_url,
    )
    return _render(f"sms.{appt.language}.txt.j2", context)


def staff_email(appointment: Appointment, kind: str, admin_url: str) -> Texts:
    """To the business: ``kind`` is ``booked`` (by phone), ``cancelled`` or ``conflict``."""
    context = _context(appointment, kind, admin_url=admin_url)
    body = _render(f"staff.{appointment.language}.txt.j2", context)
    subject, _, _ = body.partition("\n")
    return Texts(subject=f"{subject} – {appointment.business}", body=body + "\n")
