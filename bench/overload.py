"""A burst of simultaneous voice calls against a real server on PostgreSQL (issue 11, item 10).

Starts ``frontdesk serve`` on a fresh PostgreSQL database (as bench/voice.py does), warms it up
with a few calls, then sends ``--burst`` signed ``check_availability`` requests at the same
moment, each on its own connection and call. Every answer must leave before the 2.5 s deadline:
calls beyond the in-flight bound are answered at once with the apology (``overloaded``), the
others are served. After the burst, single calls show how soon service is normal again.

Prints p50/p95/p99/max and the answers by kind, and writes its section of docs/benchmarks.md.

    .venv/bin/python bench/overload.py                  # 600 at once, writes docs/benchmarks.md
    .venv/bin/python bench/overload.py --burst 200 --no-write
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import aiohttp
from benchreport import BENCHMARKS, write_section
from voice import KEY, Server, create_database, drop_database, start_server, stop_server

from frontdesk import demo
from frontdesk.settings import Settings
from frontdesk.voice.signature import sign

DEADLINE_MS = 2500.0
PATH = "/retell/functions/check_availability"


def body_for(day: date, hour: int) -> bytes:
    payload = {
        "name": "check_availability",
        "args": {"service": "Herrenhaarschnitt", "date": day.isoformat(), "time": f"{hour}:00"},
        "call": {
            "call_id": f"burst_{uuid.uuid4().hex}",
            "to_number": demo.PHONE_NUMBER,
            "from_number": f"+49151{uuid.uuid4().int % 10**8:08d}",
        },
    }
    return json.dumps(payload).encode()


def next_weekday(offset: int) -> date:
    day = date.today() + timedelta(days=offset)
    while day.weekday() in (0, 6):  # the salon is closed on Sunday and Monday
        day += timedelta(days=1)
    return day


async def one(client: aiohttp.ClientSession, url: str, body: bytes) -> tuple[float, str]:
    headers = {
        "X-Retell-Signature": sign(body, KEY, int(time.time() * 1000)),
        "Content-Type": "application/json",
    }
    began = time.perf_counter()
    try:
        async with client.post(url + PATH, data=body, headers=headers) as response:
            raw = await response.read()
            status = response.status
    except (aiohttp.ClientError, TimeoutError) as error:
        return (time.perf_counter() - began) * 1000, type(error).__name__
    ms = (time.perf_counter() - began) * 1000
    if status != 200:
        return ms, f"http_{status}"
    answer: dict[str, Any] = json.loads(raw)
    kind = answer.get("reason") if answer.get("status") == "error" else "served"
    return ms, str(kind)


def percentile(values: list[float], q: int) -> float:
    ordered = sorted(values)
    return statistics.quantiles(ordered, n=100, method="inclusive")[q - 1]


async def burst(url: str, size: int) -> tuple[list[float], Counter[str], list[float]]:
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:
        for hour in (10, 11, 12):  # warm-up: catalogue and day caches, connections
            await one(client, url, body_for(next_weekday(2), hour))
        bodies = [body_for(next_weekday(1 + i % 7), 9 + i % 8) for i in range(size)]
        start = asyncio.Event()

        async def fire(body: bytes) -> tuple[float, str]:
            await start.wait()
            return await one(client, url, body)

        tasks = [asyncio.create_task(fire(b)) for b in bodies]
        await asyncio.sleep(0.5)  # every task waits at the start line
        start.set()
        results = await asyncio.gather(*tasks)
        after = [(await one(client, url, body_for(next_weekday(3), 14)))[0] for _ in range(10)]
    return [ms for ms, _ in results], Counter(kind for _, kind in results), after


def report(
    size: int, bound: int, latencies: list[float], kinds: Counter[str], after: list[float]
) -> str:
    late = sum(1 for ms in latencies if ms > DEADLINE_MS)
    rows = [
        f"{size} simultaneous `check_availability` calls on PostgreSQL, one `frontdesk serve` "
        f"process, {platform.machine()} with {platform.processor() or 'unknown CPU'}, "
        f"Python {platform.python_version()}, in-flight bound {bound}; latency measured by the "
        "client (aiohttp, one connection per call), so it includes the client's own CPU time.",
        "",
        "| p50 ms | p95 ms | p99 ms | max ms | later than 2.5 s |",
        "|---|---|---|---|---|",
        f"| {percentile(latencies, 50):.0f} | {percentile(latencies, 95):.0f} | "
        f"{percentile(latencies, 99):.0f} | {max(latencies):.0f} | {late} |",
        "",
        "Answers: " + ", ".join(f"{kind} {count}" for kind, count in kinds.most_common()) + ".",
        "",
        "The next 10 single calls after the burst: "
        + ", ".join(f"{ms:.0f}" for ms in after)
        + " ms.",
        "",
        "`served` is a normal answer (free, alternatives); `overloaded` the immediate apology "
        "of a call beyond the in-flight bound (`voice.gateway.MAX_IN_FLIGHT`); `timeout` an "
        "admitted call that hit the deadline. Command: `.venv/bin/python bench/overload.py`.",
    ]
    return "\n".join(["## Overload: a burst of voice calls", "", *rows])


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=600)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument(
        "--max-in-flight", type=int, default=None, help="FRONTDESK_VOICE_MAX_IN_FLIGHT"
    )
    parser.add_argument("--no-write", action="store_true")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.max_in_flight is not None:
        os.environ["FRONTDESK_VOICE_MAX_IN_FLIGHT"] = str(args.max_in_flight)
    database = create_database()
    server: Server = start_server(database, args.port)
    try:
        latencies, kinds, after = asyncio.run(burst(server.url, args.burst))
    finally:
        stop_server(server)
        drop_database(database)
    bound = args.max_in_flight or Settings().voice_max_in_flight
    text = report(args.burst, bound, latencies, kinds, after)
    print(text)
    if not args.no_write:
        write_section(BENCHMARKS, "overload", text)
    late = sum(1 for ms in latencies if ms > DEADLINE_MS)
    return 1 if late else 0


if __name__ == "__main__":
    sys.exit(main())
