"""Free starts when an outside calendar decides who works when (Cal.com mode).

The provider's own free starts per host (the mirror, filled ahead of calls) replace our weekly
hours, absences and holidays: the business keeps those in the provider. What we add is what
the provider cannot know yet — our own appointments, including ones still being written to it
— and our rules of time: not in the past, the minimum notice, the horizon. A start is offered
only if the provider offered exactly that start for a host (its slot grid is its rule) and
the host is free here too. Pure functions: the use cases pass everything in.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from frontdesk.availability.model import CheckResult, Interval, ServiceRules, Slot, Unavailable


@dataclass(frozen=True, slots=True)
class HostOffer:
    """One staff member's free starts on one day, as the provider last reported them."""

    staff_id: uuid.UUID
    starts: tuple[datetime, ...]


def mirrored_slots(
    service: ServiceRules,
    offers: Sequence[HostOffer],
    busy: Mapping[uuid.UUID, Sequence[Interval]],
    now: datetime,
    preferred_staff: uuid.UUID | None = None,
) -> list[Slot]:
    """The starts free for the service, one per start (the first host in ``offers`` order
    who is free then), sorted."""
    chosen: dict[datetime, Slot] = {}
    for offer in _eligible(service, offers, preferred_staff):
        for start in offer.starts:
            if start in chosen or _refusal(service, start, now) is not None:
                continue
            if not _busy(service, busy.get(offer.staff_id, ()), start):
                chosen[start] = Slot(start, start + service.duration, offer.staff_id)
    return [chosen[start] for start in sorted(chosen)]


def mirrored_check(
    service: ServiceRules,
    offers: Sequence[HostOffer],
    busy: Mapping[uuid.UUID, Sequence[Interval]],
    start: datetime,
    now: datetime,
    preferred_staff: uuid.UUID | None = None,
) -> CheckResult:
    """Whether ``start`` can be booked and for whom; else why, in the engine's order:
    ``in_past``, ``too_soon``, ``beyond_horizon``, ``staff_cannot_perform``, ``outside_hours``
    (the provider offers no host then), ``taken`` (offered, but busy here)."""
    refusal = _refusal(service, start, now)
    if refusal is not None:
        return CheckResult(slot=None, reason=refusal)
    eligible = _eligible(service, offers, preferred_staff)
    if preferred_staff is not None and preferred_staff not in service.staff_ids:
        return CheckResult(slot=None, reason=Unavailable.STAFF_CANNOT_PERFORM)
    offering = [offer for offer in eligible if start in offer.starts]
    if not offering:
        return CheckResult(slot=None, reason=_not_offered(eligible, start))
    for offer in offering:
        if not _busy(service, busy.get(offer.staff_id, ()), start):
            return CheckResult(
                slot=Slot(start, start + service.duration, offer.staff_id), reason=None
            )
    return CheckResult(slot=None, reason=Unavailable.TAKEN)


def _eligible(
    service: ServiceRules, offers: Sequence[HostOffer], preferred: uuid.UUID | None
) -> list[HostOffer]:
    return [
        offer
        for offer in offers
        if offer.staff_id in service.staff_ids and preferred in (None, offer.staff_id)
    ]


def _refusal(service: ServiceRules, start: datetime, now: datetime) -> Unavailable | None:
    if start < now:
        return Unavailable.IN_PAST
    if start < now + service.min_notice:
        return Unavailable.TOO_SOON
    if start >= now + service.horizon:
        return Unavailable.BEYOND_HORIZON
    return None


def _busy(service: ServiceRules, busy: Sequence[Interval], start: datetime) -> bool:
    """Whether the appointment at ``start`` (grown by the service's buffers) meets ``busy``
    (our appointments, already grown by theirs)."""
    lo = start - service.buffer_before
    hi = start + service.duration + service.buffer_after
    return any(interval.start < hi and lo < interval.end for interval in busy)


def _not_offered(offers: Sequence[HostOffer], start: datetime) -> Unavailable:
    """A start the provider does not offer: between the day's offered starts it is most likely
    taken there (by a booking we do not know yet); before or after them, nobody works."""
    starts = [s for offer in offers for s in offer.starts]
    if starts and min(starts) < start < max(starts):
        return Unavailable.TAKEN
    return Unavailable.OUTSIDE_HOURS
