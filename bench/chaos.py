"""Chaos run (issue 13 item 5): voice traffic and Cal.com-side bookings while Cal.com fails.

Starts the Cal.com emulator (``frontdesk dev calcom-emulator``), seeds the demo salon, links it
(``frontdesk calcom connect``), serves frontdesk without its embedded worker and runs two
``frontdesk worker`` processes. Once the availability mirror covers the days used, it turns
the emulator's faults on — 5xx, hangs, creates applied but answered with an error, 429 bursts,
dropped, duplicated and reordered webhooks — and meanwhile books by voice (signed Retell
function calls), cancels and reschedules some of those, and books directly on Cal.com's page.
Half-way through the bookings one worker is SIGKILLed and a fresh one started. Then the faults
stop, the outbox drains, ``frontdesk reconcile`` runs once, the outbox drains again, and both
sides are compared (``chaos_compare``): lost, duplicated, inconsistent, double booked,
conflicts with their cause, and the voice latencies during the faults.

Exits 1 when a consistency goal is missed (0 lost, 0 duplicated, 100 % consistent, 0 double
booked); the latency goal (p95 ≤ 200 ms) is reported, not enforced.

    .venv/bin/python bench/chaos.py       # 500/100/100/100 on PostgreSQL, writes docs/benchmarks.md
    .venv/bin/python bench/chaos.py --bookings 30 --cancels 6 --reschedules 6 \\
        --calcom-bookings 6 --database-url sqlite+aiosqlite:////tmp/chaos.db --no-write
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import chaos_traffic
import httpx
from benchreport import BENCHMARKS, write_section
from chaos_compare import Verdict, compare, read_ours, read_theirs, sync_url
from sqlalchemy import create_engine, text

from frontdesk import demo

# tests/integration/test_chaos.py runs this script, and under libfaketime with
# FAKETIME_DONT_FAKE_MONOTONIC=1 (the shifted-clock runs) time.sleep — clock_nanosleep on an
# absolute CLOCK_MONOTONIC deadline, which libfaketime 0.9.10 shifts too — fails with EINVAL, as
# does Popen.wait(timeout), which sleeps through it. A relative select() timeout is untouched;
# tests/conftest.py does the same for the test process.


def _sleep_by_select(seconds: float) -> None:
    select.select([], [], [], seconds)


if "faketime" in os.environ.get("LD_PRELOAD", ""):
    time.sleep = _sleep_by_select

CLI = str(Path(sys.executable).parent / "frontdesk")
EMULATOR_KEY = "cal_test_emulator"
RETELL_KEY = "chaos-retell-key"
BERLIN = ZoneInfo("Europe/Berlin")
P95_GOAL_MS = 200.0


@dataclass(frozen=True)
class Options:
    bookings: int
    cancels: int
    reschedules: int
    calcom_bookings: int
    seed: int
    database_url: str | None
    redis_url: str | None
    port: int
    emulator_port: int
    concurrency: int
    voice_days: int
    error_rate: float
    timeout_rate: float
    hang_seconds: float
    applied_error_rate: float
    burst_every: float
    burst_size: int
    drop_rate: float
    duplicate_rate: float
    reorder_ms: int
    rate_window: float
    lease: float
    settle_timeout: float
    max_loop_lag_ms: int | None
    logs: Path | None
    write: bool
    json_out: Path | None


@dataclass
class Processes:
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def spawn(self, command: list[str], env: dict[str, str], log: Any) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,  # its own group: stop_all ends its children too
        )
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.started):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@dataclass
class Run:
    options: Options
    env: dict[str, str]
    processes: Processes
    emulator: str
    server: str
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def parse(argv: Sequence[str] | None = None) -> Options:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--bookings", type=int, default=500)
    p.add_argument("--cancels", type=int, default=100)
    p.add_argument("--reschedules", type=int, default=100)
    p.add_argument("--calcom-bookings", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--database-url", help="default: a fresh PostgreSQL database on 127.0.0.1")
    p.add_argument("--redis-url", help="Redis for the processes (a shared Cal.com rate budget)")
    p.add_argument("--port", type=int, default=8071)
    p.add_argument("--emulator-port", type=int, default=8072)
    p.add_argument("--concurrency", type=int, default=8, help="calls in flight at once")
    p.add_argument("--voice-days", type=int, default=0, help="days voice books on (0: by size)")
    p.add_argument("--error-rate", type=float, default=0.30)
    p.add_argument("--timeout-rate", type=float, default=0.10)
    p.add_argument("--hang-seconds", type=float, default=30.0)
    p.add_argument("--applied-error-rate", type=float, default=0.05)
    p.add_argument("--burst-every", type=float, default=10.0, help="seconds between 429 bursts")
    p.add_argument("--burst-size", type=int, default=5)
    p.add_argument("--drop-rate", type=float, default=0.05)
    p.add_argument("--duplicate-rate", type=float, default=0.05)
    p.add_argument("--reorder-ms", type=int, default=3000)
    p.add_argument("--rate-window", type=float, default=60.0, help="emulator rate window (s)")
    p.add_argument("--lease", type=float, default=10.0, help="workers' job lease (s)")
    p.add_argument("--settle-timeout", type=float, default=600.0)
    p.add_argument(
        "--max-loop-lag-ms",
        type=int,
        default=None,
        help="the server's FRONTDESK_VOICE_MAX_LOOP_LAG_MS (0: off; default: the product's)",
    )
    p.add_argument("--logs", type=Path, help="directory for the processes' stderr")
    p.add_argument("--no-write", dest="write", action="store_false")
    p.add_argument("--json", dest="json_out", type=Path, help="also write the figures as JSON")
    a = p.parse_args(argv)
    return Options(**vars(a))


# --- processes ---------------------------------------------------------------------------------


def _log(options: Options, name: str) -> Any:
    if options.logs is None:
        return subprocess.DEVNULL
    options.logs.mkdir(parents=True, exist_ok=True)
    return (options.logs / name).open("ab")


def _env(database_url: str, rate_window: float) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    env.update(
        # The emulator's throttler blocks for its window: frontdesk is told so, as it would be
        # for a self-hosted Cal.com configured that way.
        FRONTDESK_CALCOM_BLOCK_SECONDS=str(rate_window),
        FRONTDESK_DATABASE_URL=database_url,
        FRONTDESK_RETELL_API_KEY=RETELL_KEY,
        FRONTDESK_EMBEDDED_WORKER="false",
        FRONTDESK_LOG_LEVEL="WARNING",
    )
    return env


def _wait_http(url: str, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer within {timeout:.0f} s")


def start(options: Options, database_url: str, processes: Processes) -> Run:
    env = _env(database_url, options.rate_window)
    if options.redis_url:
        env["FRONTDESK_REDIS_URL"] = options.redis_url
    if options.max_loop_lag_ms is not None:
        env["FRONTDESK_VOICE_MAX_LOOP_LAG_MS"] = str(options.max_loop_lag_ms)
    emulator = f"http://127.0.0.1:{options.emulator_port}"
    server = f"http://127.0.0.1:{options.port}"
    window = ["--rate-window", str(options.rate_window)]
    processes.spawn(
        [CLI, "dev", "calcom-emulator", "--port", str(options.emulator_port), *window],
        env,
        _log(options, "emulator.log"),
    )
    _wait_http(f"{emulator}/_emulator/faults", "the Cal.com emulator")
    subprocess.run([CLI, "demo"], env=env, check=True, capture_output=True, timeout=120)
    connect = [CLI, "calcom", "connect", "--tenant", demo.TENANT_SLUG, "--api-key", EMULATOR_KEY]
    connect += ["--api-url", emulator, "--webhook-url", server]
    done = subprocess.run(connect, env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"calcom connect failed:\n{done.stdout}\n{done.stderr}")
    processes.spawn(
        [CLI, "serve", "--port", str(options.port), "--no-demo"], env, _log(options, "serve.log")
    )
    run = Run(options, env, processes, emulator, server)
    run.workers = [start_worker(run, "worker-a"), start_worker(run, "worker-b")]
    _wait_http(f"{server}/healthz", "frontdesk serve")
    return run


def start_worker(run: Run, name: str) -> subprocess.Popen[bytes]:
    command = [CLI, "worker", "--lease", str(run.options.lease), "--poll", "0.2"]
    return run.processes.spawn(command, run.env, _log(run.options, f"{name}.log"))


# --- the database, read by the script --------------------------------------------------------


def _scalar(database_url: str, sql: str, **params: Any) -> int:
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(sql), params).scalar() or 0)
    finally:
        engine.dispose()


def wait_for_mirror(run: Run, days: Sequence[date], database_url: str) -> None:
    """Until every linked (event type, host) pair has a fetched row for each day."""
    began = time.monotonic()
    while time.monotonic() - began < run.options.settle_timeout:
        pairs = _scalar(
            database_url,
            "SELECT count(*) FROM (SELECT DISTINCT event_type, host FROM calendar_mirror_day) p",
        )
        filled = _scalar(
            database_url,
            "SELECT count(*) FROM calendar_mirror_day WHERE fetched_at IS NOT NULL "
            "AND day >= :first AND day <= :last",
            first=min(days),
            last=max(days),
        )
        if pairs and filled >= pairs * len(days):
            run.timings["mirror_s"] = time.monotonic() - began
            return
        time.sleep(0.5)
    raise RuntimeError("the availability mirror did not cover the bench's days in time")


def outbox_busy(database_url: str) -> int:
    """Calendar jobs still to run: the saga's, the webhook inbox's and requested refreshes."""
    return _scalar(
        database_url,
        "SELECT count(*) FROM job WHERE kind IN ('calendar.sync', 'calendar.inbox') "
        "AND state IN ('queued', 'running')",
    )


def drain(run: Run, database_url: str, label: str) -> None:
    """Wait for webhook deliveries, then until no calendar job is queued or running."""
    began = time.monotonic()
    httpx.post(f"{run.emulator}/_emulator/webhooks/drain", timeout=run.options.settle_timeout)
    while time.monotonic() - began < run.options.settle_timeout:
        if outbox_busy(database_url) == 0:
            run.timings[label] = time.monotonic() - began
            return
        time.sleep(0.5)
    run.notes.append(f"{label}: the outbox was not empty after {run.options.settle_timeout:.0f} s")
    run.timings[label] = time.monotonic() - began


def dead_jobs(database_url: str) -> int:
    return _scalar(
        database_url, "SELECT count(*) FROM job WHERE kind LIKE 'calendar.%' AND state = 'dead'"
    )


# --- faults ------------------------------------------------------------------------------------


def faults(options: Options, seed: int, burst: int = 0) -> dict[str, Any]:
    return {
        "seed": seed,
        "error_rate": options.error_rate,
        "timeout_rate": options.timeout_rate,
        "hang_seconds": options.hang_seconds,
        "applied_error_rate": options.applied_error_rate,
        "rate_limit_burst": burst,
        "webhook_drop_rate": options.drop_rate,
        "webhook_duplicate_rate": options.duplicate_rate,
        "webhook_reorder_ms": options.reorder_ms,
    }


async def bursts(client: httpx.AsyncClient, options: Options, stop: asyncio.Event) -> int:
    """A 429 burst at once and then every ``burst_every`` seconds (PUT replaces the faults, so
    all are sent again, with a seed derived from the run's)."""
    count = 0
    while not stop.is_set():
        count += 1
        body = faults(options, options.seed * 1000 + count, options.burst_size)
        (await client.put("/_emulator/faults", json=body)).raise_for_status()
        try:
            await asyncio.wait_for(stop.wait(), timeout=options.burst_every)
        except TimeoutError:
            continue
    return count


# --- the run -----------------------------------------------------------------------------------


def plan_days(options: Options, today: date) -> tuple[list[date], list[date]]:
    """Working days (Tue–Sat at the demo's Cal.com) for voice, and later ones for the page
    bookings: apart, so a page booking never races a voice booking for one chair (that clash
    is a ``conflict`` for a person by design, not a fault of the run)."""
    wanted = options.voice_days or max(2, -(-options.bookings // 60))
    page_wanted = max(1, -(-options.calcom_bookings // 40))
    days: list[date] = []
    day = today + timedelta(days=1)
    while len(days) < wanted + page_wanted:
        if day.weekday() in (1, 2, 3, 4, 5):
            days.append(day)
        day += timedelta(days=1)
    return days[:wanted], days[wanted:]


async def traffic(run: Run, voice_days: list[date], page_days: list[date]) -> chaos_traffic.Traffic:
    options = run.options
    rng = random.Random(options.seed)
    stop = asyncio.Event()
    async with httpx.AsyncClient(base_url=run.emulator, timeout=60) as admin:
        (
            await admin.put("/_emulator/faults", json=faults(options, options.seed))
        ).raise_for_status()
        burst_task = asyncio.create_task(bursts(admin, options, stop))
        began = time.monotonic()
        result = await chaos_traffic.drive(
            chaos_traffic.Plan(
                server=run.server,
                emulator=run.emulator,
                retell_key=RETELL_KEY,
                bookings=options.bookings,
                cancels=options.cancels,
                reschedules=options.reschedules,
                page_bookings=options.calcom_bookings,
                voice_days=voice_days,
                page_days=page_days,
                concurrency=options.concurrency,
            ),
            rng,
            on_half=lambda: kill_a_worker(run),
        )
        run.timings["faults_s"] = time.monotonic() - began
        stop.set()
        result.bursts = await burst_task
        (await admin.put("/_emulator/faults", json={"seed": options.seed})).raise_for_status()
    return result


def kill_a_worker(run: Run) -> None:
    """SIGKILL the first worker (whatever it holds stays leased until the lease ends) and
    start a fresh one beside the survivor."""
    victim = run.workers[0]
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    run.notes.append(f"worker {victim.pid} SIGKILLed half-way through the bookings")
    run.workers = [*run.workers[1:], start_worker(run, "worker-c")]


RECONCILE_TRIES = 5


def reconcile(run: Run, days: int) -> str:
    """One complete ``frontdesk reconcile``. Exit 1 means Cal.com could not be read (after the
    drain the key's budget is often spent for the minute): then it is run again, as an
    operator would, after the block a 429 imposes at most."""
    command = [CLI, "reconcile", "--tenant", demo.TENANT_SLUG, "--days", str(days)]
    for attempt in range(1, RECONCILE_TRIES + 1):
        done = subprocess.run(command, env=run.env, capture_output=True, text=True, timeout=300)
        if done.returncode == 0:
            return done.stdout
        run.notes.append(
            f"reconcile try {attempt} exited {done.returncode}: {_summary(done.stdout)}"
        )
        time.sleep(min(run.options.rate_window, 60.0))
    return done.stdout


def execute(options: Options, database_url: str) -> tuple[Run, chaos_traffic.Traffic, Verdict]:
    processes = Processes()
    try:
        began = time.monotonic()
        run = start(options, database_url, processes)
        run.timings["start_s"] = time.monotonic() - began
        today = datetime.now(UTC).astimezone(BERLIN).date()
        voice_days, page_days = plan_days(options, today)
        wait_for_mirror(run, voice_days, database_url)
        result = asyncio.run(traffic(run, voice_days, page_days))
        drain(run, database_url, "drain_s")
        horizon = (max(page_days + voice_days) - today).days + 2
        began = time.monotonic()
        run.notes.append("reconcile: " + _summary(reconcile(run, horizon)))
        run.timings["reconcile_s"] = time.monotonic() - began
        drain(run, database_url, "drain_after_reconcile_s")
        state = httpx.get(f"{run.emulator}/_emulator/state", timeout=120).json()
        if options.logs is not None:
            # Cal.com's side as it ended, for reading a failed run afterwards.
            (options.logs / "calcom-state.json").write_text(json.dumps(state, indent=1))
        verdict = compare(read_ours(database_url), read_theirs(state["bookings"]), result.ledger)
        result.deliveries = dict(_count(d.get("outcome", "?") for d in state["deliveries"]))
        result.dead_jobs = dead_jobs(database_url)
        return run, result, verdict
    finally:
        processes.stop_all()


def _count(items: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[str(item)] = counts.get(str(item), 0) + 1
    return counts


BOX = set("┏┓┗┛┃━┡┩│└┘─┌┐┳┻╇╈┼")


def _summary(output: str) -> str:
    """The CLI's report without its table frames: the classes and counts it printed."""
    lines = [
        line.strip()
        for line in output.splitlines()
        if line.strip() and not BOX.intersection(line.strip()[:1])
    ]
    return " / ".join(lines[:12])[:600] or "(no output)"


# --- the report ----------------------------------------------------------------------------------


def figures(run: Run, result: chaos_traffic.Traffic, verdict: Verdict) -> dict[str, Any]:
    return {
        "options": {k: str(v) for k, v in asdict(run.options).items()},
        "lost": verdict.lost,
        "duplicated": verdict.duplicated,
        "inconsistent": verdict.inconsistent,
        "double_booked": verdict.double_booked,
        "conflicts": verdict.conflicts,
        "consistent_share": verdict.consistent_share(),
        "checked": verdict.checked,
        "appointments": verdict.appointments,
        "calcom_bookings": verdict.calcom_bookings,
        "by_state": verdict.by_state,
        "voice": result.latency_table(),
        "voice_p95_all_ms": result.percentile_all(95),
        "statuses": result.statuses,
        "done": dict(result.done),
        "bursts": result.bursts,
        "deliveries": result.deliveries,
        "dead_jobs": result.dead_jobs,
        "timings": run.timings,
        "notes": run.notes,
        "goals_met": verdict.goals_met(),
    }


def section(data: dict[str, Any], options: Options) -> str:
    def listing(items: list[str]) -> str:
        return "none" if not items else "; ".join(items[:10]) + (" …" if len(items) > 10 else "")

    p95 = data["voice_p95_all_ms"]
    lines = [
        "## Chaos run against the Cal.com emulator (`bench/chaos.py`)",
        "",
        f"{options.bookings} voice bookings, {options.cancels} cancels, {options.reschedules} "
        f"reschedules (signed Retell function calls, {options.concurrency} in flight), "
        f"{options.calcom_bookings} bookings on Cal.com's own page; faults: "
        f"{options.error_rate:.0%} 5xx, {options.timeout_rate:.0%} hangs "
        f"({options.hang_seconds:.0f} s), {options.applied_error_rate:.0%} writes applied but "
        f"answered 500, a 429 burst of {options.burst_size} every {options.burst_every:.0f} s, "
        f"webhooks {options.drop_rate:.0%} dropped, {options.duplicate_rate:.0%} duplicated, "
        f"reordered within {options.reorder_ms} ms; one of two `frontdesk worker` processes "
        f"SIGKILLed half-way (a fresh one started). Then the faults stop, the outbox drains, "
        f"`frontdesk reconcile` runs once. {os.cpu_count()} CPUs, database "
        f"`{options.database_url.split(':')[0] if options.database_url else 'postgresql'}`, "
        f"{'Redis (shared rate budget)' if options.redis_url else 'no Redis'}, seed "
        f"{options.seed}. Command: `.venv/bin/python bench/chaos.py"
        f"{' --redis-url …' if options.redis_url else ''}`.",
        "",
        "| goal | result |",
        "|---|---|",
        f"| 0 lost | {len(data['lost'])} |",
        f"| 0 duplicated in Cal.com | {len(data['duplicated'])} |",
        f"| 100 % consistent (time, status, host) | {data['consistent_share']:.1%} "
        f"of {data['checked']} |",
        f"| 0 double booked | {len(data['double_booked'])} |",
        f"| voice p95 ≤ {P95_GOAL_MS:.0f} ms during the faults | {p95:.0f} ms |",
        "",
        "The latency goal is reported, not enforced: book_appointment writes to Cal.com within "
        "the caller's deadline (ADR 0014), so a 5xx or a hang costs it up to that deadline, "
        "and serve, two workers, the emulator and the load generator share the CPUs.",
        "",
        f"Conflicts (for a person): {listing(data['conflicts'])}.",
        "",
        "Voice latencies during the faults (client side, ms):",
        "",
        "| function | calls | p50 | p95 | p99 | answers |",
        "|---|---:|---:|---:|---:|---|",
        *[
            f"| {row['name']} | {row['count']} | {row['p50']:.0f} | {row['p95']:.0f} | "
            f"{row['p99']:.0f} | {row['statuses']} |"
            for row in data["voice"]
        ],
        "",
        f"Done: {data['done']}; 429 bursts: {data['bursts']}; webhook deliveries: "
        f"{data['deliveries']}; appointments by status/sync: {data['by_state']}; dead calendar "
        f"jobs: {data['dead_jobs']}.",
        f"Timings (s): { {k: round(v, 1) for k, v in data['timings'].items()} }.",
        f"Notes: {listing(data['notes'])}.",
    ]
    return "\n".join(lines)


def fresh_database() -> tuple[str, str]:
    import voice  # the same fresh-database helper as the voice bench

    name = voice.create_database()
    pg = voice.PG
    return f"postgresql+psycopg://{pg['user']}@{pg['host']}:{pg['port']}/{name}", name


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    # SystemExit runs the finally blocks: the processes stopped, the database dropped.
    raise SystemExit(143)


def main(argv: Sequence[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    options = parse(argv)
    created: str | None = None
    database_url = options.database_url
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if database_url is None:
        database_url, created = fresh_database()
    elif database_url == "sqlite":
        tmp = tempfile.TemporaryDirectory()
        database_url = f"sqlite+aiosqlite:///{tmp.name}/chaos.db"
    try:
        run, result, verdict = execute(options, database_url)
    finally:
        if created:
            import voice

            voice.drop_database(created)
        if tmp is not None:
            tmp.cleanup()
    data = figures(run, result, verdict)
    report = section(data, options)
    print(report)
    if options.json_out:
        options.json_out.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    if options.write:
        write_section(BENCHMARKS, "chaos", report)
    return 0 if verdict.goals_met() else 1


if __name__ == "__main__":
    sys.exit(main())
