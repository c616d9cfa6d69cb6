"""``frontdesk dev calcom-emulator``: run the emulator on a port (development only)."""

from __future__ import annotations

import uvicorn
from rich.console import Console

from frontdesk.calendars.calcom.emulator.app import create_emulator_app
from frontdesk.calendars.calcom.emulator.ratelimit import RateLimitConfig
from frontdesk.calendars.calcom.emulator.seed import SEEDS
from frontdesk.calendars.calcom.emulator.state import EmulatorState


class UnknownSeed(ValueError):
    pass


def build_state(seed: str, api_key: str, rate_window: float = 60.0) -> EmulatorState:
    """``rate_window``: seconds of the throttler's window and block (Cal.com: 60); shorter
    makes a 429's wait short enough for a test."""
    factory = SEEDS.get(seed)
    if factory is None:
        raise UnknownSeed(f"unknown seed {seed!r}; known: {', '.join(sorted(SEEDS))}")
    limit = RateLimitConfig(window_seconds=rate_window, block_seconds=rate_window)
    return EmulatorState(factory(), api_keys=(api_key,), rate_limit=limit)


def serve(
    *,
    host: str,
    port: int,
    seed: str,
    api_key: str,
    webhook_delivery: bool,
    console: Console,
    rate_window: float = 60.0,
) -> None:
    state = build_state(seed, api_key, rate_window)
    base_url = f"http://{host}:{port}"
    console.print(f"Cal.com emulator ({seed} seed) — development only, never expose it.")
    console.print(f"base URL: {base_url}")
    console.print(f"API key:  {api_key}")
    for team in state.catalogue.teams:
        console.print(f"team:     {team.name} (id {team.id})")
    for kind in state.catalogue.event_types:
        console.print(f"  event type {kind.id}: {kind.title} ({kind.length} min)")
    console.print(f"admin:    {base_url}/_emulator/state, {base_url}/_emulator/docs")
    if not webhook_delivery:
        console.print("webhook delivery: off")
    app = create_emulator_app(state, webhook_delivery=webhook_delivery)
    uvicorn.run(app, host=host, port=port)
