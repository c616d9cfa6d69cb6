"""Which local staff and services are which Cal.com hosts and event types: a pure plan.

``plan_links`` takes both sides as plain values and decides, without I/O:

- **rows already linked** (``Staff.calcom_user_id``, ``Service.calcom_event_type_id``) stay
  linked, so running ``calcom connect`` again updates instead of duplicating;
- **staff ↔ hosts** by e-mail (case-insensitive), then by a tolerant name (umlauts, titles,
  sound-alike spellings: ``language.match.name_similarity`` in both directions);
- **services ↔ event types** by a tolerant name: ``service_key`` folds case, umlauts/ß,
  punctuation, whitespace and the connectors &/und/+/and, so "Waschen & Föhnen" and
  "Waschen und Föhnen" are the same key; near spellings are scored with RapidFuzz.

Links are one-to-one. A pair is linked only when its score reaches the threshold *and* no other
open pair involving either side is within ``MARGIN`` of it (two equally good candidates are a
question for a person, not a guess). A remote item with no link is created locally only when
nothing local is even close (``NEAR``); otherwise it is reported as uncertain, because both a
wrong link and a duplicate would be silently wrong.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from rapidfuzz.fuzz import ratio, token_sort_ratio

from frontdesk.language.match import name_similarity, normalise

# A name link needs this score (0..1); a service name link likewise.
PERSON_THRESHOLD = 0.9
SERVICE_THRESHOLD = 0.9
# Below the threshold but at least this close: neither linked nor created (asked about).
NEAR = 0.6
# The best pair must beat every rival pair of either side by this much.
MARGIN = 0.05
# Words that only join two parts of a service name ("Waschen und Föhnen").
_CONNECTORS = frozenset({"und", "and", "u", "n", "plus"})


@dataclass(frozen=True, slots=True)
class LocalPerson:
    id: uuid.UUID
    name: str
    email: str | None = None
    calcom_user_id: int | None = None


@dataclass(frozen=True, slots=True)
class RemotePerson:
    """A Cal.com host; the e-mail comes from the team's memberships (hosts carry none)."""

    user_id: int
    name: str
    email: str | None = None


@dataclass(frozen=True, slots=True)
class LocalService:
    id: uuid.UUID
    name: str
    aliases: tuple[str, ...] = ()
    calcom_event_type_id: int | None = None


@dataclass(frozen=True, slots=True)
class RemoteEventType:
    id: int
    title: str
    slug: str
    minutes: int
    host_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Link:
    """``local`` is our row's id, ``remote`` Cal.com's id; ``how`` says why they are one."""

    local: uuid.UUID
    remote: int
    how: str


@dataclass(frozen=True, slots=True)
class Unmatched:
    """Something left alone, and why: ``side`` is "host", "event type", "staff" or "service"."""

    side: str
    name: str
    why: str


@dataclass(frozen=True, slots=True)
class NewStaff:
    user_id: int
    first_name: str
    last_name: str
    email: str | None


@dataclass(frozen=True, slots=True)
class NewService:
    event_type_id: int
    name: str
    minutes: int


@dataclass(frozen=True, slots=True)
class Plan:
    staff_links: tuple[Link, ...]
    new_staff: tuple[NewStaff, ...]
    service_links: tuple[Link, ...]
    new_services: tuple[NewService, ...]
    unmatched: tuple[Unmatched, ...]
    # Each linked or created event type's hosts (Cal.com user ids), for service_staff.
    hosts: dict[int, tuple[int, ...]] = field(default_factory=dict)

    @property
    def event_type_ids(self) -> tuple[int, ...]:
        """Every event type frontdesk will book: linked and created, in a stable order."""
        ids = {link.remote for link in self.service_links}
        ids.update(new.event_type_id for new in self.new_services)
        return tuple(sorted(ids))


def service_key(text: str) -> str:
    """A service name as compared: "Waschen & Föhnen" and "waschen und foehnen" →
    "waschen foehnen" (``normalise`` folds case, umlauts, ß, "&" and punctuation)."""
    return " ".join(word for word in normalise(text).split() if word not in _CONNECTORS)


def service_score(a: str, b: str) -> float:
    """0..1: how alike two service names are after ``service_key``; word order and a split
    compound ("Waschen Föhnen" vs "Waschenföhnen") do not matter."""
    left, right = service_key(a), service_key(b)
    if not left or not right:
        return 0.0
    if left == right:
        return 1.0
    joined = ratio(left.replace(" ", ""), right.replace(" ", ""))
    return round(max(token_sort_ratio(left, right), joined) / 100.0, 3)


def person_score(a: str, b: str) -> float:
    """0..1: two full names in both directions, so "Anna" is not "Anna Becker" (a first name
    alone is not enough to link), while "Jonas Webber" is "Jonas Weber"."""
    return round((name_similarity(a, b) + name_similarity(b, a)) / 2, 3)


def split_name(name: str) -> tuple[str, str]:
    """First and last name: the last word is the last name ("Lena Maria Vogel" → "Lena Maria",
    "Vogel"); one word is a first name only."""
    words = name.split()
    if len(words) < 2:
        return (words[0] if words else name.strip()), ""
    return " ".join(words[:-1]), words[-1]


L = TypeVar("L", bound=Hashable)
R = TypeVar("R", bound=Hashable)


def pair_by_score(
    locals_: Sequence[L],
    remotes: Sequence[R],
    score: Callable[[L, R], float],
    threshold: float,
) -> dict[R, tuple[L, float]]:
    """One-to-one pairs scoring at least ``threshold``, best first. A pair with a rival (an
    open pair sharing one side and scoring within ``MARGIN``) is left out, and so is the rival:
    two equally good candidates are a question, not a link."""
    scored = [
        (value, i, j)
        for i, left in enumerate(locals_)
        for j, right in enumerate(remotes)
        if (value := score(left, right)) >= threshold
    ]
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    taken_l: set[int] = set()
    taken_r: set[int] = set()
    blocked: set[tuple[int, int]] = set()
    links: dict[R, tuple[L, float]] = {}
    for value, i, j in scored:
        if i in taken_l or j in taken_r or (i, j) in blocked:
            continue
        rivals = [
            (oi, oj)
            for other, oi, oj in scored
            if (oi == i) != (oj == j)
            and oi not in taken_l
            and oj not in taken_r
            and value - other < MARGIN
        ]
        if rivals:
            blocked.update(rivals)
            taken_l.add(i)
            taken_r.add(j)
            continue
        taken_l.add(i)
        taken_r.add(j)
        links[remotes[j]] = (locals_[i], value)
    return links


def _closest(
    remote_names: Sequence[str],
    locals_: Iterable[tuple[str, Sequence[str]]],
    score: Callable[[str, str], float],
) -> tuple[str, float] | None:
    """The local (shown name) closest to any of ``remote_names``, if at least ``NEAR``."""
    best: tuple[str, float] | None = None
    for shown, texts in locals_:
        value = max((score(t, r) for t in texts for r in remote_names), default=0.0)
        if value >= NEAR and (best is None or value > best[1]):
            best = (shown, value)
    return best


def plan_links(
    staff: Sequence[LocalPerson],
    services: Sequence[LocalService],
    hosts: Sequence[RemotePerson],
    event_types: Sequence[RemoteEventType],
) -> Plan:
    """The whole plan: links, creations and what is left alone, with reasons."""
    staff_links, new_staff, unmatched = _plan_staff(staff, hosts)
    service_links, new_services, unmatched_services = _plan_services(services, event_types)
    planned = {link.remote for link in service_links} | {n.event_type_id for n in new_services}
    return Plan(
        staff_links=staff_links,
        new_staff=new_staff,
        service_links=service_links,
        new_services=new_services,
        unmatched=unmatched + unmatched_services,
        hosts={et.id: et.host_ids for et in event_types if et.id in planned},
    )


def _email(value: str | None) -> str | None:
    return value.strip().casefold() if value and value.strip() else None


def _plan_staff(
    staff: Sequence[LocalPerson], hosts: Sequence[RemotePerson]
) -> tuple[tuple[Link, ...], tuple[NewStaff, ...], tuple[Unmatched, ...]]:
    host_ids = {host.user_id for host in hosts}
    by_user = {s.calcom_user_id: s for s in staff if s.calcom_user_id is not None}
    links: list[Link] = []
    open_hosts: list[RemotePerson] = []
    for host in hosts:
        known = by_user.get(host.user_id)
        if known is not None:
            links.append(Link(known.id, host.user_id, "Cal.com id"))
        else:
            open_hosts.append(host)
    # Staff linked to a Cal.com user stay theirs, even while that user hosts nothing.
    free = [s for s in staff if s.calcom_user_id is None]
    emails: dict[str, list[LocalPerson]] = {}
    for person in free:
        if (key := _email(person.email)) is not None:
            emails.setdefault(key, []).append(person)
    by_name: list[RemotePerson] = []
    for host in open_hosts:
        same = emails.get(_email(host.email) or "", [])
        if len(same) == 1 and same[0] in free:
            links.append(Link(same[0].id, host.user_id, "e-mail"))
            free.remove(same[0])
        else:
            by_name.append(host)
    named = pair_by_score(
        free, by_name, lambda s, h: person_score(s.name, h.name), PERSON_THRESHOLD
    )
    links.extend(
        Link(person.id, host.user_id, f"name ({value:.2f})")
        for host, (person, value) in named.items()
    )
    new: list[NewStaff] = []
    unmatched: list[Unmatched] = []
    everyone = [(s.name, (s.name,)) for s in staff]
    for host in by_name:
        if host in named:
            continue
        close = _closest((host.name,), everyone, person_score)
        if close is not None:
            why = (
                f"close to {close[0]} ({close[1]:.2f}) but not sure: give both the same "
                "e-mail (or the same name) and connect again"
            )
            unmatched.append(Unmatched("host", host.name, why))
            continue
        first, last = split_name(host.name)
        new.append(NewStaff(host.user_id, first, last, host.email))
    linked = {link.local for link in links}
    for person in staff:
        if person.id in linked:
            continue
        why = (
            f"linked to Cal.com user {person.calcom_user_id}, who hosts no event type now"
            if person.calcom_user_id is not None and person.calcom_user_id not in host_ids
            else "no Cal.com host of the team's event types"
        )
        unmatched.append(Unmatched("staff", person.name, why))
    return tuple(links), tuple(new), tuple(unmatched)


def _service_names(service: LocalService) -> tuple[str, ...]:
    return (service.name, *service.aliases)


def _event_type_names(event_type: RemoteEventType) -> tuple[str, ...]:
    return (event_type.title, event_type.slug)


def _pair_score(service: LocalService, event_type: RemoteEventType) -> float:
    return max(
        service_score(a, b) for a in _service_names(service) for b in _event_type_names(event_type)
    )


def _plan_services(
    services: Sequence[LocalService], event_types: Sequence[RemoteEventType]
) -> tuple[tuple[Link, ...], tuple[NewService, ...], tuple[Unmatched, ...]]:
    by_id = {s.calcom_event_type_id: s for s in services if s.calcom_event_type_id is not None}
    links: list[Link] = []
    open_types: list[RemoteEventType] = []
    for event_type in event_types:
        known = by_id.get(event_type.id)
        if known is not None:
            links.append(Link(known.id, event_type.id, "Cal.com id"))
        else:
            open_types.append(event_type)
    remote_ids = {et.id for et in event_types}
    # A service whose event type is gone (deleted in Cal.com) may link again by name.
    free = [s for s in services if s.calcom_event_type_id not in remote_ids]
    named = pair_by_score(free, open_types, _pair_score, SERVICE_THRESHOLD)
    links.extend(
        Link(service.id, event_type.id, "same name" if value == 1.0 else f"name ({value:.2f})")
        for event_type, (service, value) in named.items()
    )
    new: list[NewService] = []
    unmatched: list[Unmatched] = []
    everyone = [(s.name, _service_names(s)) for s in services]
    new_keys: set[str] = set()
    for event_type in open_types:
        if event_type in named:
            continue
        close = _closest(_event_type_names(event_type), everyone, service_score)
        if close is not None:
            why = (
                f"close to {close[0]} ({close[1]:.2f}) but not sure: rename one of them "
                "and connect again"
            )
            unmatched.append(Unmatched("event type", event_type.title, why))
        elif service_key(event_type.title) in new_keys:
            why = "another event type has the same name; rename one in Cal.com"
            unmatched.append(Unmatched("event type", event_type.title, why))
        else:
            new_keys.add(service_key(event_type.title))
            new.append(NewService(event_type.id, event_type.title.strip(), event_type.minutes))
    linked = {link.local for link in links}
    for service in services:
        if service.id in linked:
            continue
        why = (
            f"linked to event type {service.calcom_event_type_id}, which the team no longer has"
            if service.calcom_event_type_id is not None
            and service.calcom_event_type_id not in remote_ids
            else "no event type of the team"
        )
        unmatched.append(Unmatched("service", service.name, why))
    return tuple(links), tuple(new), tuple(unmatched)
