"""A Cal.com team for ``calcom connect`` tests: the demo salon's team as Cal.com would hold it.

Served through ``tests.contract.calcom_contract.ContractServer``, so every request and answer
is also checked against Cal.com's OpenAPI document. The team has the demo's three staff, one
more host (Lena Vogel) and one more event type (Balayage); "Waschen & Föhnen" is spelled
"Waschen und Föhnen" there. Webhooks are kept per event type like Cal.com does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
from tests.contract import calcom_payloads as p
from tests.contract.calcom_contract import BASE_URL, ContractServer, error_body, ok

KEY = "cal_live_connect_secret_0123456789"
TEAM_ID = p.TEAM_ID
ANNA, JONAS, MIA, LENA = 11, 12, 13, 14
MEMBERS = {
    ANNA: ("anna@salon.example", "Anna Becker", "ADMIN"),
    JONAS: ("jonas@salon.example", "Jonas Weber", "MEMBER"),
    MIA: ("mia@salon.example", "Mia Schulz", "MEMBER"),
    LENA: ("lena@salon.example", "Lena Vogel", "MEMBER"),
}
# id: (title, slug, minutes, hosts)
EVENT_TYPES: dict[int, tuple[str, str, int, tuple[int, ...]]] = {
    501: ("Damenhaarschnitt", "damenhaarschnitt", 60, (ANNA, MIA)),
    502: ("Herrenhaarschnitt", "herrenhaarschnitt", 30, (ANNA, JONAS, MIA)),
    503: ("Färben", "faerben", 120, (ANNA, MIA)),
    504: ("Bartpflege", "bartpflege", 20, (JONAS,)),
    505: ("Beratung", "beratung", 15, (ANNA, JONAS, MIA)),
    506: ("Waschen und Föhnen", "waschen-und-foehnen", 45, (ANNA, JONAS, MIA, LENA)),
    507: ("Balayage", "balayage", 180, (MIA, LENA)),
}
WEBHOOKS = f"/v2/teams/{TEAM_ID}/event-types/{{}}/webhooks"


@dataclass
class FakeCalcom:
    """Cal.com for the key ``KEY``: teams, members, event types, and webhooks with state."""

    teams: list[dict[str, Any]] = field(
        default_factory=lambda: [p.team() | {"name": "Salon Sonnenschein", "slug": "sonnenschein"}]
    )
    refuse_webhooks: bool = False
    server: ContractServer = field(default_factory=ContractServer)
    hooks: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    next_hook: int = 1

    def __post_init__(self) -> None:
        s = self.server
        s.route("GET", "/v2/me", self._authed(lambda r: ok(p.me())))
        s.route("GET", "/v2/teams", self._authed(lambda r: ok(self.teams)))
        s.route("GET", f"/v2/teams/{TEAM_ID}/memberships", self._authed(self._members))
        s.route("GET", f"/v2/teams/{TEAM_ID}/event-types", self._authed(self._event_types))
        # Connect prefetches availability: this team has no free time (an empty answer is one).
        s.route("GET", "/v2/slots", self._authed(lambda r: ok({})))
        for event_type_id in EVENT_TYPES:
            path = WEBHOOKS.format(event_type_id)
            s.route("GET", path, self._authed(self._list_hooks))
            s.route("POST", path, self._authed(self._create_hook))

    def transport(self) -> httpx.MockTransport:
        return self.server.transport()

    @property
    def base_url(self) -> str:
        return BASE_URL

    def _authed(self, answer: Any) -> Any:
        def guarded(request: httpx.Request) -> httpx.Response:
            if request.headers.get("authorization") != f"Bearer {KEY}":
                return httpx.Response(
                    401, json=error_body(401, "UnauthorizedException", "Invalid API key")
                )
            response: httpx.Response = answer(request)
            return response

        return guarded

    def _members(self, request: httpx.Request) -> httpx.Response:
        return ok([p.membership(uid, *MEMBERS[uid]) for uid in MEMBERS])

    def _event_types(self, request: httpx.Request) -> httpx.Response:
        data = []
        for event_type_id, (title, slug, minutes, hosts) in EVENT_TYPES.items():
            body = p.event_type([p.host(h, MEMBERS[h][1].split()[0]) for h in hosts])
            body |= {"id": event_type_id, "title": title, "slug": slug, "lengthInMinutes": minutes}
            data.append(body)
        return ok(data)

    @staticmethod
    def _event_type_of(request: httpx.Request) -> int:
        return int(request.url.path.split("/")[5])

    def _list_hooks(self, request: httpx.Request) -> httpx.Response:
        if self.refuse_webhooks:
            return _forbidden()
        hooks = self.hooks.get(self._event_type_of(request), [])
        # Cal.com does not give secrets back in listings.
        return ok([{k: v for k, v in hook.items() if k != "secret"} for hook in hooks])

    def _create_hook(self, request: httpx.Request) -> httpx.Response:
        if self.refuse_webhooks:
            return _forbidden()
        event_type_id = self._event_type_of(request)
        body = json.loads(request.content)
        hook = p.webhook(self.next_hook, body["subscriberUrl"]) | {
            "eventTypeId": event_type_id,
            "triggers": body["triggers"],
            "active": body["active"],
            "secret": body.get("secret"),
        }
        self.next_hook += 1
        self.hooks.setdefault(event_type_id, []).append(hook)
        path = f"{request.url.path}/{hook['id']}"
        self.server.route("DELETE", path, self._authed(self._delete_hook))
        return ok(hook, 201)

    def _delete_hook(self, request: httpx.Request) -> httpx.Response:
        event_type_id = self._event_type_of(request)
        hook_id = int(request.url.path.rsplit("/", 1)[1])
        hooks = self.hooks.get(event_type_id, [])
        gone = next(h for h in hooks if h["id"] == hook_id)
        hooks.remove(gone)
        return ok({k: v for k, v in gone.items() if k != "secret"})

    def requests(self, method: str, fragment: str = "") -> list[httpx.Request]:
        return [r for r in self.server.requests if r.method == method and fragment in r.url.path]


def _forbidden() -> httpx.Response:
    return httpx.Response(
        403, json=error_body(403, "ForbiddenException", "Only team admins can manage webhooks")
    )
