"""The web app for the browser tests: ``python server_script.py DATABASE_URL PORT``.

A real uvicorn server on the suite's fixed instant (tests/clock_support.py ``NOW``), so what the
browser sees never depends on the day the tests run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.clock_support import START
from tests.e2e_support import RETELL_KEY

from frontdesk.app import create_app
from frontdesk.settings import Settings


def main(database_url: str, port: int) -> None:
    settings = Settings(
        database_url=database_url,
        embedded_worker=False,
        # The browser test of "a phone booking appears without reload" waits for one poll.
        web_poll_seconds=1,
        log_level="WARNING",
        retell_api_key=RETELL_KEY,
    )
    app = create_app(settings, clock=lambda: START)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
