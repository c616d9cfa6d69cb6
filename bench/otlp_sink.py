"""An OTLP/HTTP trace receiver as its own process, for bench/tracing.py: decoding the exports
(as a collector does) must not take the load generator's CPU and event loop, or the traced
server's latencies would look worse than they are. Prints its base URL on the first line; on
SIGTERM prints the number of spans it received and exits."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.otlp_support import otlp_receiver


def main() -> int:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with otlp_receiver() as (endpoint, received):
        print(endpoint, flush=True)
        stop.wait()
        print(received.count(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
