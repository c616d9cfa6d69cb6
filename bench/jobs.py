"""Benchmark of the job queue on PostgreSQL: throughput with 1 and 4 worker processes, and
enqueue→finish latency at a steady rate; prints the figures and updates docs/benchmarks.md.

A fresh database is created on the local server (like the tests do), migrated, and dropped at
the end. Workers are separate processes (``multiprocessing``, spawn), each with its own engine,
as ``frontdesk worker`` processes would be; handlers are no-ops, so the figures are the queue's
own cost (claim, lease, outcome, one JSON log line per run).

* throughput: N jobs are enqueued first, then the workers drain them; jobs/s = N divided by the
  time from "go" to the last ``finished_at``.
* latency: the workers poll while one producer enqueues jobs one transaction each at a fixed rate
  below capacity; latency = ``finished_at − created_at`` (both written by this host's clock).

    .venv/bin/python bench/jobs.py [--jobs 5000] [--rate 100] [--seconds 10] [--no-write]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import platform
import statistics
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.synchronize import Event as MpEvent
from pathlib import Path
from typing import Any

import psycopg
from benchreport import write_section
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdesk.db.engine import create_engine, create_session_factory
from frontdesk.db.migrate import upgrade_engine
from frontdesk.db.tables import Job
from frontdesk.domain.clock import system_clock
from frontdesk.domain.model import JobState
from frontdesk.jobs.queue import enqueue
from frontdesk.jobs.registry import HandlerRegistry, JobContext
from frontdesk.jobs.worker import Worker
from frontdesk.observability.logging import configure_logging
from frontdesk.settings import Settings

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
SECTION = "jobs"
PG = {
    "host": os.environ.get("FRONTDESK_TEST_PG_HOST", "127.0.0.1"),
    "port": int(os.environ.get("FRONTDESK_TEST_PG_PORT", "5432")),
    "user": os.environ.get("FRONTDESK_TEST_PG_USER", "postgres"),
}
CONCURRENCY = 8
KIND = "bench.noop"


async def noop(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Idempotent: does nothing."""


def registry() -> HandlerRegistry:
    handlers = HandlerRegistry()
    handlers.add(KIND, noop)
    return handlers


# --- database lifecycle -------------------------------------------------------------------


def create_database() -> str:
    name = f"frontdesk_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(**PG, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://{PG['user']}@{PG['host']}:{PG['port']}/{name}"


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(**PG, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- worker processes -----------------------------------------------------------------------


def worker_process(url: str, mode: str, go: MpEvent, stop: MpEvent, poll: float) -> None:
    """Child: wait for "go", then drain (throughput) or poll until told to stop (latency)."""
    # Real per-job cost includes the structured log line; render it, but not to the terminal.
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    configure_logging("INFO", "json")
    asyncio.run(_worker_main(url, mode, go, stop, poll))


async def _worker_main(url: str, mode: str, go: MpEvent, stop: MpEvent, poll: float) -> None:
    engine = create_engine(url, pool_size=CONCURRENCY + 2)
    worker = Worker(
        create_session_factory(engine, system_clock),
        registry(),
        concurrency=CONCURRENCY,
        poll_interval=poll,
        settings=Settings(database_url=url, embedded_worker=False),
        periodic=(),
        clock=system_clock,
    )
    # Open connections before the clock starts.
    async with engine.connect():
        pass
    await asyncio.to_thread(go.wait)
    if mode == "drain":
        await worker.run_until_idle()
    else:
        stopping = asyncio.Event()
        running = asyncio.create_task(worker.run(stopping))
        await asyncio.to_thread(stop.wait)
        stopping.set()
        await running
    await engine.dispose()


def start_workers(url: str, count: int, mode: str, poll: float) -> tuple[list[Any], Any, Any]:
    ctx = mp.get_context("spawn")
    go, stop = ctx.Event(), ctx.Event()
    processes = [
        ctx.Process(target=worker_process, args=(url, mode, go, stop, poll)) for _ in range(count)
    ]
    for process in processes:
        process.start()
    return processes, go, stop


# --- measurements ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Throughput:
    workers: int
    jobs: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.jobs / self.seconds


@dataclass(frozen=True)
class Latency:
    samples_ms: tuple[float, ...]
    rate: float
    workers: int
    poll: float

    def percentile(self, q: int) -> float:
        return statistics.quantiles(self.samples_ms, n=100, method="inclusive")[q - 1]


async def _reset(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(delete(Job))


async def _bulk_enqueue(engine: AsyncEngine, jobs: int) -> None:
    """Through ``enqueue`` like application code, 500 jobs per transaction."""
    sessions = create_session_factory(engine, system_clock)
    for start in range(0, jobs, 500):
        async with sessions() as session:
            for n in range(start, min(jobs, start + 500)):
                await enqueue(session, KIND, {"n": n})
            await session.commit()


async def _succeeded(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        stmt = select(func.count(Job.id)).where(Job.state == JobState.SUCCEEDED)
        return int((await conn.execute(stmt)).scalar_one())


async def _wait_for_succeeded(engine: AsyncEngine, total: int, limit: float = 120.0) -> None:
    """Poll the table (another process does the work) until ``total`` jobs have succeeded."""
    for _ in range(int(limit / 0.2)):
        if await _succeeded(engine) >= total:
            return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"jobs not finished within {limit:g} s")


async def measure_throughput(engine: AsyncEngine, url: str, workers: int, jobs: int) -> Throughput:
    await _reset(engine)
    await _bulk_enqueue(engine, jobs)
    processes, go, _ = start_workers(url, workers, "drain", 0.05)
    await asyncio.sleep(3)  # let the children import and connect before the clock starts
    started = system_clock()
    go.set()
    for process in processes:
        await asyncio.to_thread(process.join)
    async with engine.connect() as conn:
        last = (await conn.execute(select(func.max(Job.finished_at)))).scalar_one()
    done = await _succeeded(engine)
    if done != jobs:
        raise RuntimeError(f"only {done} of {jobs} jobs succeeded")
    return Throughput(workers, jobs, (last - started).total_seconds())


async def measure_latency(
    engine: AsyncEngine, url: str, workers: int, rate: float, seconds: float, poll: float
) -> Latency:
    await _reset(engine)
    processes, go, stop = start_workers(url, workers, "poll", poll)
    await asyncio.sleep(3)
    go.set()
    sessions = create_session_factory(engine, system_clock)
    total = int(rate * seconds)
    began = time.perf_counter()
    for n in range(total):
        # One transaction per job, as a booking would enqueue its side effect.
        async with sessions() as session:
            await enqueue(session, KIND, {"n": n})
            await session.commit()
        delay = began + (n + 1) / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    await _wait_for_succeeded(engine, total)
    stop.set()
    for process in processes:
        await asyncio.to_thread(process.join)
    async with engine.connect() as conn:
        rows = (await conn.execute(select(Job.created_at, Job.finished_at))).all()
    samples = tuple((finished - created) / timedelta(milliseconds=1) for created, finished in rows)
    return Latency(samples, rate, workers, poll)


# --- report ---------------------------------------------------------------------------------


def render(throughputs: list[Throughput], latency: Latency, jobs: int) -> str:
    lines = [
        "## Job queue (PostgreSQL)",
        "",
        f"Throughput: {jobs:,} no-op jobs enqueued first, then drained by worker processes "
        f"({CONCURRENCY} concurrent jobs each, own engine each; claim + lease, outcome write, "
        "one JSON log line per run).",
        "",
        "| worker processes | jobs/s | drain time |",
        "|---|---|---|",
        *(f"| {t.workers} | {t.per_second:,.0f} | {t.seconds:.2f} s |" for t in throughputs),
        "",
        f"Latency enqueue→finish at a steady {latency.rate:.0f} jobs/s (one transaction per "
        f"enqueue), {latency.workers} worker processes, poll interval {latency.poll:g} s when "
        f"idle; {len(latency.samples_ms):,} jobs:",
        "",
        "| p50 | p95 | p99 |",
        "|---|---|---|",
        f"| {latency.percentile(50):.1f} ms | {latency.percentile(95):.1f} ms "
        f"| {latency.percentile(99):.1f} ms |",
        "",
        "An idle worker finds new work at its next poll, so latency at low rates is bounded by "
        "the poll interval (`frontdesk worker --poll`, default 1 s); under load a worker claims "
        "again as soon as half its slots are free.",
        "",
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs "
        "shared by PostgreSQL, the producer and the workers (so 4 processes add less than 4×) "
        f"and by other work (load average {os.getloadavg()[0]:.1f} when the run ended); "
        f"measured {datetime.now(UTC).date().isoformat()} with `.venv/bin/python bench/jobs.py`.",
    ]
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> str:
    url = create_database()
    engine = create_engine(url)
    try:
        await upgrade_engine(engine)
        throughputs = []
        for workers in (1, 4):
            result = await measure_throughput(engine, url, workers, args.jobs)
            print(f"throughput, {workers} worker(s): {result.per_second:,.0f} jobs/s")
            throughputs.append(result)
        latency = await measure_latency(engine, url, 4, args.rate, args.seconds, args.poll)
        print(
            f"latency at {args.rate:g} jobs/s: p50 {latency.percentile(50):.1f} ms · "
            f"p95 {latency.percentile(95):.1f} ms · p99 {latency.percentile(99):.1f} ms"
        )
        return render(throughputs, latency, args.jobs)
    finally:
        await engine.dispose()
        drop_database(url)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--jobs", type=int, default=5_000, help="jobs per throughput run")
    parser.add_argument("--rate", type=float, default=100, help="jobs/s in the latency run")
    parser.add_argument("--seconds", type=float, default=10, help="length of the latency run")
    parser.add_argument("--poll", type=float, default=0.2, help="idle poll interval (s)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="benchmarks file")
    parser.add_argument("--no-write", action="store_true", help="print only, leave docs alone")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    body = asyncio.run(run(args))
    if not args.no_write:
        write_section(args.output, SECTION, body)
        print(f"updated {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
