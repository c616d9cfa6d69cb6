"""Cal.com as ``frontdesk doctor`` looks at it: one authenticated cheap request (``/v2/me``)
and the webhooks of a team event type. Reads only; never changes the account."""

from __future__ import annotations

from collections.abc import Sequence

from frontdesk.calendars.calcom.client import CalcomClient
from frontdesk.calendars.port import Subscription
from frontdesk.resilience.clocks import Monotonic
from frontdesk.resilience.deadline import Deadline


class CalcomProbe:
    """One tenant's Cal.com key and team, each request bounded by ``seconds``."""

    def __init__(
        self, client: CalcomClient, *, team_id: int | None, seconds: float, monotonic: Monotonic
    ) -> None:
        self._client = client
        self._team_id = team_id
        self._seconds = seconds
        self._monotonic = monotonic

    def _deadline(self) -> Deadline:
        return Deadline.after(self._seconds, self._monotonic)

    async def account(self) -> str:
        me = await self._client.me(deadline=self._deadline())
        team = f", team {self._team_id}" if self._team_id is not None else ""
        return f"Cal.com user {me.id}{team}"

    async def subscriptions(self, event_type: str) -> Sequence[Subscription]:
        if self._team_id is None:
            return ()
        hooks = await self._client.event_type_webhooks(
            self._team_id, int(event_type), deadline=self._deadline()
        )
        return tuple(Subscription(str(h.id), h.subscriber_url, h.active) for h in hooks)
