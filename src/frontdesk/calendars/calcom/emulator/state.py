"""The emulator's memory: the seeded catalogue, bookings, webhooks, faults, counters, logs.

One ``EmulatorState`` per app; tests build one, hand it to ``create_emulator_app`` and read it
back. Everything lives in this process: restarting the emulator forgets all bookings.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from frontdesk.calendars.calcom.emulator.faults import Dice, Faults
from frontdesk.calendars.calcom.emulator.model import Booking, Catalogue, LoggedRequest, Webhook
from frontdesk.calendars.calcom.emulator.ratelimit import RateLimitConfig, Throttler

DEFAULT_API_KEY = "cal_test_emulator"
# A request log that grows without bound would eat a long bench's memory.
REQUEST_LOG_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class Delivery:
    """One webhook POST the emulator attempted (or dropped on purpose)."""

    webhook_id: int
    url: str
    trigger: str
    uid: str
    outcome: str  # "delivered 200", "dropped", "failed ConnectError", …
    at: datetime


class EmulatorState:
    def __init__(
        self,
        catalogue: Catalogue,
        *,
        api_keys: Iterable[str] = (DEFAULT_API_KEY,),
        rate_limit: RateLimitConfig | None = None,
        faults: Faults | None = None,
        uid_seed: int = 0,
    ) -> None:
        self.catalogue = catalogue
        self.api_keys = frozenset(api_keys)
        self.throttler = Throttler(rate_limit or RateLimitConfig())
        self._initial_faults = faults
        self._uid_seed = uid_seed
        self.reset()

    def reset(self) -> None:
        """Forget bookings, webhooks, logs, counters and faults; keep the catalogue."""
        self.bookings: dict[str, Booking] = {}
        self.webhooks: dict[int, Webhook] = {}
        self.requests: list[LoggedRequest] = []
        self.deliveries: list[Delivery] = []
        self.dice = Dice(self._initial_faults)
        self.throttler.reset()
        # uids from a seeded generator: two runs of the same script see the same uids.
        self._uids = random.Random(self._uid_seed)
        self._next_booking_id = 1001
        self._next_webhook_id = 1

    # -- ids ---------------------------------------------------------------------------------

    def new_booking_id(self) -> int:
        self._next_booking_id += 1
        return self._next_booking_id - 1

    def new_webhook_id(self) -> int:
        self._next_webhook_id += 1
        return self._next_webhook_id - 1

    def new_uid(self) -> str:
        # Cal.com's uids are 22-character short UUIDs; the shape is all that matters here.
        return uuid.UUID(int=self._uids.getrandbits(128), version=4).hex[:22]

    # -- faults and logs ---------------------------------------------------------------------

    def set_faults(self, faults: Faults) -> None:
        self.dice = Dice(faults)

    def log(self, entry: LoggedRequest) -> None:
        self.requests.append(entry)
        del self.requests[:-REQUEST_LOG_LIMIT]

    def booking_list(self) -> list[Booking]:
        return sorted(self.bookings.values(), key=lambda b: (b.start, b.id))

    def snapshot(self) -> dict[str, Any]:
        """What ``GET /_emulator/state`` shows (bookings rendered by the caller)."""
        return {
            "faults": self.dice.faults.model_dump(),
            "rateLimitBurstLeft": self.dice.burst_left,
            "requestsPerMinute": {k: dict(v) for k, v in self.throttler.per_minute.items()},
            "webhooks": [
                {
                    "id": w.id,
                    "eventTypeId": w.event_type_id,
                    "subscriberUrl": w.subscriber_url,
                    "triggers": list(w.triggers),
                    "active": w.active,
                }
                for w in self.webhooks.values()
            ],
            "deliveries": [
                {
                    "webhookId": d.webhook_id,
                    "url": d.url,
                    "trigger": d.trigger,
                    "uid": d.uid,
                    "outcome": d.outcome,
                    "at": d.at.isoformat(),
                }
                for d in self.deliveries
            ],
        }
