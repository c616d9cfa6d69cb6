"""What every agent function is given (``CallContext``) and gives back (``Reply``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from frontdesk import failures
from frontdesk.booking.callers import PhoneCaller
from frontdesk.booking.catalog import BranchCatalog
from frontdesk.voice import replies
from frontdesk.voice.routing import Caller


@dataclass(frozen=True, slots=True)
class CallContext:
    """Everything a function may rely on, established before it runs."""

    tenant_id: uuid.UUID
    catalog: BranchCatalog
    caller: Caller
    call_id: uuid.UUID
    retell_call_id: str
    now: datetime
    slot_secret: bytes

    @property
    def language(self) -> str:
        return replies.language_of(self.catalog.locale)

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.catalog.tz)

    @property
    def today(self) -> date:
        return self.local_now.date()

    @property
    def phone_caller(self) -> PhoneCaller:
        """The caller as the booking use cases judge what they may see and change."""
        return PhoneCaller(self.tenant_id, self.caller.phone, self.call_id)


@dataclass(frozen=True, slots=True)
class Reply:
    """A function's answer; ``links`` and ``customer_id`` are for the call log only."""

    status: str
    message: str
    data: dict[str, Any] = field(default_factory=dict)
    links: tuple[tuple[uuid.UUID, str], ...] = ()
    customer_id: uuid.UUID | None = None

    def body(self) -> dict[str, Any]:
        return {"status": self.status, "message": self.message, **self.data}


class Ask(Exception):
    """Stop here and answer ``reply`` (a question back or a refusal)."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


def clarify(message: str, missing: str) -> Reply:
    return Reply("needs_clarification", message, {"missing": missing})


def ask(message: str, missing: str) -> Ask:
    return Ask(clarify(message, missing))


def error(ctx: CallContext | None, code: str) -> Reply:
    """The vocabulary's sentence for ``code`` (a refusal, an outage or a bug; ADR 0018);
    German when even the tenant's language is unknown."""
    language = ctx.language if ctx is not None else "de"
    return Reply("error", failures.speech(code, language), {"reason": code})
