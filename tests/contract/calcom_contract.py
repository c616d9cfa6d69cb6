"""A stand-in for Cal.com that checks every request and answer against the OpenAPI document.

The document is a copy of ``shared/reference/calcom-openapi-v2.json`` kept beside this file
(sha256 daa3e48b…78f3d) so the suite needs nothing outside the repository. Where the
published document contradicts what Cal.com's API actually does, ``CORRECTIONS`` patches it;
each correction names its source, and test_calcom_spec_drift.py fails once the pristine
document stops showing the drift (then the correction must go).

``ContractServer`` is an ``httpx.MockTransport`` handler: it validates the request, asks a
route for the answer, validates the answer, and records every validation error.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

DOCUMENT = Path(__file__).with_name("calcom-openapi-v2.json")
BASE_URL = "https://api.cal.com"

HOST_SCHEMA = {
    "type": "object",
    "required": ["userId"],
    "properties": {
        "userId": {"type": "number"},
        "name": {"type": "string"},
        "username": {"type": "string"},
        "mandatory": {"type": "boolean"},
        "priority": {"type": "string"},
        "avatarUrl": {"type": "string", "nullable": True},
    },
}
SLOTS_SCHEMA = {
    "type": "object",
    "required": ["status", "data"],
    "properties": {
        "status": {"type": "string", "enum": ["success", "error"]},
        "data": {
            "type": "object",
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["start"],
                    "properties": {"start": {"type": "string"}, "end": {"type": "string"}},
                },
            },
        },
    },
}


def pristine() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DOCUMENT.read_text())
    return data


def corrected() -> dict[str, Any]:
    doc = pristine()
    doc["servers"] = [{"url": BASE_URL}]
    schemas = doc["components"]["schemas"]
    # 1. Team event-type hosts are objects {userId, name, username, mandatory, priority,
    #    avatarUrl} (upstream TeamEventTypeResponseHost); the document says strings.
    schemas["TeamEventTypeOutput_2024_06_14"]["properties"]["hosts"]["items"] = HOST_SCHEMA
    # 2. GET /v2/teams/{teamId}/memberships answers a list; the document says one object.
    data = schemas["GetTeamMembershipsOutput"]["properties"]["data"]
    schemas["GetTeamMembershipsOutput"]["properties"]["data"] = {"type": "array", "items": data}
    # 3. GET /v2/slots answers {status, data: {day: [{start, end?}]}} — the document's own
    #    examples; its schemas describe the bare map of days with string items.
    slots_200 = doc["paths"]["/v2/slots"]["get"]["responses"]["200"]["content"]
    slots_200["application/json"]["schema"] = SLOTS_SCHEMA
    # 4. POST /v2/bookings: a regular body also satisfies the recurring variant (whose extra
    #    field is optional), so under the document's oneOf no body is valid. Cal.com picks the
    #    variant from the event type, not the body: anyOf is what it means.
    create = doc["paths"]["/v2/bookings"]["post"]["requestBody"]["content"]["application/json"]
    create["schema"] = {"anyOf": create["schema"]["oneOf"]}
    # 5. Webhook outputs: triggers are strings (the document says objects) and payloadTemplate
    #    is null when none is set (Prisma ``payloadTemplate String?``).
    #    The input's triggers are an array of those names (upstream ``@IsArray``); the
    #    document declares a single string.
    triggers = schemas["CreateWebhookInputDto"]["properties"]["triggers"]
    schemas["CreateWebhookInputDto"]["properties"]["triggers"] = {
        "type": "array",
        "items": triggers,
    }
    webhook = schemas["EventTypeWebhookOutputDto"]["properties"]
    webhook["triggers"]["items"] = {"type": "string"}
    webhook["payloadTemplate"]["nullable"] = True
    # 6. "nullable + allOf[$ref]" (how Nest's generator writes an optional nested object):
    #    OpenAPI 3.0 does not carry nullable into allOf, so null — what Cal.com sends, e.g. a
    #    team event type's ``recurrence`` — would fail. Inline the referenced schema instead.
    for schema in schemas.values():
        for name, prop in schema.get("properties", {}).items():
            refs = prop.get("allOf", [])
            if prop.get("nullable") and len(refs) == 1 and "$ref" in refs[0]:
                target = schemas[refs[0]["$ref"].rsplit("/", 1)[1]]
                schema["properties"][name] = {**target, "nullable": True}
    # 7. Team event-type webhooks (upstream teams-event-types-webhooks.controller.ts, newer
    #    than the document) take and give the same DTOs as /v2/event-types/{id}/webhooks.
    for suffix in ("", "/{webhookId}"):
        target = copy.deepcopy(doc["paths"][f"/v2/event-types/{{eventTypeId}}/webhooks{suffix}"])
        path = f"/v2/teams/{{teamId}}/event-types/{{eventTypeId}}/webhooks{suffix}"
        names = re.findall(r"{(\w+)}", path)
        for operation in target.values():
            if not (isinstance(operation, dict) and "responses" in operation):
                continue
            params = operation.setdefault("parameters", [])
            have = {p["name"] for p in params if p.get("in") == "path"}
            params.extend(
                {"name": n, "required": True, "in": "path", "schema": {"type": "string"}}
                for n in names
                if n not in have
            )
        doc["paths"][path] = target
    return doc


@cache
def openapi() -> OpenAPI:
    # The document is not itself schema-valid in every corner; we validate traffic, not it.
    return OpenAPI.from_dict(corrected(), config=Config(spec_validator_cls=None))


class OpenAPIRequest:
    """An httpx request seen through openapi-core's request protocol."""

    def __init__(self, request: httpx.Request) -> None:
        self._request = request
        url = urlparse(str(request.url))
        self._url = url
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qs(url.query)),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        return f"{self._url.scheme}://{self._url.netloc}"

    @property
    def path(self) -> str:
        return self._url.path

    @property
    def method(self) -> str:
        return self._request.method.lower()

    @property
    def body(self) -> bytes | None:
        return self._request.content or None

    @property
    def content_type(self) -> str:
        return self._request.headers.get("content-type", "")


class OpenAPIResponse:
    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def data(self) -> bytes:
        return self._response.content

    @property
    def status_code(self) -> int:
        return self._response.status_code

    @property
    def content_type(self) -> str:
        return self._response.headers.get("content-type", "")

    @property
    def headers(self) -> Headers:
        return Headers(dict(self._response.headers))


Route = Callable[[httpx.Request], httpx.Response]


class ContractServer:
    """Answers with ``routes[(method, path)]`` and checks both directions against the spec."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Route] = {}
        self.requests: list[httpx.Request] = []
        self.errors: list[str] = []

    def route(self, method: str, path: str, answer: Route) -> None:
        self.routes[(method, path)] = answer

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        spec_request = OpenAPIRequest(request)
        try:
            openapi().validate_request(spec_request)
        except Exception as exc:
            self.errors.append(f"request {request.method} {request.url.path}: {_why(exc)}")
        answer = self.routes.get((request.method, request.url.path))
        if answer is None:
            self.errors.append(f"no route for {request.method} {request.url.path}")
            return httpx.Response(404, json=error_body(404, "NotFoundException", "no route"))
        response = answer(request)
        if response.is_success:
            try:
                openapi().validate_response(spec_request, OpenAPIResponse(response))
            except Exception as exc:
                self.errors.append(f"response {request.method} {request.url.path}: {_why(exc)}")
        return response

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)


def _why(exc: Exception) -> str:
    causes = [str(exc)]
    inner = exc.__cause__
    while inner is not None:
        causes.append(str(inner)[:400])
        inner = inner.__cause__
    return " / ".join(causes)


def ok(data: Any, status: int = 200, **extra: Any) -> httpx.Response:
    return httpx.Response(status, json={"status": "success", "data": data, **extra})


def error_body(status: int, code: str, message: str) -> dict[str, Any]:
    """Cal.com's error envelope (apps/api/v2/src/filters/http-exception.filter.ts)."""
    return {
        "status": "error",
        "timestamp": "2031-03-04T09:00:00.000Z",
        "path": "/v2/bookings",
        "error": {"code": code, "message": message, "details": {}},
    }
