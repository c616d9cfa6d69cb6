"""The demo business of DESIGN §5 (Salon Sonnenschein), described as plain data.

Ids are derived deterministically from names (UUID v5) so that re-seeding yields the same ids
and documentation, tests and scripts can refer to them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import time

TENANT_SLUG = "salon-sonnenschein"
TENANT_NAME = "Salon Sonnenschein"
PHONE_NUMBER = "+4930123456789"
KNOWN_CUSTOMER_NAME = "Erika Mustermann"
KNOWN_CUSTOMER_PHONE = "+4915112345678"
OWNER_EMAIL = "inhaber@salon-sonnenschein.de"
STAFF_LOGIN_EMAIL = "anna@salon-sonnenschein.de"

_NAMESPACE = uuid.UUID("6f1c3a52-8d4e-4b0a-9c57-2a1d5e7f9b30")


def demo_id(*parts: str) -> uuid.UUID:
    """The stable id of a demo entity, e.g. ``demo_id("staff", "anna")``."""
    return uuid.uuid5(_NAMESPACE, "/".join((TENANT_SLUG, *parts)))


@dataclass(frozen=True, slots=True)
class DemoStaff:
    key: str
    first_name: str
    last_name: str
    nicknames: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DemoService:
    key: str
    name: str
    minutes: int
    price_cents: int
    staff: tuple[str, ...]
    aliases: tuple[str, ...]
    late_cancel_fee_cents: int = 0


@dataclass(frozen=True, slots=True)
class DemoHours:
    weekday: int
    start: time
    end: time
    breaks: tuple[tuple[time, time], ...] = field(default_factory=tuple)


STAFF = (
    DemoStaff("anna", "Anna", "Becker", ("Anni",)),
    DemoStaff("jonas", "Jonas", "Weber", ("Jo",)),
    DemoStaff("mia", "Mia", "Schulz"),
)
ALL_STAFF = tuple(s.key for s in STAFF)

SERVICES = (
    DemoService(
        "damenhaarschnitt",
        "Damenhaarschnitt",
        60,
        4500,
        ("anna", "mia"),
        ("Haarschnitt Damen", "Damenschnitt", "Damen Haarschnitt", "Frauenhaarschnitt"),
        late_cancel_fee_cents=1500,
    ),
    DemoService(
        "herrenhaarschnitt",
        "Herrenhaarschnitt",
        30,
        2500,
        ALL_STAFF,
        ("Herrenschnitt", "Haarschnitt Herren", "Männerhaarschnitt", "Herren Haarschnitt"),
    ),
    DemoService(
        "faerben",
        "Färben",
        120,
        7500,
        ("anna", "mia"),
        ("Haare färben", "Farbe", "Coloration", "Tönen"),
        late_cancel_fee_cents=2500,
    ),
    DemoService(
        "bartpflege", "Bartpflege", 20, 1500, ("jonas",), ("Bart trimmen", "Bart", "Rasur")
    ),
    DemoService("beratung", "Beratung", 15, 0, ALL_STAFF, ("Typberatung", "Farbberatung")),
    DemoService(
        "waschen-foehnen",
        "Waschen & Föhnen",
        45,
        3000,
        ALL_STAFF,
        ("Waschen und Föhnen", "Föhnen", "Haare waschen"),
    ),
)

_LUNCH = ((time(13, 0), time(13, 30)),)
# Tue–Fri 09:00–18:00 with a lunch break, Sat 09:00–14:00; closed Sun and Mon.
OPENING_HOURS = (
    *(DemoHours(day, time(9, 0), time(18, 0), _LUNCH) for day in (1, 2, 3, 4)),
    DemoHours(5, time(9, 0), time(14, 0)),
)

SLOT_STEP_MINUTES = 15
# The line customer messages show (ADR 0024); made up, like the rest of the demo.
BRANCH_ADDRESS = "Sonnenallee 12, 12045 Berlin"
MIN_NOTICE_MINUTES = 60
HORIZON_DAYS = 60
# Cancelling less than 24 hours ahead may cost a fee (per service, see late_cancel_fee_cents).
LATE_CANCEL_WINDOW_MINUTES = 24 * 60
