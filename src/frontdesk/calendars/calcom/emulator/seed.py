"""Seeds: the Cal.com account an emulator starts with.

``demo`` mirrors frontdesk's demo salon (``frontdesk.demo``, DESIGN §5) as a Cal.com team:
one team, its three stylists as members and hosts, one round-robin team event type per
service with the same hosts, the salon's opening hours as every host's schedule.
"""

from __future__ import annotations

from collections.abc import Callable

from frontdesk import demo
from frontdesk.calendars.calcom.emulator.model import (
    Catalogue,
    EventType,
    Member,
    Schedule,
    Team,
    WorkingRange,
)

TEAM_ID = 4242
OWNER_ID = 1000
# Stable user ids per stylist, so scripts and docs can name them.
USER_IDS = {"anna": 1101, "jonas": 1102, "mia": 1103}
EVENT_TYPE_IDS = {offer.key: 7001 + n for n, offer in enumerate(demo.SERVICES)}
# Cal.com's catalogue spells one service differently on purpose: name matching must cope.
TITLES = {"waschen-foehnen": "Waschen und Föhnen"}
SLUGS = {"waschen-foehnen": "waschen-und-foehnen", "faerben": "faerben"}
TIME_ZONE = "Europe/Berlin"


def demo_catalogue() -> Catalogue:
    owner = Member(
        user_id=OWNER_ID,
        membership_id=5000,
        name="Salon Inhaber",
        email=demo.OWNER_EMAIL,
        username="salon-sonnenschein",
        role="OWNER",
    )
    stylists = tuple(
        Member(
            user_id=USER_IDS[person.key],
            membership_id=5000 + USER_IDS[person.key] - 1100,
            name=f"{person.first_name} {person.last_name}",
            email=f"{person.key}@salon-sonnenschein.de",
            username=f"{person.key}-{person.last_name.lower()}",
        )
        for person in demo.STAFF
    )
    event_types = tuple(
        EventType(
            id=EVENT_TYPE_IDS[offer.key],
            team_id=TEAM_ID,
            title=TITLES.get(offer.key, offer.name),
            slug=SLUGS.get(offer.key, offer.key),
            length=offer.minutes,
            host_ids=tuple(USER_IDS[key] for key in offer.staff),
            slot_interval=demo.SLOT_STEP_MINUTES,
            minimum_notice=demo.MIN_NOTICE_MINUTES,
        )
        for offer in demo.SERVICES
    )
    schedule = Schedule(TIME_ZONE, _opening_ranges())
    return Catalogue(
        owner=owner,
        teams=(Team(TEAM_ID, demo.TENANT_NAME, demo.TENANT_SLUG, TIME_ZONE),),
        members={TEAM_ID: (owner, *stylists)},
        event_types=event_types,
        schedules={member.user_id: schedule for member in stylists},
    )


def _opening_ranges() -> tuple[WorkingRange, ...]:
    """The salon's hours with breaks cut out (Cal.com has no breaks: two ranges a day)."""
    ranges: list[WorkingRange] = []
    for hours in demo.OPENING_HOURS:
        start = hours.start
        for break_start, break_end in hours.breaks:
            ranges.append(WorkingRange(hours.weekday, start, break_start))
            start = break_end
        ranges.append(WorkingRange(hours.weekday, start, hours.end))
    return tuple(ranges)


SEEDS: dict[str, Callable[[], Catalogue]] = {"demo": demo_catalogue}
