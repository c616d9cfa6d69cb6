"""Benchmark of ``parse_when``: phrases/s and per-parse latency; updates docs/benchmarks.md.

Parses every German and English phrase of the table tests (tests/unit/language/
language_cases.py and season_cases.py), round after round, until at least ``--parses``
parses are timed, then prints throughput and p50/p95/p99 latency in microseconds. The
figures replace only the section between ``<!-- bench:language -->`` and
``<!-- /bench:language -->`` in docs/benchmarks.md, so other benchmarks share the file.

    .venv/bin/python bench/language.py [--parses 50000] [--no-write]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time as clock
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from frontdesk.language import de, en
from frontdesk.language.when import When

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "unit" / "language"))

from benchreport import write_section  # noqa: E402 - beside this script
from language_cases import (  # noqa: E402 - the phrase tables live with the tests
    ENGLISH,
    ENGLISH_CLARIFY,
    GERMAN,
    GERMAN_CLARIFY,
)
from season_cases import (  # noqa: E402
    ENGLISH_SEASON,
    ENGLISH_SEASON_CLARIFY,
    GERMAN_SEASON,
    GERMAN_SEASON_CLARIFY,
)

OUTPUT = ROOT / "docs" / "benchmarks.md"
TARGET_PER_SECOND = 10_000

Parse = Callable[[str, datetime], When]


def _workload() -> list[tuple[Parse, str, datetime]]:
    german = [(now, phrase) for now, phrase, _ in GERMAN + GERMAN_SEASON]
    german += GERMAN_CLARIFY + GERMAN_SEASON_CLARIFY
    english = [(now, phrase) for now, phrase, _ in ENGLISH + ENGLISH_SEASON]
    english += ENGLISH_CLARIFY + ENGLISH_SEASON_CLARIFY
    return [(de.parse_when, phrase, now) for now, phrase in german] + [
        (en.parse_when, phrase, now) for now, phrase in english
    ]


def measure(parses: int) -> tuple[float, list[float], int]:
    """Throughput (phrases/s), per-parse latencies (µs) and the phrase count."""
    work = _workload()
    for parse, phrase, now in work:  # warm-up: Babel data, regex caches
        parse(phrase, now)
    rounds = -(-parses // len(work))
    latencies: list[float] = []
    timer = clock.perf_counter_ns
    total_start = timer()
    for _ in range(rounds):
        for parse, phrase, now in work:
            start = timer()
            parse(phrase, now)
            latencies.append((timer() - start) / 1000)
    elapsed = (timer() - total_start) / 1e9
    return len(latencies) / elapsed, latencies, len(work)


def _percentile(sorted_values: list[float], share: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(share * len(sorted_values)))]


def render(per_second: float, latencies: list[float], phrases: int) -> str:
    ordered = sorted(latencies)
    p50, p95, p99 = (_percentile(ordered, share) for share in (0.50, 0.95, 0.99))
    return "\n".join(
        [
            "## Language (parse_when)",
            "",
            f"`de.parse_when` / `en.parse_when` over the {phrases} table-test phrases "
            f"(German and English, including the ones answered with a question), "
            f"{len(latencies):,} parses; mean {statistics.fmean(latencies):.1f} µs.",
            "",
            "| phrases/s | p50 | p95 | p99 | target |",
            "|---|---|---|---|---|",
            f"| {per_second:,.0f} | {p50:.1f} µs | {p95:.1f} µs | {p99:.1f} µs "
            f"| ≥ {TARGET_PER_SECOND:,} phrases/s |",
            "",
            f"Python {platform.python_version()} on {platform.machine()}, measured "
            f"{date.today().isoformat()} with `.venv/bin/python bench/language.py`.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parses", type=int, default=50_000)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    per_second, latencies, phrases = measure(args.parses)
    section = render(per_second, latencies, phrases)
    print(section)
    if not args.no_write:
        write_section(OUTPUT, "language", section)
    if per_second < TARGET_PER_SECOND:
        sys.exit(f"below target: {per_second:,.0f} < {TARGET_PER_SECOND:,} phrases/s")


if __name__ == "__main__":
    main()
