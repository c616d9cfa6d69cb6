"""Reading the agent's arguments: free text and ISO values → service, staff, day and time.

Dates and times go through the tenant's one grammar, date and time read as one phrase; when the
grammar asks a question, that question is the answer (``Ask``) — there is no second, looser
reading. Services and staff go through the catalogue's matchers.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from frontdesk.booking.catalog import BranchCatalog, ServiceInfo, StaffInfo
from frontdesk.cache.memory import LruCache
from frontdesk.language import de, en
from frontdesk.language.match import NameMatcher, ServiceMatcher
from frontdesk.language.when import When
from frontdesk.voice import replies, slots
from frontdesk.voice.functions.context import CallContext, ask
from frontdesk.voice.replies import say

_GRAMMARS = {"de": de.parse_when, "en": en.parse_when}
_ANYONE = frozenset({"egal", "beliebig", "irgendwer", "jemand", "any", "anyone", "whoever"})


def arg(args: Mapping[str, Any], key: str) -> str | None:
    """A string argument, trimmed; numbers are accepted as text, blanks and "null" are missing."""
    value = args.get(key)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if text and text.lower() not in {"null", "none", "undefined"} else None


def truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "ja", "yes", "1"}
    return value is True


def read_when(
    ctx: CallContext, day_text: str | None, time_text: str | None, missing: str = "date"
) -> When:
    """The caller's date and time words read as one phrase by the tenant's grammar.

    A day named in ``day_text`` that the grammar did not turn into a day is asked for, never
    replaced by today ("Silvester, 10 Uhr" while the grammar does not know "Silvester").
    """
    text = " ".join(part for part in (day_text, time_text) if part)
    if not text:
        return When(asap=True)
    when = _GRAMMARS.get(ctx.language, de.parse_when)(text, ctx.local_now)
    if not when.understood:
        raise ask(when.clarify or say("ask_day", ctx.language), missing)
    if day_text and when.date is None and not when.asap:
        raise ask(say("ask_day", ctx.language), missing)
    return when


@dataclass(frozen=True, slots=True)
class _Person:
    """A staff member as ``NameMatcher`` needs it (nicknames count as aliases)."""

    id: uuid.UUID
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Matchers:
    catalog: BranchCatalog
    services: ServiceMatcher[ServiceInfo]
    staff: NameMatcher[_Person]


# Per branch, rebuilt when the catalogue object changes (a new version was loaded).
_MATCHERS: LruCache[uuid.UUID, _Matchers] = LruCache(1024)


def _matchers(catalog: BranchCatalog) -> _Matchers:
    cached = _MATCHERS.get(catalog.branch_id)
    if cached is None or cached.catalog is not catalog:
        people = [_Person(s.id, s.name, s.nicknames) for s in catalog.staff.values()]
        cached = _Matchers(catalog, ServiceMatcher(catalog.services.values()), NameMatcher(people))
        _MATCHERS.put(catalog.branch_id, cached)
    return cached


def service(ctx: CallContext, text: str | None) -> ServiceInfo:
    lang = ctx.language
    names = [s.name for s in ctx.catalog.services.values()]
    result = _matchers(ctx.catalog).services.match(text) if text else None
    if result is not None and result.ambiguous:
        choices = replies.join_or([s.name for s in result.candidates[:3]], lang)
        raise ask(say("ask_which_service", lang, choices=choices), "service")
    if result is None or result.resolved is None:
        raise ask(say("ask_service", lang, services=replies.join_and(names, lang)), "service")
    return result.resolved


def staff(ctx: CallContext, text: str | None, offered: ServiceInfo) -> StaffInfo | None:
    """The staff member named (``None``: anyone), who must offer the service."""
    if not text or set(text.lower().replace(",", " ").split()) & _ANYONE:
        return None
    lang, catalog = ctx.language, ctx.catalog
    result = _matchers(catalog).staff.match(text)
    if result.ambiguous:
        choices = replies.join_or([p.name for p in result.candidates[:3]], lang)
        raise ask(say("ask_which_staff", lang, choices=choices), "staff")
    if result.resolved is None:
        team = replies.join_and([s.name for s in catalog.staff.values()], lang)
        raise ask(say("unknown_staff", lang, name=text, staff=team), "staff")
    member = catalog.staff[result.resolved.id]
    if member.id not in offered.rules.staff_ids:
        others = [catalog.staff[i].name for i in offered.rules.staff_ids if i in catalog.staff]
        message = say(
            "staff_cannot",
            lang,
            staff=member.name,
            service=offered.name,
            others=replies.join_or(sorted(others), lang),
        )
        raise ask(message, "staff")
    return member


@dataclass(frozen=True, slots=True)
class Target:
    """A resolved booking target: service, exact start, and the staff member if required."""

    service: ServiceInfo
    start: datetime
    staff_id: uuid.UUID | None


def target(
    ctx: CallContext,
    args: Mapping[str, Any],
    slot_key: str,
    date_key: str,
    time_key: str,
    fixed: ServiceInfo | None = None,
) -> Target:
    """What to book: a slot id when given, else service + exact date and time."""
    lang = ctx.language
    token = arg(args, slot_key)
    if token:
        catalog = ctx.catalog
        ref = slots.read(
            ctx.slot_secret, ctx.tenant_id, token, catalog.services.keys(), catalog.staff.keys()
        )
        if ref is None:
            raise ask(say("bad_slot", lang), slot_key)
        pinned = ref.staff_id if ref.staff_pinned else None
        return Target(catalog.services[ref.service_id], ref.start, pinned)
    chosen = fixed or service(ctx, arg(args, "service"))
    member = staff(ctx, arg(args, "staff"), chosen)
    day_text = arg(args, date_key) or arg(args, "date")
    when = read_when(ctx, day_text, arg(args, time_key) or arg(args, "time"), date_key)
    if when.time is None:
        raise ask(say("ask_time", lang), time_key)
    if when.date is None:
        raise ask(say("ask_day", lang), date_key)
    start = datetime.combine(when.date, when.time, ctx.catalog.tz).astimezone(UTC)
    return Target(chosen, start, member.id if member is not None else None)
