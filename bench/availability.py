"""Benchmark of the availability search; prints p50/p95/p99 and updates docs/benchmarks.md.

Measures the pure engine on a realistic branch: 10 staff working Tue–Sat, about 2,000
appointments over the coming 60 days, a 14-day search for one service. Each measurement owns a
marked section of ``docs/benchmarks.md`` and replaces only that section, so further
measurements (for example the same search through the REST endpoint on PostgreSQL) are added
as their own function and section without touching this one.

    .venv/bin/python bench/availability.py [--iterations 500] [--warmup 50] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import statistics
import sys
import time as clock
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from frontdesk.availability import (
    BranchRules,
    DaySchedule,
    Interval,
    ServiceRules,
    StaffCalendar,
    find_slots,
)

BERLIN = ZoneInfo("Europe/Berlin")
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
ENGINE_SECTION = "availability-engine"
STAFF_COUNT = 10
APPOINTMENTS = 2_000
BOOKED_DAYS = 60
SEARCH_DAYS = 14


@dataclass(frozen=True)
class Scenario:
    """One branch with its staff and bookings, and the search to run against it."""

    branch: BranchRules
    service: ServiceRules
    staff: tuple[StaffCalendar, ...]
    now: datetime
    start_date: date
    end_date: date
    appointments: int


@dataclass(frozen=True)
class Timings:
    """Wall-clock durations of repeated runs, in milliseconds."""

    samples_ms: tuple[float, ...]

    def percentile(self, q: int) -> float:
        return statistics.quantiles(self.samples_ms, n=100, method="inclusive")[q - 1]

    def summary(self) -> str:
        return (
            f"p50 {self.percentile(50):.2f} ms · p95 {self.percentile(95):.2f} ms · "
            f"p99 {self.percentile(99):.2f} ms"
        )


def salon_week() -> tuple[DaySchedule, ...]:
    """Tue–Fri 09:00–18:00 with a 13:00–13:30 break, Sat 09:00–14:00."""
    weekdays = tuple(
        DaySchedule(weekday, time(9), time(18), breaks=((time(13), time(13, 30)),))
        for weekday in (1, 2, 3, 4)
    )
    return (*weekdays, DaySchedule(5, time(9), time(14)))


def _book(
    rng: random.Random, weekly: tuple[DaySchedule, ...], first_day: date, taken: list[Interval]
) -> Interval | None:
    """One random appointment (with a 10-minute cleanup buffer) that does not overlap ``taken``."""
    day = first_day + timedelta(days=rng.randrange(BOOKED_DAYS))
    hours = [schedule for schedule in weekly if schedule.weekday == day.weekday()]
    if not hours:
        return None
    schedule = hours[0]
    opening = schedule.start.hour * 60 + schedule.start.minute
    closing = schedule.end.hour * 60 + schedule.end.minute
    length = rng.choice([20, 30, 45, 60, 120]) + 10
    if closing - opening < length:
        return None
    start_minute = opening + rng.randrange((closing - opening - length) // 15 + 1) * 15
    start = datetime.combine(day, time(), tzinfo=BERLIN) + timedelta(minutes=start_minute)
    candidate = Interval(start.astimezone(UTC), (start + timedelta(minutes=length)).astimezone(UTC))
    if any(candidate.start < other.end and other.start < candidate.end for other in taken):
        return None
    return candidate


def build_scenario(seed: int = 4) -> Scenario:
    """A branch with 10 staff and about 2,000 bookings over the next 60 days (deterministic)."""
    rng = random.Random(seed)
    now = datetime(2026, 6, 8, 7, 30, tzinfo=UTC)
    first_day = now.astimezone(BERLIN).date()
    weekly = salon_week()
    ids = [uuid.UUID(int=i + 1) for i in range(STAFF_COUNT)]
    bookings: dict[uuid.UUID, list[Interval]] = {staff_id: [] for staff_id in ids}
    placed = 0
    while placed < APPOINTMENTS:
        staff_id = rng.choice(ids)
        appointment = _book(rng, weekly, first_day, bookings[staff_id])
        if appointment is not None:
            bookings[staff_id].append(appointment)
            placed += 1
    staff = tuple(
        StaffCalendar(staff_id, f"Staff {i:02d}", weekly, busy=tuple(bookings[staff_id]))
        for i, staff_id in enumerate(ids)
    )
    service = ServiceRules(
        service_id=uuid.UUID(int=1000),
        duration=timedelta(minutes=45),
        buffer_before=timedelta(0),
        buffer_after=timedelta(minutes=10),
        min_notice=timedelta(minutes=60),
        horizon=timedelta(days=60),
        staff_ids=frozenset(ids),
    )
    branch = BranchRules(tz=BERLIN, state="BE", closures=(), slot_step=timedelta(minutes=15))
    return Scenario(
        branch=branch,
        service=service,
        staff=staff,
        now=now,
        start_date=first_day,
        end_date=first_day + timedelta(days=SEARCH_DAYS - 1),
        appointments=placed,
    )


def measure(run: Callable[[], object], iterations: int, warmup: int) -> tuple[Timings, Timings]:
    """Wall-clock and CPU time of ``run`` after ``warmup`` untimed calls.

    The warm-up fills the process-wide caches (holidays, day frames, working windows), as in a
    long-running server. CPU time is reported next to wall time because the benchmark machine is
    shared: CPU time shows the engine's own cost, wall time what a caller would wait.
    """
    for _ in range(warmup):
        run()
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(iterations):
        wall_start, cpu_start = clock.perf_counter_ns(), clock.thread_time_ns()
        run()
        cpu.append((clock.thread_time_ns() - cpu_start) / 1e6)
        wall.append((clock.perf_counter_ns() - wall_start) / 1e6)
    return Timings(tuple(wall)), Timings(tuple(cpu))


def measure_engine(
    scenario: Scenario, iterations: int, warmup: int
) -> tuple[Timings, Timings, int]:
    """The pure engine: one 14-day ``find_slots`` call per iteration; returns slot count too."""

    def search() -> int:
        slots = find_slots(
            scenario.branch,
            scenario.service,
            scenario.staff,
            scenario.start_date,
            scenario.end_date,
            scenario.now,
        )
        return len(slots)

    wall, cpu = measure(search, iterations, warmup)
    return wall, cpu, search()


def engine_section(scenario: Scenario, wall: Timings, cpu: Timings, slot_count: int) -> str:
    """The markdown body of the engine section."""
    return "\n".join(
        [
            "## Availability engine (pure, in-process)",
            "",
            f"`find_slots` for a {scenario.service.duration // timedelta(minutes=1)}-minute "
            f"service over {SEARCH_DAYS} days, {len(scenario.staff)} staff (Tue–Sat), "
            f"{scenario.appointments} appointments over the next {BOOKED_DAYS} days, "
            f"15-minute step; {slot_count} slots returned. "
            f"{len(wall.samples_ms)} timed runs after warm-up.",
            "",
            "| time | p50 | p95 | p99 | target |",
            "|---|---|---|---|---|",
            _row("wall clock", wall, "p95 ≤ 5 ms"),
            _row("CPU (this thread)", cpu, ""),
            "",
            f"Python {platform.python_version()} on {platform.machine()} "
            f"({os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} when it ran — "
            "the machine is shared, so p95/p99 include other processes' noise), "
            f"measured {datetime.now(UTC).date().isoformat()} with "
            "`.venv/bin/python bench/availability.py`.",
        ]
    )


def _row(label: str, timings: Timings, target: str) -> str:
    return (
        f"| {label} | {timings.percentile(50):.2f} ms | {timings.percentile(95):.2f} ms "
        f"| {timings.percentile(99):.2f} ms | {target} |"
    )


def write_section(path: Path, name: str, body: str) -> None:
    """Replace the ``<!-- bench:name -->`` section of ``path`` (append it if missing)."""
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{begin}\n{body}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=500, help="timed runs (default 500)")
    parser.add_argument("--warmup", type=int, default=50, help="untimed runs first (default 50)")
    parser.add_argument("--seed", type=int, default=4, help="seed of the generated bookings")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="benchmarks file")
    parser.add_argument("--no-write", action="store_true", help="print only, leave docs alone")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    scenario = build_scenario(args.seed)
    wall, cpu, slot_count = measure_engine(scenario, args.iterations, args.warmup)
    print(f"availability engine, 14-day search: {wall.summary()} ({slot_count} slots)")
    print(f"  CPU time: {cpu.summary()}")
    if not args.no_write:
        section = engine_section(scenario, wall, cpu, slot_count)
        write_section(args.output, ENGINE_SECTION, section)
        print(f"wrote section '{ENGINE_SECTION}' of {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
