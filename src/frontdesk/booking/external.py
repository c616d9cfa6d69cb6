"""Reading a branch's outside calendar (Cal.com mode) out of the local mirror.

The mirror keeps the provider's free starts per (event type, host) and local day; these
helpers turn one day of it into the pure engine's ``HostOffer``s for a service, and tell whether
the day is known at all and how old what is known is. Staff appear in catalogue order, so the
first free host of a start is chosen the same way every time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from frontdesk.availability import HostOffer
from frontdesk.booking.busydays import DayMirror
from frontdesk.booking.catalog import BranchCatalog, ServiceInfo


def _hosts(catalog: BranchCatalog, service: ServiceInfo) -> list[str]:
    return [
        member.calendar_host
        for member in catalog.staff.values()
        if member.id in service.rules.staff_ids and member.calendar_host is not None
    ]


def host_offers(catalog: BranchCatalog, service: ServiceInfo, day: DayMirror) -> list[HostOffer]:
    """Each linked host's free starts (UTC) for the service's event type on one day."""
    offers: list[HostOffer] = []
    if service.event_type is None:
        return offers
    for member in catalog.staff.values():
        host = member.calendar_host
        if member.id not in service.rules.staff_ids or host is None:
            continue
        row = day.get((service.event_type, host))
        if row is not None:
            offers.append(HostOffer(member.id, tuple(s.astimezone(UTC) for s, _ in row.slots)))
    return offers


def day_known(catalog: BranchCatalog, service: ServiceInfo, day: DayMirror) -> bool:
    """Whether the provider has been read for this day for any host of the service."""
    if service.event_type is None:
        return False
    return any(
        (row := day.get((service.event_type, host))) is not None and row.fetched_at is not None
        for host in _hosts(catalog, service)
    )


def fetched_at(
    catalog: BranchCatalog, service: ServiceInfo, days: Iterable[DayMirror]
) -> datetime | None:
    """When the oldest of the service's mirrored days used was fetched."""
    if service.event_type is None:
        return None
    times = [
        row.fetched_at
        for day in days
        for host in _hosts(catalog, service)
        if (row := day.get((service.event_type, host))) is not None and row.fetched_at is not None
    ]
    return min(times, default=None)
