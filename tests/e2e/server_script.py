"""The web app for the browser tests: ``python server_script.py DATABASE_URL PORT``.

A real uvicorn server on the suite's fixed instant (tests/clock_support.py ``NOW``), so what the
browser sees never depends on the day the tests run.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.clock_support import START
from tests.e2e_calls_support import VOICE_DEADLINE_S
from tests.e2e_support import LINK_KEY, RETELL_KEY

from frontdesk.app import create_app
from frontdesk.settings import Settings


def main(database_url: str, port: int) -> None:
    settings = Settings(
        database_url=database_url,
        embedded_worker=False,
        # The browser test of "a phone booking appears without reload" waits for one poll.
        web_poll_seconds=1,
        log_level="WARNING",
        # The browser test of "a simulated call" signs its Retell requests with this key.
        retell_api_key=RETELL_KEY,
        # What a call shows is tested, not the overload guard: a loaded CI machine lags.
        voice_max_loop_lag_ms=0,
        # The browser test of the reminder unsubscribe page signs its links with this key.
        link_key=LINK_KEY,
    )
    app = create_app(settings, clock=lambda: START)
    started = app.router.lifespan_context

    @asynccontextmanager
    async def generous_voice_deadline(app_: Any) -> AsyncIterator[None]:
        # The browser tests check what a call shows, not how fast the agent was answered:
        # under libfaketime on a loaded machine the 2.5 s deadline is missed (as in the voice
        # tests, tests/voice_support.py).
        async with started(app_):
            app_.state.voice.functions.deadline = VOICE_DEADLINE_S
            # And a call event is answered once written: the page is opened right after.
            app_.state.voice.event_writes.answer_s = VOICE_DEADLINE_S
            yield

    app.router.lifespan_context = generous_voice_deadline
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
