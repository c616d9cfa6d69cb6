"""What every route of the emulator shares, and the per-request checks Cal.com makes before a
controller runs: routing by ``cal-api-version`` and the API-key guard."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from frontdesk.calendars.calcom.emulator.desk import Desk
from frontdesk.calendars.calcom.emulator.errors import CalcomError
from frontdesk.calendars.calcom.emulator.state import EmulatorState
from frontdesk.calendars.calcom.emulator.webhooks import Dispatcher
from frontdesk.domain.clock import Clock

# The versions our client sends (transport.VERSIONS). Cal.com routes a missing or unknown
# value to the legacy 2024-04-15 controllers, where these paths do not exist: 404.
VERSIONS = {"bookings": "2024-08-13", "slots": "2024-09-04"}
NO_AUTH = (
    "No authentication method provided. Either pass an API key as 'Bearer' header or OAuth "
    "client credentials as 'x-cal-secret-key' and 'x-cal-client-id' headers"
)


@dataclass(frozen=True, slots=True)
class Context:
    state: EmulatorState
    clock: Clock
    desk: Desk
    dispatcher: Dispatcher

    def check(self, request: Request, *, family: str | None = None, auth: bool = True) -> None:
        """Version routing first (it decides which controller exists), then the key: a key
        that is sent must be valid; ``auth`` says whether one must be sent at all."""
        if family is not None and request.headers.get("cal-api-version") != VERSIONS[family]:
            raise CalcomError(404, f"Cannot {request.method} {request.url.path}")
        header = request.headers.get("authorization")
        if header is None:
            if auth:
                raise CalcomError(401, NO_AUTH)
            return
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or key.strip() not in self.state.api_keys:
            raise CalcomError(401, "ApiAuthStrategy - api key - Invalid API Key")

    def team_or_403(self, team_id: int) -> None:
        """The key's user must be a member of the team (Cal.com's roles guard)."""
        if team_id not in self.state.catalogue.members:
            raise CalcomError(403, "TeamsRolesGuard - user is not a member of the team")
