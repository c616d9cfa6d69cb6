"""What ``calcom connect`` is asked, reports and shares between its phases (data only)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import SecretStr

from frontdesk.calendars.calcom.linking import Plan
from frontdesk.calendars.calcom.schemas import Team

TRIGGERS = (
    "BOOKING_CREATED",
    "BOOKING_CANCELLED",
    "BOOKING_RESCHEDULED",
    "BOOKING_REQUESTED",
    "BOOKING_REJECTED",
)
# Steps before the webhooks: account, team, members, event types, linking.
READ_STEPS = 5


class ConnectFailed(Exception):
    """Connect cannot go on; ``str()`` is the one line to show. ``exit_code``: 1 when Cal.com
    refused or could not be reached, 2 when the command's input must change."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Progress(Protocol):
    def expect(self, total: int) -> None: ...

    def step(self, what: str) -> None: ...


class Silent:
    def expect(self, total: int) -> None:
        pass

    def step(self, what: str) -> None:
        pass


@dataclass(frozen=True, slots=True)
class ConnectRequest:
    tenant: str
    api_key: SecretStr
    # The public base URL Cal.com posts to; the tenant's path is appended.
    webhook_base_url: str
    api_url: str | None = None
    webhook_secret: SecretStr | None = None
    team_id: int | None = None
    branch: str | None = None

    @property
    def subscriber_url(self) -> str:
        return f"{self.webhook_base_url.rstrip('/')}/calcom/webhook/{self.tenant}"


@dataclass(frozen=True, slots=True)
class WebhookOutcome:
    event_type_id: int
    title: str
    webhook_id: int | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ConnectReport:
    tenant: str
    branch: str
    team: Team
    plan: Plan
    branch_id: uuid.UUID
    # Display names: our rows by id, Cal.com's by id.
    local_names: dict[uuid.UUID, str]
    event_types: dict[int, str]
    hosts: dict[int, str]
    hosts_unknown: tuple[int, ...]
    subscriber_url: str
    webhooks: tuple[WebhookOutcome, ...] = ()
    # Set when Cal.com refused to subscribe us: what to do instead (the manual team webhook).
    webhook_refused: str | None = None
    # "given" (--webhook-secret), "kept" (the tenant's earlier one), "new", or None (unchanged).
    secret_source: str | None = None
    removed_webhooks: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Linked:
    report: ConnectReport
    branch_id: uuid.UUID
    # The branch's subscriptions before this run: {event type id (text): webhook id}.
    previous: dict[str, int]
