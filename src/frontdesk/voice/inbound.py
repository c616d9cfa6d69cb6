"""The inbound-call webhook: what the agent knows before it says "Hallo".

Retell asks before picking up (reference/retell.md §2.4). We answer with the business, the date
and time in the branch's zone, and — when the caller ID belongs to a customer — their name and
next appointment, so the agent greets a returning caller by name and never asks for it again.
Every value is a string (Retell's rule); names are ``variables.DynamicVariable``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.booking.catalog import BranchCatalog
from frontdesk.booking.views import KnownCaller
from frontdesk.voice import replies
from frontdesk.voice.variables import DynamicVariable as V


def inbound_answer(
    catalog: BranchCatalog, known: KnownCaller | None, now: datetime
) -> dict[str, Any]:
    """The ``call_inbound`` response body for a call to ``catalog``'s branch from a caller
    (``known``: the customer with the caller's number and their next appointment)."""
    language = replies.language_of(catalog.locale)
    local = now.astimezone(catalog.tz)
    today = local.date()
    tomorrow = today + timedelta(days=1)
    name, next_spoken, customer_id = "", "", ""
    if known is not None:
        name, customer_id = known.name, str(known.customer_id)
        if known.next_starts_at is not None and known.next_service_id is not None:
            service = catalog.services.get(known.next_service_id)
            starts = known.next_starts_at.astimezone(catalog.tz)
            when = replies.when_text(starts, today, language)
            next_spoken = f"{service.name} {when}" if service is not None else when
    variables = {
        V.BUSINESS_NAME: catalog.tenant_name,
        V.BRANCH_NAME: catalog.branch_name,
        V.TODAY_SPOKEN: replies.long_date(today, language),
        V.TODAY_ISO: today.isoformat(),
        V.NOW_TIME: local.strftime("%H:%M"),
        V.TOMORROW_SPOKEN: replies.long_date(tomorrow, language),
        V.TOMORROW_ISO: tomorrow.isoformat(),
        V.CALLER_KNOWN: "true" if customer_id else "false",
        V.CALLER_NAME: name,
        V.NEXT_APPOINTMENT_SPOKEN: next_spoken,
        V.SERVICES_LIST: ", ".join(s.name for s in catalog.services.values()),
    }
    metadata = {
        "tenant_id": str(catalog.tenant_id),
        "branch_id": str(catalog.branch_id),
        "customer_id": customer_id,
    }
    return {
        "call_inbound": {
            "dynamic_variables": {str(key): value for key, value in variables.items()},
            "metadata": metadata,
        }
    }


# Without the catalogue (database unreachable) the branch's zone and language are unknown;
# the service's home market's are the best guess for saying today's date.
FALLBACK_ZONE = ZoneInfo("Europe/Berlin")


def inbound_fallback(now: datetime) -> dict[str, Any]:
    """The answer while the database cannot be read (ADR 0016): the date and time, nobody
    known, no business facts — enough for the agent to greet and take the call; its functions
    then answer with the apology until the database is back."""
    local = now.astimezone(FALLBACK_ZONE)
    today, tomorrow = local.date(), local.date() + timedelta(days=1)
    variables = {
        V.TODAY_SPOKEN: replies.long_date(today, "de"),
        V.TODAY_ISO: today.isoformat(),
        V.NOW_TIME: local.strftime("%H:%M"),
        V.TOMORROW_SPOKEN: replies.long_date(tomorrow, "de"),
        V.TOMORROW_ISO: tomorrow.isoformat(),
        V.CALLER_KNOWN: "false",
    }
    return {
        "call_inbound": {"dynamic_variables": {str(key): value for key, value in variables.items()}}
    }
