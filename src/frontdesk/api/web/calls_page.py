"""``/admin/calls``: every call of the business, newest first, filtered by outcome and day
(the query is the URL, so a filtered list can be shared and the back button works), one keyset
page at a time; ``/admin/calls/{id}``: what was said, what the agent did and how fast, and the
appointments the call made or changed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from frontdesk.api.web import nav
from frontdesk.api.web.deps import CurrentUser
from frontdesk.api.web.errors import PageError
from frontdesk.api.web.messages import MESSAGES
from frontdesk.api.web.records import RecordsDep, local, next_after, page_id, parse_after
from frontdesk.api.web.templating import render
from frontdesk.booking.call_history import call_detail, list_calls
from frontdesk.domain.errors import CallNotFound
from frontdesk.domain.model import CallOutcome

router = APIRouter()
nav.register(nav.NavItem("nav.calls", "/admin/calls", 200))
PAGE_SIZE = 50
OUTCOMES = tuple(outcome.value for outcome in CallOutcome)
SENTIMENTS = frozenset({"positive", "neutral", "negative", "unknown"})


@dataclass(frozen=True, slots=True)
class CallsQuery:
    """The list's filters as given in the URL, and what was wrong with them."""

    outcome: CallOutcome | None
    day: date | None
    problems: tuple[tuple[str, str], ...] = ()

    def url(self, after: str | None = None) -> str:
        params = {
            "outcome": self.outcome.value if self.outcome else None,
            "day": self.day.isoformat() if self.day else None,
            "after": after,
        }
        query = urlencode({key: value for key, value in params.items() if value})
        return "/admin/calls" + (f"?{query}" if query else "")


def parse_calls_query(raw_outcome: str | None, raw_day: str | None) -> CallsQuery:
    """Never fails: a bad value is reported on the page and that filter left out."""
    problems: list[tuple[str, str]] = []
    outcome = None
    if raw_outcome:
        if raw_outcome in OUTCOMES:
            outcome = CallOutcome(raw_outcome)
        else:
            problems.append(("calls.bad_outcome", raw_outcome[:40]))
    day = None
    if raw_day:
        try:
            day = date.fromisoformat(raw_day)
        except ValueError:
            problems.append(("calls.bad_day", raw_day[:40]))
    return CallsQuery(outcome, day, tuple(problems))


@router.get("/calls", include_in_schema=False)
async def calls_page(
    request: Request,
    user: CurrentUser,
    records: RecordsDep,
    outcome: str | None = None,
    day: str | None = None,
    after: str | None = None,
) -> Response:
    query = parse_calls_query(outcome, day)
    start, bad_after = parse_after(after)
    problems = query.problems + ((("calls.bad_after", ""),) if bad_after else ())
    page = await list_calls(
        records, user.tenant_id, outcome=query.outcome, day=query.day, after=start, limit=PAGE_SIZE
    )
    following = next_after(page.next)
    context = {
        "query": query,
        "problems": problems,
        "calls": page.items,
        "outcomes": OUTCOMES,
        "next_url": query.url(following) if following else None,
        "first_url": query.url() if start else None,
        "local": lambda instant: local(instant, user.timezone),
    }
    return render(request, "calls.html", context, status_code=400 if problems else 200)


@router.get("/calls/{call_id}", include_in_schema=False)
async def call_page(
    request: Request, user: CurrentUser, records: RecordsDep, call_id: str
) -> Response:
    try:
        detail = await call_detail(records, user.tenant_id, page_id(call_id))
    except CallNotFound as exc:  # unknown, or another tenant's: the same answer
        raise PageError(404, "error.not_found") from exc
    sentiment = (detail.sentiment or "").lower()
    reason = detail.disconnection_reason
    # Retell's reasons in words where we know them; any other shown as Retell names it.
    ended_by = f"call.ended.{reason}" if f"call.ended.{reason}" in MESSAGES["de"] else None
    context = {
        "detail": detail,
        "call": detail.call,
        "sentiment": sentiment if sentiment in SENTIMENTS else None,
        "ended_by": ended_by,
        # Readable arguments: umlauts as they are (tojson would escape them), autoescaped.
        "pretty": lambda value: json.dumps(value, ensure_ascii=False, indent=1),
        "local": lambda instant: local(instant, user.timezone),
    }
    return render(request, "call.html", context)
