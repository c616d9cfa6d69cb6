"""A burst of simultaneous voice calls against a real server on PostgreSQL (issue 11, item 10).

Starts ``frontdesk serve`` on a fresh PostgreSQL database (as bench/voice.py does), warms it up
with a few calls, then sends ``--burst`` signed ``check_availability`` requests at the same
moment, each on its own connection and call. Every answer must leave before the 2.5 s deadline:
calls beyond the in-flight bound are answered at once with the apology (``overloaded``), the
others are served. After the burst, single calls show how soon service is normal again.

With ``--rate R`` it runs the sustained step of issue 13 instead: ``R`` calls per second for
``--seconds`` (default twice the sustainable 100 fn/s, two HTTP workers as in bench/voice.py),
then a light load (``--recovery-rate``) in one-second buckets, to show how soon latency is back
to normal once the flood stops.

Prints p50/p95/p99/max and the answers by kind, and writes its section of docs/benchmarks.md.

    .venv/bin/python bench/overload.py                  # 600 at once, writes docs/benchmarks.md
    .venv/bin/python bench/overload.py --burst 200 --no-write
    .venv/bin/python bench/overload.py --rate 200       # 30 s at 200 fn/s, then recovery
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
# "Normal" after the flood: the check_availability p95 target of bench/voice.py.
NORMAL_P95_MS = 50.0
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


async def paced(
    client: aiohttp.ClientSession, url: str, rate: float, seconds: float, first_day: int
) -> list[tuple[float, float, str]]:
    """``rate`` calls per second for ``seconds``, each sent on time whether or not the earlier
    ones have been answered (a fixed arrival rate, as Retell's callers do not wait for us).
    Answers ``(sent at, ms, kind)`` with ``sent at`` in seconds from the start."""
    began = time.perf_counter()
    tasks: list[asyncio.Task[tuple[float, str]]] = []
    sent: list[float] = []
    for i in range(int(rate * seconds)):
        at = i / rate
        delay = began + at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        body = body_for(next_weekday(first_day + i % 7), 9 + i % 8)
        sent.append(time.perf_counter() - began)
        tasks.append(asyncio.create_task(one(client, url, body)))
    results = await asyncio.gather(*tasks)
    return [(at, ms, kind) for at, (ms, kind) in zip(sent, results, strict=True)]


async def sustained(
    url: str, rate: float, seconds: float, recovery_rate: float, recovery_seconds: int
) -> tuple[list[tuple[float, float, str]], list[tuple[float, float, str]]]:
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:
        for hour in (10, 11, 12):
            await one(client, url, body_for(next_weekday(2), hour))
        flood_task = asyncio.create_task(paced(client, url, rate, seconds, 1))
        # The recovery load starts when the flood stops sending, not when its last answer
        # arrives: how long the backlog lingers is what this step measures.
        await asyncio.sleep(seconds)
        recovery = await paced(client, url, recovery_rate, recovery_seconds, 8)
        flood = await flood_task
    return flood, recovery


def sustained_report(
    rate: float,
    seconds: float,
    bound: int,
    flood: list[tuple[float, float, str]],
    recovery: list[tuple[float, float, str]],
) -> str:
    latencies = [ms for _, ms, _ in flood]
    kinds = Counter(kind for _, _, kind in flood)
    late = sum(1 for ms in latencies if ms > DEADLINE_MS)
    buckets: dict[int, list[float]] = {}
    for at, ms, _ in recovery:
        buckets.setdefault(int(at), []).append(ms)
    p95s = [
        percentile(buckets[s], 95) if len(buckets[s]) > 1 else buckets[s][0]
        for s in sorted(buckets)
    ]
    normal_after = next(
        (s for s in range(len(p95s)) if all(p <= NORMAL_P95_MS for p in p95s[s:])), None
    )
    served = [ms for _, ms, kind in flood if kind == "served"]
    rows = [
        f"{rate:g} signed `check_availability` calls per second for {seconds:g} s (twice the "
        "sustainable rate of bench/voice.py) at a fixed arrival rate, `frontdesk serve "
        f"--workers 2` plus one job worker on PostgreSQL, {platform.machine()}, Python "
        f"{platform.python_version()}, in-flight bound {bound} per process and the loop-lag "
        f"limit of `FRONTDESK_VOICE_MAX_LOOP_LAG_MS`; latency measured by the client (aiohttp, "
        f"on the same two cores); load average {os.getloadavg()[0]:.1f} at the end.",
        "",
        "| calls | p50 ms | p95 ms | p99 ms | max ms | later than 2.5 s | served p95 ms |",
        "|---|---|---|---|---|---|---|",
        f"| {len(latencies)} | {percentile(latencies, 50):.0f} | {percentile(latencies, 95):.0f} | "
        f"{percentile(latencies, 99):.0f} | {max(latencies):.0f} | {late} | "
        f"{percentile(served, 95) if len(served) > 1 else float('nan'):.0f} |",
        "",
        "Answers: " + ", ".join(f"{kind} {count}" for kind, count in kinds.most_common()) + ".",
        "",
        "After the flood, p95 per second of the recovery load: "
        + ", ".join(f"{p:.0f}" for p in p95s)
        + " ms; "
        + (
            f"back under {NORMAL_P95_MS:.0f} ms (and staying there) after {normal_after} s."
            if normal_after is not None
            else f"not back under {NORMAL_P95_MS:.0f} ms within {len(p95s)} s."
        ),
        "",
        "Command: `.venv/bin/python bench/overload.py --rate 200`.",
    ]
    return "\n".join(["## Overload: twice the sustainable rate, then recovery", "", *rows])


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
    parser.add_argument(
        "--rate", type=float, default=None, help="sustained calls/s instead of one burst"
    )
    parser.add_argument(
        "--max-loop-lag-ms", type=int, default=None, help="FRONTDESK_VOICE_MAX_LOOP_LAG_MS (0: off)"
    )
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--recovery-rate", type=float, default=10.0)
    parser.add_argument("--recovery-seconds", type=int, default=15)
    parser.add_argument("--no-write", action="store_true")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.max_in_flight is not None:
        os.environ["FRONTDESK_VOICE_MAX_IN_FLIGHT"] = str(args.max_in_flight)
    if args.max_loop_lag_ms is not None:
        os.environ["FRONTDESK_VOICE_MAX_LOOP_LAG_MS"] = str(args.max_loop_lag_ms)
    bound = args.max_in_flight or Settings().voice_max_in_flight
    if args.rate is not None:
        return main_sustained(args, bound)
    database = create_database()
    server: Server = start_server(database, args.port)
    try:
        latencies, kinds, after = asyncio.run(burst(server.url, args.burst))
    finally:
        stop_server(server)
        drop_database(database)
    text = report(args.burst, bound, latencies, kinds, after)
    print(text)
    if not args.no_write:
        write_section(BENCHMARKS, "overload", text)
    late = sum(1 for ms in latencies if ms > DEADLINE_MS)
    return 1 if late else 0


def main_sustained(args: argparse.Namespace, bound: int) -> int:
    database = create_database()
    server: Server = start_server(database, args.port, workers=2)
    try:
        flood, recovery = asyncio.run(
            sustained(
                server.url, args.rate, args.seconds, args.recovery_rate, args.recovery_seconds
            )
        )
    finally:
        stop_server(server)
        drop_database(database)
    text = sustained_report(args.rate, args.seconds, bound, flood, recovery)
    print(text)
    if not args.no_write:
        write_section(BENCHMARKS, "overload-sustained", text)
    late = sum(1 for _, ms, _ in flood + recovery if ms > DEADLINE_MS)
    return 1 if late else 0


if __name__ == "__main__":
    sys.exit(main())
