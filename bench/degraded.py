"""Voice traffic while the database goes away, hangs and comes back (issue 13 item 3).

Starts ``frontdesk serve`` on a fresh PostgreSQL database reached through a TCP proxy this
script controls (in a thread of its own), then sends rounds of signed ``check_availability``
calls (``--calls`` per phase, ``--concurrency`` at a time) in four phases: normal; database
gone (the proxy closed: connections reset, new ones refused); back (the proxy listening
again); database hung (the proxy swallowing every byte). In each phase it also asks the
inbound webhook, a call event and /readyz once. The shared PostgreSQL is never stopped.

Every voice answer must be HTTP 200 within the 2.5 s deadline; the script exits non-zero
otherwise. Prints a table per phase and writes its section of docs/benchmarks.md.

    .venv/bin/python bench/degraded.py                  # writes docs/benchmarks.md
    .venv/bin/python bench/degraded.py --calls 100 --no-write
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import platform
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from benchreport import BENCHMARKS, write_section
from overload import body_for, next_weekday
from voice import KEY, PG, Server, create_database, drop_database, start_server, stop_server

from frontdesk import demo
from frontdesk.voice.signature import sign

DEADLINE_MS = 2500.0
_OTHERS = ("inbound", "event", "readyz")


class Proxy:
    """127.0.0.1:<port> → PostgreSQL, run on its own event loop in a thread; ``close`` resets
    every connection and stops listening, ``open`` listens again, ``hang`` swallows bytes."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self.hanging = False
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self._pipes: set[asyncio.Task[None]] = set()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    def open(self) -> None:
        self.hanging = False
        self._call(self._open())

    def close(self) -> None:
        self._call(self._close())

    def hang(self) -> None:
        self.hanging = True

    async def _open(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in self._writers:
            writer.close()
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        if self.hanging:
            return
        up_reader, up_writer = await asyncio.open_connection(PG["host"], PG["port"])
        self._writers.append(up_writer)
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await source.read(65536):
                if not self.hanging:
                    sink.write(data)
                    await sink.drain()


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    others: dict[str, tuple[int, float]] = field(default_factory=dict)

    def late(self) -> int:
        return sum(1 for ms in self.latencies if ms > DEADLINE_MS)


def _signed(body: bytes) -> dict[str, str]:
    return {
        "X-Retell-Signature": sign(body, KEY, int(time.time() * 1000)),
        "Content-Type": "application/json",
    }


async def _post(client: aiohttp.ClientSession, url: str, body: bytes) -> tuple[int, float, Any]:
    began = time.perf_counter()
    async with client.post(url, data=body, headers=_signed(body)) as response:
        raw = await response.read()
        status = response.status
    ms = (time.perf_counter() - began) * 1000
    return status, ms, json.loads(raw) if raw else None


async def _function(client: aiohttp.ClientSession, url: str, phase: Phase, i: int) -> None:
    body = body_for(next_weekday(1 + i % 7), 9 + i % 8)
    status, ms, answer = await _post(client, f"{url}/retell/functions/check_availability", body)
    phase.latencies.append(ms)
    if status != 200:
        phase.kinds[f"http_{status}"] += 1
    else:
        phase.kinds[answer.get("reason") if answer.get("status") == "error" else "served"] += 1


async def _others(client: aiohttp.ClientSession, url: str, phase: Phase) -> None:
    caller = {"to_number": demo.PHONE_NUMBER, "from_number": "+4915112345678"}
    inbound = json.dumps({"event": "call_inbound", "call_inbound": caller}).encode()
    status, ms, _ = await _post(client, f"{url}/retell/inbound", inbound)
    phase.others["inbound"] = (status, ms)
    call = {"call_id": f"ev_{uuid.uuid4().hex}", "call_status": "ongoing", **caller}
    event = json.dumps({"event": "call_started", "call": call}).encode()
    status, ms, _ = await _post(client, f"{url}/retell/events", event)
    phase.others["event"] = (status, ms)
    began = time.perf_counter()
    async with client.get(f"{url}/readyz") as response:
        await response.read()
        phase.others["readyz"] = (response.status, (time.perf_counter() - began) * 1000)


async def _phase(url: str, name: str, calls: int, concurrency: int) -> Phase:
    phase = Phase(name)
    gate = asyncio.Semaphore(concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as client:

        async def one(i: int) -> None:
            async with gate:
                await _function(client, url, phase, i)

        await asyncio.gather(*(one(i) for i in range(calls)))
        await _others(client, url, phase)
    return phase


async def run(url: str, proxy: Proxy, calls: int, concurrency: int) -> list[Phase]:
    phases = [await _phase(url, "normal", calls, concurrency)]
    proxy.close()
    phases.append(
        await _phase(url, "database gone (connections reset, refused)", calls, concurrency)
    )
    proxy.open()
    await asyncio.sleep(1.5)  # one probe per second while an outage is suspected
    phases.append(await _phase(url, "database back", calls, concurrency))
    proxy.hang()
    phases.append(await _phase(url, "database hung (no byte answered)", calls, concurrency))
    proxy.close()
    return phases


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(sorted(values), n=100, method="inclusive")[q - 1]


def report(phases: list[Phase], calls: int, concurrency: int) -> str:
    rows = [
        "| phase | p50 ms | p95 ms | max ms | later than 2.5 s | answers | inbound | event | "
        "/readyz |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for p in phases:
        answers = ", ".join(f"{kind} {n}" for kind, n in p.kinds.most_common())
        other = [
            f"{p.others[k][0]} in {p.others[k][1]:.0f} ms" for k in ("inbound", "event", "readyz")
        ]
        rows.append(
            f"| {p.name} | {_pct(p.latencies, 50):.0f} | {_pct(p.latencies, 95):.0f} | "
            f"{max(p.latencies):.0f} | {p.late()} | {answers} | " + " | ".join(other) + " |"
        )
    intro = (
        f"{calls} signed `check_availability` calls per phase, {concurrency} at a time, one "
        f"`frontdesk serve` process on PostgreSQL reached through a TCP proxy the script "
        f"controls; {platform.machine()}, Python {platform.python_version()}; latency measured "
        "by the client (aiohttp). `served` is a normal answer, `database_unavailable` the "
        "apology without waiting (the outage is known), `timeout` the apology at the deadline "
        "(work stuck in the driver). Command: `.venv/bin/python bench/degraded.py`."
    )
    return "\n".join(["## Degraded modes: the database gone, back and hung", "", intro, "", *rows])


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--port", type=int, default=8792)
    parser.add_argument("--no-write", action="store_true")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    database = create_database()
    proxy = Proxy()
    proxy.open()
    server: Server = start_server(database, args.port, database_port=proxy.port)
    try:
        phases = asyncio.run(run(server.url, proxy, args.calls, args.concurrency))
    finally:
        proxy.close()
        stop_server(server)
        drop_database(database)
    text = report(phases, args.calls, args.concurrency)
    print(text)
    if not args.no_write:
        write_section(BENCHMARKS, "degraded", text)
    failed = any(p.late() or any(k.startswith("http_") for k in p.kinds) for p in phases)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
