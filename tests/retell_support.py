"""Helpers for the agent tests: a strict check against retell-sdk's request types, a fake Retell.

``type_errors`` walks the SDK's ``TypedDict`` request types (the same ones mypy checks
``frontdesk.voice.agent`` against) and reports unknown keys, missing ``Required`` keys and values
outside a ``Literal``. Pydantic's ``TypeAdapter`` is no substitute: it ignores unknown keys in a
``TypedDict`` and validates ``Iterable`` fields lazily, so a misspelt field would pass.

``FakeRetell`` is a small FastAPI app with the Retell endpoints ``push`` uses, served by uvicorn
on 127.0.0.1 in a thread, so the real SDK client talks HTTP to it exactly as to Retell.
"""

from __future__ import annotations

import collections.abc
import socket
import threading
import time
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, NotRequired, Required, Union, get_args, get_origin

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from retell._types import SequenceNotStr
from typing_extensions import get_type_hints, is_typeddict

from frontdesk.voice import agent

# The tenants the agent tests configure: the demo salon, and an English one.
BASE_URL = "https://frontdesk.example.de/"
SALON = agent.AgentProfile(
    slug="salon-sonnenschein",
    name="Salon Sonnenschein",
    locale="de-DE",
    timezone="Europe/Berlin",
    services=("Damenhaarschnitt", "Herrenhaarschnitt", "Färben"),
    staff=("Anna Becker", "Jonas Weber"),
)
ENGLISH = agent.AgentProfile(
    slug="sunshine", name="Sunshine Salon", locale="en-GB", timezone="Europe/London"
)

_SEQUENCES = (list, collections.abc.Iterable, collections.abc.Sequence, SequenceNotStr)
_MAPPINGS = (dict, collections.abc.Mapping)


def type_errors(value: object, expected: Any, path: str = "$") -> list[str]:
    """Every way ``value`` (plain JSON-like data) does not fit the SDK type ``expected``."""
    origin = get_origin(expected)
    if expected is Any or expected is object:
        return []
    if is_typeddict(expected):
        return _typeddict_errors(value, expected, path)
    if origin in (Union, types.UnionType):
        options = [type_errors(value, option, path) for option in get_args(expected)]
        if any(not errors for errors in options):
            return []
        return [f"{path}: fits no member of {expected}: {min(options, key=len)}"]
    if origin is Literal:
        return [] if value in get_args(expected) else [f"{path}: {value!r} not in {expected}"]
    if origin in _SEQUENCES:
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {type(value).__name__}"]
        (item,) = get_args(expected)
        return [e for i, v in enumerate(value) for e in type_errors(v, item, f"{path}[{i}]")]
    if origin in _MAPPINGS:
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {type(value).__name__}"]
        _, item = get_args(expected)
        return [e for k, v in value.items() for e in type_errors(v, item, f"{path}.{k}")]
    return _scalar_errors(value, expected, path)


def _typeddict_errors(value: object, expected: Any, path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: expected an object for {expected.__name__}"]
    hints = get_type_hints(expected, include_extras=True)
    errors = [
        f"{path}.{key}: not a field of {expected.__name__}" for key in value if key not in hints
    ]
    for key, hint in hints.items():
        required, inner = _unwrap(hint)
        if key not in value:
            if required:
                errors.append(f"{path}.{key}: required by {expected.__name__}")
            continue
        errors += type_errors(value[key], inner, f"{path}.{key}")
    return errors


def _unwrap(hint: Any) -> tuple[bool, Any]:
    """(is the key Required, the type without Required/NotRequired/Annotated)."""
    required = False
    while True:
        origin = get_origin(hint)
        if origin is Required:
            required, hint = True, get_args(hint)[0]
        elif origin is NotRequired:
            hint = get_args(hint)[0]
        elif hasattr(hint, "__metadata__"):  # Annotated[...] (aliases are not used here)
            hint = hint.__origin__
        else:
            return required, hint


def _scalar_errors(value: object, expected: Any, path: str) -> list[str]:
    if expected is type(None):
        return [] if value is None else [f"{path}: expected null"]
    if expected is bool:
        return [] if isinstance(value, bool) else [f"{path}: expected a boolean"]
    if expected is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected an integer"]
    if expected is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected a number"]
    if expected is str:
        return [] if isinstance(value, str) else [f"{path}: expected a string"]
    return [f"{path}: no check for {expected!r}"]


@dataclass(frozen=True, slots=True)
class Recorded:
    """One request the fake received."""

    method: str
    path: str
    authorization: str | None
    body: Any
    query: dict[str, str]


@dataclass
class FakeRetell:
    """The Retell endpoints for LLMs and agents, in memory; ``requests`` records every call."""

    api_key: str
    fail_agent_create: bool = False
    llms: dict[str, dict[str, Any]] = field(default_factory=dict)
    agents: dict[str, dict[str, Any]] = field(default_factory=dict)
    published: dict[str, list[int]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    base_url: str = ""
    _ids: Iterator[int] = field(default_factory=lambda: iter(range(1, 1_000_000)))

    def calls(self, method: str, prefix: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path.startswith(prefix)]

    def app(self) -> FastAPI:
        api = FastAPI()

        @api.middleware("http")
        async def record(request: Request, call_next: Any) -> Response:
            raw = await request.body()
            body = (await request.json()) if raw else None
            self.requests.append(
                Recorded(
                    request.method,
                    request.url.path,
                    request.headers.get("authorization"),
                    body,
                    dict(request.query_params),
                )
            )
            if request.headers.get("authorization") != f"Bearer {self.api_key}":
                return JSONResponse({"error_message": "Invalid API key"}, status_code=401)
            response: Response = await call_next(request)
            return response

        self._routes(api)
        return api

    def _routes(self, api: FastAPI) -> None:
        @api.post("/create-retell-llm", status_code=201)
        async def create_llm(request: Request) -> dict[str, Any]:
            llm_id = f"llm_{next(self._ids)}"
            self.llms[llm_id] = {**(await request.json()), **_meta(llm_id=llm_id)}
            return self.llms[llm_id]

        @api.patch("/update-retell-llm/{llm_id}", response_model=None)
        async def update_llm(llm_id: str, request: Request) -> dict[str, Any] | JSONResponse:
            if llm_id not in self.llms:
                return _not_found()
            self.llms[llm_id].update(await request.json(), **_meta(llm_id=llm_id))
            return self.llms[llm_id]

        @api.delete("/delete-retell-llm/{llm_id}", status_code=204)
        async def delete_llm(llm_id: str) -> None:
            self.llms.pop(llm_id, None)

        @api.post("/create-agent", status_code=201, response_model=None)
        async def create_agent(request: Request) -> dict[str, Any] | JSONResponse:
            if self.fail_agent_create:
                return JSONResponse({"error_message": "voice not found"}, status_code=400)
            agent_id = f"agent_{next(self._ids)}"
            self.agents[agent_id] = {**(await request.json()), **_meta(agent_id=agent_id)}
            return self.agents[agent_id]

        @api.patch("/update-agent/{agent_id}", response_model=None)
        async def update_agent(agent_id: str, request: Request) -> dict[str, Any] | JSONResponse:
            if agent_id not in self.agents:
                return _not_found()
            version = self.agents[agent_id]["version"]  # an update changes the current draft
            self.agents[agent_id].update(await request.json(), **_meta(agent_id=agent_id))
            self.agents[agent_id]["version"] = version
            return self.agents[agent_id]

        @api.post("/publish-agent-version/{agent_id}", response_model=None)
        async def publish_agent(agent_id: str, request: Request) -> Response:
            agent = self.agents.get(agent_id)
            if agent is None:
                return _not_found()
            if (await request.json()).get("version") != agent["version"]:
                return JSONResponse({"error_message": "not the draft version"}, status_code=400)
            # Retell keeps the published version and continues with a new draft.
            self.published.setdefault(agent_id, []).append(agent["version"])
            agent["version"] += 1
            return Response(status_code=200)

        @api.get("/get-agent/{agent_id}", response_model=None)
        async def get_agent(agent_id: str) -> dict[str, Any] | JSONResponse:
            return self.agents.get(agent_id) or _not_found()

        @api.post("/v2/list-agents")
        async def list_agents(request: Request) -> dict[str, Any]:
            body = await request.json()
            query = str(body.get("filter_criteria", {}).get("query", "")).lower()
            limit = int(request.query_params.get("limit", "1000"))
            start = int(request.query_params.get("pagination_key", "0"))
            matching = [
                _list_item(agent)
                for agent in self.agents.values()
                if query in str(agent.get("agent_name", "")).lower()
            ]
            page = matching[start : start + limit]
            more = start + limit < len(matching)
            return {
                "items": page,
                "has_more": more,
                "pagination_key": str(start + limit) if more else None,
            }

    @contextmanager
    def serve(self) -> Iterator[FakeRetell]:
        """Serve on a free 127.0.0.1 port for the block; ``base_url`` points at it."""
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        server = uvicorn.Server(uvicorn.Config(self.app(), log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            yield self
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()


def _meta(**ids: str) -> dict[str, Any]:
    return {**ids, "version": 0, "last_modification_timestamp": int(time.time() * 1000)}


def _list_item(agent: dict[str, Any]) -> dict[str, Any]:
    return {
        "agent_id": agent["agent_id"],
        "agent_name": agent.get("agent_name") or "",
        "channel": agent.get("channel", "voice"),
        "is_suspended": False,
        "tags": {},
        "user_modified_timestamp": agent["last_modification_timestamp"],
    }


def _not_found() -> JSONResponse:
    return JSONResponse({"error_message": "Not found"}, status_code=404)
