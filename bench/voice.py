"""Voice API under load: simulated Retell calls against a real server on PostgreSQL.

Creates a fresh PostgreSQL database, seeds the demo salon (``frontdesk demo``), starts
``frontdesk serve`` as a subprocess with ``FRONTDESK_RETELL_API_KEY`` set, and drives it over
loopback with signed requests (aiohttp, keep-alive connections). Each simulated call is: inbound
webhook → ``check_availability`` (a random day and time) → ``book_appointment`` (the offered
``slot_id``, or the first alternative) → ``find_appointments`` → ``cancel_appointment``, back to
back. Calls start at a fixed arrival rate, so function calls arrive at (calls/s × 4) per second
whatever the latency.
Bookings are cancelled again, so the calendar never fills up during a run.

Reports p50/p95/p99 per function at the target rate, then steps the rate up to find the highest
one that still meets the targets, and writes its section of docs/benchmarks.md.

    .venv/bin/python bench/voice.py                 # full run, writes docs/benchmarks.md
    .venv/bin/python bench/voice.py --seconds 10 --no-write
    .venv/bin/python bench/voice.py --calendar calcom   # the branch's calendar in Cal.com

With ``--calendar calcom`` the branch's calendar is the Cal.com emulator (bench/calcom_mode.py):
Cal.com-like latency on every request, the demo tenant linked with ``frontdesk calcom connect``,
measurement only after the availability mirror covers the days the calls ask about. Bookings
then write to Cal.com within the voice deadline, so book_appointment's target is the 2.5 s
deadline there; availability and inbound keep theirs. Its own section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import calcom_mode
import httpx
import psycopg
from benchreport import write_section

from frontdesk import demo
from frontdesk.voice.signature import sign

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "benchmarks.md"
KEY = "bench-retell-key"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
FUNCTIONS_PER_CALL = 4
# Targets on the reference 2-core machine (issue 6): p95 in milliseconds at 100 function calls/s.
TARGETS = {"check_availability": 50.0, "book_appointment": 100.0, "inbound": 30.0}
# In Cal.com mode a booking is written to Cal.com (300-1,500 ms) within the call's deadline:
# what must hold for the booking is an answer within the 2.5 s voice deadline.
CALCOM_TARGETS = {**TARGETS, "book_appointment": 2500.0}
# The calls ask for days 1..49 ahead (Caller.run); in Cal.com mode the mirror must cover them.
FIRST_DAY, LAST_DAY = 1, 49
TARGET_RATE = 100
REQUEST_TIMEOUT_S = 10.0
SERVICES = ("Herrenhaarschnitt", "Damenhaarschnitt", "Waschen & Föhnen", "Beratung")


@dataclass
class Samples:
    """Client-side latencies in ms per endpoint, and the statuses seen."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    failures: int = 0
    completed_functions: int = 0

    def add(self, name: str, ms: float, status: str) -> None:
        self.latencies[name].append(ms)
        self.statuses[name][status] += 1
        if name != "inbound":
            self.completed_functions += 1

    def percentile(self, name: str, q: int) -> float:
        values = sorted(self.latencies.get(name, []))
        if not values:
            return float("nan")
        if len(values) == 1:
            return values[0]
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    database: str
    # With several HTTP workers the job worker runs as its own ``frontdesk worker`` process.
    job_worker: subprocess.Popen[bytes] | None = None


def _admin() -> psycopg.Connection[tuple[Any, ...]]:
    return psycopg.connect(**PG, dbname="postgres", autocommit=True, connect_timeout=3)  # type: ignore[arg-type]


def create_database() -> str:
    name = f"frontdesk_bench_voice_{uuid.uuid4().hex[:8]}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_database(name: str) -> None:
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(
    database: str,
    redis_url: str | None = None,
    database_port: int | None = None,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """``database_port``: reach the database through another port (bench/degraded.py's proxy);
    ``extra``: more variables (bench/tracing.py's OTLP endpoint)."""
    db_port = database_port or PG["port"]
    env = {
        **os.environ,
        **(extra or {}),
        "FRONTDESK_DATABASE_URL": f"postgresql+psycopg://{PG['user']}@{PG['host']}:{db_port}/{database}",
        "FRONTDESK_RETELL_API_KEY": KEY,
        "FRONTDESK_LOG_LEVEL": "WARNING",
    }
    if redis_url:
        env["FRONTDESK_REDIS_URL"] = redis_url
    return env


CLI = str(Path(sys.executable).parent / "frontdesk")


def start_server(
    database: str,
    port: int,
    workers: int = 1,
    emulator: calcom_mode.Emulator | None = None,
    logs: Path | None = None,
    redis_url: str | None = None,
    database_port: int | None = None,
    extra_env: dict[str, str] | None = None,
) -> Server:
    """Seed the demo, link it to ``emulator`` when given, then serve (and a job worker)."""
    env = server_env(database, redis_url, database_port, extra_env)
    cli = CLI
    subprocess.run([cli, "demo"], env=env, check=True, capture_output=True)
    if emulator is not None:
        calcom_mode.connect(cli, env, emulator, f"http://127.0.0.1:{port}")
    process = subprocess.Popen(
        [cli, "serve", "--port", str(port), "--no-demo", "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=_log_file(logs, "serve.log"),
        start_new_session=True,  # its own process group: stop_server can end the workers too
    )
    job_worker = None
    if workers > 1:
        job_worker = subprocess.Popen(
            [cli, "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=_log_file(logs, "worker.log"),
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return Server(process, url, database, job_worker)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    if job_worker is not None:
        job_worker.kill()
    raise RuntimeError("frontdesk serve did not become healthy within 30 s")


def _log_file(logs: Path | None, name: str) -> Any:
    """Where a subprocess's log goes: a file under ``--logs`` (warnings and errors), or nowhere."""
    if logs is None:
        return subprocess.DEVNULL
    logs.mkdir(parents=True, exist_ok=True)
    return (logs / name).open("ab")


def stop_server(server: Server) -> None:
    for process in (server.process, server.job_worker):
        if process is None:
            continue
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            # Also the uvicorn worker processes, which would otherwise be left behind.
            os.killpg(process.pid, signal.SIGKILL) if process is server.process else process.kill()
            process.wait()


class Caller:
    """One simulated phone call: its own caller ID and Retell call id."""

    def __init__(
        self,
        client: aiohttp.ClientSession,
        samples: Samples,
        rng: random.Random,
        book_share: float = 1.0,
    ) -> None:
        self.client, self.samples, self.rng = client, samples, rng
        # The share of calls that book (and cancel again); the others ask twice more and look
        # their appointments up, so every call is still FUNCTIONS_PER_CALL functions.
        self.books = rng.random() < book_share
        self.call_id = f"bench_{uuid.uuid4().hex}"
        self.phone = f"+49151{rng.randrange(10**7, 10**8)}"

    async def post(self, path: str, payload: dict[str, Any], label: str) -> dict[str, Any] | None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = {
            "X-Retell-Signature": sign(body, KEY, int(time.time() * 1000)),
            "Content-Type": "application/json",
        }
        began = time.perf_counter()
        try:
            async with self.client.post(path, data=body, headers=headers) as response:
                raw = await response.read()
                status_code = response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            self.samples.failures += 1
            self.samples.statuses[label][type(error).__name__] += 1
            return None
        ms = (time.perf_counter() - began) * 1000
        if status_code != 200:
            self.samples.failures += 1
            self.samples.add(label, ms, f"http_{status_code}")
            return None
        answer: dict[str, Any] = json.loads(raw)
        status = answer.get("status", "ok") if label != "inbound" else "ok"
        if status == "error" and answer.get("reason"):
            status = f"error ({answer['reason']})"  # why: overloaded, deadline, …
        self.samples.add(label, ms, str(status))
        return answer

    async def fn(self, name: str, args: dict[str, Any]) -> dict[str, Any] | None:
        call = {
            "call_id": self.call_id,
            "from_number": self.phone,
            "to_number": demo.PHONE_NUMBER,
            "call_type": "phone_call",
        }
        payload = {"name": name, "args": args, "call": call}
        return await self.post(f"/retell/functions/{name}", payload, name)

    async def run(self) -> None:
        inbound = {"from_number": self.phone, "to_number": demo.PHONE_NUMBER}
        await self.post(
            "/retell/inbound", {"event": "call_inbound", "call_inbound": inbound}, "inbound"
        )
        day = date.today() + timedelta(days=self.rng.randrange(1, 50))
        hour, minute = self.rng.randrange(9, 17), self.rng.choice((0, 15, 30, 45))
        checked = await self.fn(
            "check_availability",
            {
                "service": self.rng.choice(SERVICES),
                "date": day.isoformat(),
                "time": f"{hour:02d}:{minute:02d}",
            },
        )
        offered = (checked or {}).get("slots") or []
        if not self.books:
            await self.fn(
                "check_availability",
                {"service": self.rng.choice(SERVICES), "date": day.isoformat()},
            )
            later = f"{self.rng.randrange(9, 17):02d}:{self.rng.choice((0, 15, 30, 45)):02d}"
            await self.fn(
                "check_availability",
                {"service": self.rng.choice(SERVICES), "date": day.isoformat(), "time": later},
            )
            await self.fn("find_appointments", {})
            return
        if not offered:
            return
        booked = await self.fn(
            "book_appointment", {"slot_id": offered[0]["slot_id"], "customer_name": "Bench Kundin"}
        )
        await self.fn("find_appointments", {})
        appointment = (booked or {}).get("appointment")
        if appointment:
            await self.fn(
                "cancel_appointment", {"appointment_id": appointment["id"], "accept_fee": True}
            )


async def drive(
    url: str, rate: float, seconds: float, seed: int, book_share: float = 1.0
) -> tuple[Samples, float]:
    """Start calls at ``rate`` function calls/s for ``seconds``; wait for all to finish."""
    samples = Samples()
    rng = random.Random(seed)
    calls_per_s = rate / FUNCTIONS_PER_CALL
    # aiohttp, not httpx: on a 2-core machine the load generator shares the CPUs with the
    # server, and aiohttp needs about a third of httpx's CPU per request.
    connector = aiohttp.TCPConnector(limit=400)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as client:
        tasks: list[asyncio.Task[None]] = []
        began = time.perf_counter()
        count = int(calls_per_s * seconds)
        for index in range(count):
            delay = began + index / calls_per_s - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(Caller(client, samples, rng, book_share).run()))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - began
    return samples, elapsed


def meets_targets(
    samples: Samples, offered: float, elapsed: float, targets: dict[str, float] = TARGETS
) -> bool:
    achieved = samples.completed_functions / elapsed
    return (
        samples.failures == 0
        and achieved >= 0.9 * offered
        and all(samples.percentile(name, 95) <= limit for name, limit in targets.items())
    )


def table(samples: Samples, targets: dict[str, float] = TARGETS) -> list[str]:
    rows = [
        "| endpoint | requests | p50 ms | p95 ms | p99 ms | target p95 | statuses |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    order = (
        "inbound",
        "check_availability",
        "book_appointment",
        "find_appointments",
        "cancel_appointment",
    )
    for name in order:
        values = samples.latencies.get(name, [])
        target = f"≤ {targets[name]:.0f}" if name in targets else "–"
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(samples.statuses[name].items()))
        rows.append(
            f"| {name} | {len(values)} | {samples.percentile(name, 50):.1f} | "
            f"{samples.percentile(name, 95):.1f} | {samples.percentile(name, 99):.1f} | "
            f"{target} | {statuses} |"
        )
    return rows


@dataclass(frozen=True)
class Mode:
    """What differs between the calendars in the report: heading, targets, extra lines."""

    calendar: str = "builtin"
    targets: dict[str, float] = field(default_factory=lambda: dict(TARGETS))
    notes: tuple[str, ...] = ()
    command: str = ""


def section(
    main: Samples,
    main_elapsed: float,
    rate: float,
    seconds: float,
    steps: Sequence[tuple[float, Samples, float, bool]],
    workers: int = 1,
    mode: Mode | None = None,
) -> str:
    mode = mode or Mode()
    calcom = mode.calendar == "calcom"
    cpu = os.cpu_count()
    processes = (
        "one process, embedded job worker"
        if workers == 1
        else f"`--workers {workers}`, plus one `frontdesk worker` process for jobs"
    )
    heading = (
        "## Voice API, Cal.com mode (`bench/voice.py --calendar calcom`)"
        if calcom
        else "## Voice API (`bench/voice.py`)"
    )
    lines = [
        heading,
        "",
        f"`frontdesk serve` ({processes}) on PostgreSQL, {cpu} CPUs "
        f"({platform.machine()}, Python {platform.python_version()}); client on the same "
        "machine over loopback (aiohttp, async), requests signed like Retell's. Simulated calls "
        "= inbound → check_availability → book_appointment → find_appointments → "
        "cancel_appointment, started at a fixed arrival rate. Latencies are client-side.",
        "",
        *mode.notes,
        f"At **{rate:.0f} function calls/s** for {seconds:.0f} s "
        f"({main.completed_functions / main_elapsed:.0f} achieved, {main.failures} failures):",
        "",
        *table(main, mode.targets),
        "",
        "Rate steps (ascending, stopped at the first miss; sustainable = no failures, "
        "≥ 90 % of the offered rate achieved, every p95 target met):",
        "",
        "| offered fn/s | achieved fn/s | inbound p95 | check p95 | book p95 | failures | ok |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for offered, samples, elapsed, ok in steps:
        lines.append(
            f"| {offered:.0f} | {samples.completed_functions / elapsed:.0f} | "
            f"{samples.percentile('inbound', 95):.1f} | "
            f"{samples.percentile('check_availability', 95):.1f} | "
            f"{samples.percentile('book_appointment', 95):.1f} | {samples.failures} | "
            f"{'yes' if ok else 'no'} |"
        )
    sustainable = max((o for o, _, _, ok in steps if ok), default=0)
    at_least = "at least " if steps and all(ok for *_, ok in steps) else ""
    flag = f" --workers {workers}" if workers != 2 else ""
    reproduce = mode.command or f".venv/bin/python bench/voice.py{flag}"
    lines += [
        "",
        f"Highest sustainable rate: {at_least}**{sustainable:.0f} function calls/s**.",
        "",
        f"Reproduce: `{reproduce}` (needs PostgreSQL on 127.0.0.1).",
    ]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="function calls/s")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the main run")
    parser.add_argument(
        "--steps", default="20,40,60,80,100,120,140,160,180,200", help="rates to step through"
    )
    parser.add_argument("--step-seconds", type=float, default=10.0)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="frontdesk serve --workers (PostgreSQL); one per core",
    )
    parser.add_argument(
        "--book-share",
        type=float,
        default=None,
        help="share of calls that book and cancel (default 1; 0.02 with --calendar calcom: "
        "Cal.com allows 120 requests/min per key, a real salon books a few times a minute)",
    )
    parser.add_argument(
        "--calendar",
        choices=("builtin", "calcom"),
        default="builtin",
        help="the branch's calendar: built in, or Cal.com (the emulator)",
    )
    parser.add_argument(
        "--calcom-latency-ms",
        type=_latency,
        default=(300, 1500),
        metavar="MIN,MAX",
        help="Cal.com mode: the emulator's latency per request, uniform in [MIN, MAX] ms",
    )
    parser.add_argument("--emulator-port", type=int, default=8766, help="Cal.com mode")
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/8",
        help="Cal.com mode: FRONTDESK_REDIS_URL, so the server's processes and the job worker "
        "share one Cal.com rate budget and breaker ('' for none: each process has its own)",
    )
    parser.add_argument(
        "--drain-seconds",
        type=float,
        default=300.0,
        help="Cal.com mode: at most this long to wait for calendar.sync jobs after the run",
    )
    parser.add_argument(
        "--logs", type=Path, default=None, help="write the server's and worker's logs here"
    )
    parser.add_argument(
        "--keep-database", action="store_true", help="Cal.com mode: keep the bench database"
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    return parser.parse_args(argv)


def _latency(text: str) -> tuple[int, int]:
    low, high = (int(part) for part in text.split(","))
    if not 0 <= low <= high:
        raise argparse.ArgumentTypeError("MIN,MAX with 0 <= MIN <= MAX")
    return low, high


async def drain(server: Server, calendar_jobs: bool = True) -> None:
    """Wait until an overloaded server has worked off its backlog: health answers quickly and
    the job worker has caught up with the events of the previous run (it shares the CPUs).

    ``calendar_jobs=False`` (Cal.com mode) leaves calendar jobs out: their pace is Cal.com's
    rate limit, not this machine's, and they are waited for once, at the end."""
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        for _ in range(120):
            began = time.perf_counter()
            await client.get("/healthz")
            if (
                time.perf_counter() - began < 0.02
                and queued_jobs(server.database, calendar_jobs) == 0
            ):
                return
            await asyncio.sleep(1)


def share_text(given: float | None, default: float) -> str:
    return f"{given if given is not None else default:g}"


def queued_jobs(database: str, calendar_jobs: bool = True) -> int:
    sql = "SELECT count(*) FROM job WHERE state = 'queued'"
    if not calendar_jobs:
        sql += " AND kind NOT LIKE 'calendar.%'"
    with psycopg.connect(**PG, dbname=database, autocommit=True) as connection:  # type: ignore[arg-type]
        row = connection.execute(sql).fetchone()
    return int(row[0]) if row else 0


async def run(
    args: argparse.Namespace, server: Server, mode: Mode
) -> tuple[Samples, float, list[tuple[float, Samples, float, bool]]]:
    calendar_jobs = mode.calendar == "builtin"
    share = args.book_share
    if share is None:
        share = 0.02 if mode.calendar == "calcom" else 1.0
    await drive(server.url, 20, 3, seed=0, book_share=share)  # warm caches and connections
    # The target rate first, on a calm server; then rates ascending, each after the previous
    # backlog is gone, up to the first miss.
    await drain(server, calendar_jobs)
    main, elapsed = await drive(server.url, args.rate, args.seconds, seed=1, book_share=share)
    print("\n".join(table(main, mode.targets)), flush=True)
    steps: list[tuple[float, Samples, float, bool]] = []
    for index, rate in enumerate(float(r) for r in args.steps.split(",")):
        await drain(server, calendar_jobs)
        samples, took = await drive(
            server.url, rate, args.step_seconds, seed=10 + index, book_share=share
        )
        ok = meets_targets(samples, rate, took, mode.targets)
        steps.append((rate, samples, took, ok))
        print(
            f"{rate:.0f} fn/s: achieved {samples.completed_functions / took:.0f}, "
            f"check p95 {samples.percentile('check_availability', 95):.1f} ms, "
            f"book p95 {samples.percentile('book_appointment', 95):.1f} ms, ok={ok}",
            flush=True,
        )
        if not ok:
            break
    return main, elapsed, steps


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min)"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.calendar == "calcom":
        body = main_calcom(args)
    else:
        database = create_database()
        server = start_server(database, args.port, args.workers, logs=args.logs)
        try:
            main_run, elapsed, steps = asyncio.run(run(args, server, Mode()))
        finally:
            stop_server(server)
            drop_database(database)
        body = section(main_run, elapsed, args.rate, args.seconds, steps, args.workers)
    print(body)
    if not args.no_write:
        write_section(OUTPUT, "voice-calcom" if args.calendar == "calcom" else "voice", body)
    return 0


def main_calcom(args: argparse.Namespace) -> str:
    """The run on Cal.com (the emulator): link, fill the mirror, measure, drain, compare."""
    database = create_database()
    dsn = {**PG, "dbname": database}
    emulator = calcom_mode.start_emulator(CLI, args.emulator_port, args.calcom_latency_ms)
    server: Server | None = None
    try:
        load_before = load()
        server = start_server(
            database, args.port, args.workers, emulator, args.logs, args.redis_url
        )
        days = calcom_mode.horizon_days(date.today(), 0, LAST_DAY)
        pairs = calcom_mode.mirrored_pairs(emulator)
        filled_in = calcom_mode.wait_for_mirror(dsn, days, pairs, timeout=600)
        print(f"mirror filled ({pairs} pairs × {len(days)} days) in {filled_in:.0f} s", flush=True)
        mode = Mode("calcom", dict(CALCOM_TARGETS))
        main_run, elapsed, steps = asyncio.run(run(args, server, mode))
        load_after = load()
        drained = calcom_mode.wait_for_jobs(dsn, args.drain_seconds)
        outcome = calcom_mode.read_outcome(dsn, emulator)
    finally:
        if server is not None:
            stop_server(server)
        calcom_mode.stop_emulator(emulator)
        if args.keep_database:
            print(f"database kept: {database}", flush=True)
        else:
            drop_database(database)
    low, high = args.calcom_latency_ms
    notes = (
        f"The branch's calendar is the Cal.com emulator (`frontdesk dev calcom-emulator "
        f"--seed demo`, a separate process) answering every request after {low}-{high} ms "
        "(uniform, seeded), linked with `frontdesk calcom connect`. Measured only after the "
        f"availability mirror covered today + {LAST_DAY} days for all {pairs} (event type, host) "
        f"pairs ({filled_in:.0f} s after the server started). Bookings write to Cal.com within "
        "the call's deadline, so book_appointment's target is the 2.5 s voice deadline; a "
        "booking Cal.com's rate budget or deadline does not allow is kept `pending_sync` and "
        "answered at once (status `pending`), then written by the `calendar.sync` job. "
        f"A share of {share_text(args.book_share, 0.02)} of the calls book (and cancel again); "
        "the others ask three times and look their appointments up — Cal.com allows 120 "
        "requests/min per key, so a booking on every call (25/s) could never be written there; "
        "a salon books a few times a minute.",
        "",
        f"Shared state (rate budget, breaker) in Redis: {args.redis_url or 'none'}. "
        f"Machine: {load_before} before the run, {load_after} after the rate steps.",
        "",
    )
    rate = f" --rate {args.rate:.0f}" if args.rate != TARGET_RATE else ""
    command = (
        f".venv/bin/python bench/voice.py --calendar calcom{rate} --seconds {args.seconds:.0f} "
        f"--steps {args.steps} --step-seconds {args.step_seconds:.0f} "
        f"--calcom-latency-ms {low},{high}"
    )
    mode = Mode("calcom", dict(CALCOM_TARGETS), notes, command)
    body = section(main_run, elapsed, args.rate, args.seconds, steps, args.workers, mode)
    return body + "\n\n" + "\n".join(calcom_mode.outcome_lines(outcome, drained))


if __name__ == "__main__":
    raise SystemExit(main())
