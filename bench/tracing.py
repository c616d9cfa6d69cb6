"""Tracing's cost on the voice path: bench/voice.py's simulated calls against two servers, one
without tracing and one exporting every span over OTLP/HTTP (ADR 0023).

Both servers (``frontdesk serve``, one process with its embedded job worker, each on a fresh
PostgreSQL database with the demo salon) run side by side; the traced one has
``OTEL_EXPORTER_OTLP_ENDPOINT`` pointing at a receiver (tests/otlp_support.py run by
bench/otlp_sink.py, its own process: it decodes every export, as a collector would, on the
same two cores). The load alternates between them in rounds (off, on, on, off, ...) so that
drift of a shared machine hits both alike; samples of a mode are pooled. Besides client-side
latency it reports each server process's CPU time per request. Writes its section of
docs/benchmarks.md.

    .venv/bin/python bench/tracing.py                      # 4 rounds of 20 s at 50 fn/s
    .venv/bin/python bench/tracing.py --rounds 2 --seconds 10 --no-write
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import voice
from benchreport import write_section

SINK = Path(__file__).resolve().parent / "otlp_sink.py"
MODES = ("off", "on")
EXPORT_SETTLE_S = 6.0


def merged(parts: Sequence[voice.Samples]) -> voice.Samples:
    total = voice.Samples()
    for part in parts:
        for name, values in part.latencies.items():
            total.latencies[name].extend(values)
        for name, counts in part.statuses.items():
            for status, count in counts.items():
                total.statuses[name][status] += count
        total.failures += part.failures
        total.completed_functions += part.completed_functions
    return total


@dataclass
class Runs:
    """Per mode: the client's samples of each run, and the server process's CPU seconds."""

    samples: dict[str, list[voice.Samples]] = field(
        default_factory=lambda: {mode: [] for mode in MODES}
    )
    cpu: dict[str, float] = field(default_factory=lambda: dict.fromkeys(MODES, 0.0))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``): unlike latency, barely
    moved by what else the shared machine runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(args: argparse.Namespace, servers: dict[str, voice.Server]) -> Runs:
    for server in servers.values():  # warm caches and connections
        await voice.drive(server.url, 20, 3, seed=0)
    runs = Runs()
    for index in range(args.rounds):
        # ABBA: off-on, on-off, ...: neither mode always runs first after a pause.
        order = MODES if index % 2 == 0 else MODES[::-1]
        for mode in order:
            server = servers[mode]
            await voice.drain(server)
            before = cpu_seconds(server.process.pid)
            samples, elapsed = await voice.drive(
                server.url, args.rate, args.seconds, seed=100 + index
            )
            # The exporter sends a batch every 5 s at most: its CPU belongs to this run.
            await asyncio.sleep(EXPORT_SETTLE_S)
            runs.cpu[mode] += cpu_seconds(server.process.pid) - before
            runs.samples[mode].append(samples)
            print(
                f"round {index + 1} tracing {mode}: {samples.completed_functions / elapsed:.0f} "
                f"fn/s, check p95 {samples.percentile('check_availability', 95):.1f} ms, "
                f"book p95 {samples.percentile('book_appointment', 95):.1f} ms, "
                f"failures {samples.failures}",
                flush=True,
            )
    return runs


def comparison(off: voice.Samples, on: voice.Samples) -> list[str]:
    rows = [
        "| endpoint | requests off / on | p50 ms off → on | p95 ms off → on | p99 ms off → on |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in (
        "inbound",
        "check_availability",
        "book_appointment",
        "find_appointments",
        "cancel_appointment",
    ):
        cells = []
        for q in (50, 95, 99):
            before, after = off.percentile(name, q), on.percentile(name, q)
            cells.append(f"{before:.1f} → {after:.1f} ({after - before:+.1f})")
        counts = f"{len(off.latencies[name])} / {len(on.latencies[name])}"
        rows.append(f"| {name} | {counts} | " + " | ".join(cells) + " |")
    return rows


def section(args: argparse.Namespace, runs: Runs, spans: int, loads: tuple[str, str]) -> str:
    off, on = merged(runs.samples["off"]), merged(runs.samples["on"])
    calls = {"off": off, "on": on}
    per_call = {
        mode: 1000 * runs.cpu[mode] / max(1, sum(len(v) for v in calls[mode].latencies.values()))
        for mode in MODES
    }
    return "\n".join(
        [
            "## Tracing on the voice path (`bench/tracing.py`)"
            if float(args.ratio) == 1
            else f"## Tracing on the voice path, {args.ratio} of traces kept "
            f"(`bench/tracing.py --ratio {args.ratio}`)",
            "",
            f"bench/voice.py's simulated calls at **{args.rate:.0f} function calls/s**, "
            f"{args.rounds} rounds of {args.seconds:.0f} s per mode, alternating off/on "
            f"(ABBA) between two `frontdesk serve --workers {args.workers}` servers "
            "on PostgreSQL, one with `OTEL_EXPORTER_OTLP_ENDPOINT` set "
            f"(`OTEL_TRACES_SAMPLER_ARG={args.ratio}`): each sampled "
            "request traced (HTTP, use case, each SQL statement) and exported over OTLP/HTTP "
            "protobuf in batches to a receiver process that decodes each export, as a collector "
            f"would ({spans} spans arrived). {os.cpu_count()} CPUs "
            f"({platform.machine()}, Python {platform.python_version()}) shared by both "
            "servers, PostgreSQL, the client and the receiver; latencies client-side. "
            f"Machine: {loads[0]} before, {loads[1]} after; measured "
            f"{datetime.now(UTC):%Y-%m-%d}.",
            "",
            f"Failures: off {off.failures}, on {on.failures}.",
            "",
            "Server CPU per request (user + system time of the `frontdesk serve` process over "
            f"the runs, {EXPORT_SETTLE_S:.0f} s after each so the exporter's last batch is "
            "counted, divided by the requests answered; less sensitive to the machine's other "
            f"load than latency): **off {per_call['off']:.2f} ms, on {per_call['on']:.2f} ms** "
            f"({per_call['on'] - per_call['off']:+.2f} ms, "
            f"{100 * (per_call['on'] / per_call['off'] - 1):+.0f} %).",
            "",
            "Client-side latency, all rounds of a mode pooled:",
            "",
            *comparison(off, on),
            "",
            f"Reproduce: `.venv/bin/python bench/tracing.py --rounds {args.rounds} "
            f"--seconds {args.seconds:.0f} --rate {args.rate:.0f} --workers {args.workers} "
            f"--ratio {args.ratio}` "
            "(needs PostgreSQL on "
            "127.0.0.1).",
        ]
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # Half of bench/voice.py's target on one process: the question is the cost per request,
    # not the capacity, so the server must not be the bottleneck in either mode.
    parser.add_argument("--rate", type=float, default=50.0, help="function calls/s")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of one run")
    parser.add_argument("--rounds", type=int, default=4, help="runs per mode")
    parser.add_argument("--port", type=int, default=8775, help="untraced; traced on port + 1")
    # One process by default: with --workers > 1 uvicorn's supervisor kills a worker that does
    # not answer its 5 s health ping, and on a loaded 2-core machine importing the app (before
    # the ping thread starts) can take longer than that.
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--ratio", default="1", help="OTEL_TRACES_SAMPLER_ARG of the traced server (share kept)"
    )
    parser.add_argument("--logs", type=Path, default=None, help="the servers' logs go here")
    parser.add_argument("--no-write", action="store_true", help="print only")
    return parser.parse_args(argv)


@contextmanager
def otlp_sink() -> Iterator[tuple[str, Callable[[], int]]]:
    """The receiver process (bench/otlp_sink.py): its URL, and a function that stops it and
    returns how many spans it received."""
    process = subprocess.Popen([sys.executable, str(SINK)], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    endpoint = process.stdout.readline().strip()

    def finish() -> int:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
        return int(output.strip() or 0)

    try:
        yield endpoint, finish
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM ends the run like Ctrl-C: servers stopped, databases dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    databases: list[str] = []
    servers: dict[str, voice.Server] = {}
    with otlp_sink() as (endpoint, finish):
        try:
            for offset, mode in enumerate(MODES):
                databases.append(voice.create_database())
                extra = (
                    {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_TRACES_SAMPLER_ARG": args.ratio}
                    if mode == "on"
                    else {}
                )
                servers[mode] = voice.start_server(
                    databases[-1], args.port + offset, args.workers, logs=args.logs, extra_env=extra
                )
            before = voice.load()
            runs = asyncio.run(measure(args, servers))
            after = voice.load()
        finally:
            for server in servers.values():
                voice.stop_server(server)
            for database in databases:
                voice.drop_database(database)
        spans = finish()
    body = section(args, runs, spans, (before, after))
    print(body)
    if not args.no_write:
        name = "voice-tracing" if float(args.ratio) == 1 else "voice-tracing-sampled"
        write_section(voice.OUTPUT, name, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
