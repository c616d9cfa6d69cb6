"""Cal.com mode of ``bench/voice.py``: the emulator as the branch's calendar.

Starts ``frontdesk dev calcom-emulator`` (its own process group), gives it Cal.com-like
latency, links the demo tenant to it with ``frontdesk calcom connect``, waits until the
availability mirror covers the days the calls ask about, and afterwards reads what ended where:
our bookings by sync state, the emulator's bookings (duplicates?) and its busiest 60 s per key.
"""

from __future__ import annotations

import bisect
import os
import signal
import subprocess
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg

EMULATOR_KEY = "cal_test_emulator"
TENANT = "salon-sonnenschein"
# Cal.com's fixed window: the 121st request of a key within 60 s is refused and the key blocked.
CALCOM_LIMIT_PER_MINUTE = 120
ACTIVE_STATUSES = ("pending", "confirmed")


@dataclass
class Emulator:
    process: subprocess.Popen[bytes]
    url: str


def start_emulator(cli: str, port: int, latency_ms: tuple[int, int]) -> Emulator:
    """The emulator with the demo seed, answering after ``latency_ms`` (uniform, seeded)."""
    process = subprocess.Popen(
        [cli, "dev", "calcom-emulator", "--port", str(port), "--seed", "demo"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: stop_emulator ends all of it
    )
    emulator = Emulator(process, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{emulator.url}/_emulator/faults", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    else:
        stop_emulator(emulator)
        raise RuntimeError("the Cal.com emulator did not answer within 30 s")
    faults = {"latency_ms": list(latency_ms), "seed": 1}
    httpx.put(f"{emulator.url}/_emulator/faults", json=faults, timeout=5).raise_for_status()
    return emulator


def stop_emulator(emulator: Emulator) -> None:
    try:
        os.killpg(emulator.process.pid, signal.SIGTERM)
        emulator.process.wait(timeout=10)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(emulator.process.pid, signal.SIGKILL)
        emulator.process.wait()


def connect(cli: str, env: Mapping[str, str], emulator: Emulator, server_url: str) -> None:
    """``frontdesk calcom connect`` against the bench database (the same env as ``demo``)."""
    result = subprocess.run(
        [
            cli,
            "calcom",
            "connect",
            "--tenant",
            TENANT,
            "--api-key",
            EMULATOR_KEY,
            "--api-url",
            emulator.url,
            "--webhook-url",
            server_url,
        ],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"calcom connect failed:\n{result.stdout}\n{result.stderr}")


# --- the mirror ----------------------------------------------------------------------------


def mirror_coverage(connection: psycopg.Connection[Any], days: Sequence[date]) -> int:
    """Mirror rows for ``days`` that were fetched at least once."""
    filled = connection.execute(
        "SELECT count(*) FROM calendar_mirror_day "
        "WHERE fetched_at IS NOT NULL AND day >= %s AND day <= %s",
        (min(days), max(days)),
    ).fetchone()
    return filled[0] if filled else 0


def wait_for_mirror(
    dsn: Mapping[str, Any], days: Sequence[date], expected_pairs: int, timeout: float
) -> float:
    """Seconds until the mirror covers ``days`` for ``expected_pairs`` pairs (raise on timeout).

    The periodic refresh asks at most 60 requests per minute, 14 days each, so a fresh link
    of the demo (14 pairs × 61 days) takes a minute or two.
    """
    began = time.monotonic()
    wanted = expected_pairs * len(days)
    filled = 0
    while time.monotonic() - began < timeout:
        with psycopg.connect(**dsn, autocommit=True) as connection:
            filled = mirror_coverage(connection, days)
        if filled >= wanted:
            return time.monotonic() - began
        time.sleep(2)
    raise RuntimeError(f"the mirror covered {filled} of {wanted} (pair, day) rows in {timeout} s")


def mirrored_pairs(emulator: Emulator) -> int:
    """(event type, host) pairs of the demo team: what the mirror must fill."""
    state = httpx.get(
        f"{emulator.url}/v2/teams/4242/event-types",
        headers={"Authorization": f"Bearer {EMULATOR_KEY}"},
        timeout=10,
    )
    state.raise_for_status()
    return sum(len(kind["hosts"]) for kind in state.json()["data"])


# --- the outcome ---------------------------------------------------------------------------


@dataclass
class Outcome:
    """What ended where, read after the run and a drain of the job queue."""

    by_sync_state: dict[str, int] = field(default_factory=dict)
    by_status_and_sync: dict[str, int] = field(default_factory=dict)
    queued_jobs: int = 0
    jobs_by_state: dict[str, int] = field(default_factory=dict)
    calcom_bookings: int = 0
    calcom_by_status: dict[str, int] = field(default_factory=dict)
    our_linked: int = 0
    duplicates: int = 0
    unknown_to_us: int = 0
    max_per_60s: dict[str, int] = field(default_factory=dict)
    refused_429: int = 0
    calcom_requests: int = 0
    deliveries: dict[str, int] = field(default_factory=dict)


def read_outcome(dsn: Mapping[str, Any], emulator: Emulator) -> Outcome:
    outcome = Outcome()
    with psycopg.connect(**dsn, autocommit=True) as connection:
        _read_database(connection, outcome)
        ours = {
            str(uid): str(appointment)
            for uid, appointment in connection.execute(
                "SELECT uid, appointment_id FROM appointment_external_uid"
            ).fetchall()
        }
    state = httpx.get(f"{emulator.url}/_emulator/state", timeout=60).json()
    _compare_bookings(state["bookings"], ours, outcome)
    outcome.max_per_60s = max_per_window(state["requests"], 60.0)
    outcome.calcom_requests = sum(1 for r in state["requests"] if r["path"].startswith("/v2"))
    outcome.refused_429 = sum(1 for r in state["requests"] if r["status"] == 429)
    outcome.deliveries = dict(Counter(d["outcome"] for d in state["deliveries"]))
    return outcome


def _read_database(connection: psycopg.Connection[Any], outcome: Outcome) -> None:
    rows = connection.execute(
        "SELECT status, sync_state, count(*) FROM appointment GROUP BY status, sync_state"
    ).fetchall()
    by_sync: Counter[str] = Counter()
    for status, sync_state, count in rows:
        by_sync[str(sync_state)] += count
        outcome.by_status_and_sync[f"{status}/{sync_state}"] = count
    outcome.by_sync_state = dict(by_sync)
    jobs = connection.execute(
        "SELECT kind, state, count(*) FROM job WHERE kind LIKE 'calendar.%%' GROUP BY kind, state"
    ).fetchall()
    outcome.jobs_by_state = {f"{kind} {state}": count for kind, state, count in jobs}
    outcome.queued_jobs = sum(c for k, c in outcome.jobs_by_state.items() if k.endswith("queued"))


def _compare_bookings(
    bookings: Sequence[Mapping[str, Any]], ours: Mapping[str, str], outcome: Outcome
) -> None:
    """Every Cal.com booking should be one of ours (by uid), and no appointment of ours should
    have more than one live chain in Cal.com: a second create for the same appointment (not a
    reschedule of the first) is a duplicate."""
    api = [b for b in bookings if b.get("source") == "api"]
    outcome.calcom_bookings = len(api)
    outcome.calcom_by_status = dict(Counter(str(b["status"]) for b in api))
    outcome.our_linked = sum(1 for b in api if b["uid"] in ours)
    outcome.unknown_to_us = len(api) - outcome.our_linked
    originals: dict[str, int] = defaultdict(int)
    for booking in api:
        appointment = (booking.get("metadata") or {}).get("frontdesk_appointment_id")
        # A reschedule is a new booking of the same appointment; only chain heads count.
        if appointment and not booking.get("rescheduledFromUid"):
            originals[str(appointment)] += 1
    outcome.duplicates = sum(n - 1 for n in originals.values() if n > 1)


def max_per_window(requests: Sequence[Mapping[str, Any]], window: float) -> dict[str, int]:
    """The most ``/v2`` requests any ``window`` seconds held, per tracker (sliding)."""
    times: dict[str, list[float]] = defaultdict(list)
    for request in requests:
        if request["path"].startswith("/v2"):
            moment = datetime.fromisoformat(request["at"]).timestamp()
            times[request["tracker"]].append(moment)
    best: dict[str, int] = {}
    for tracker, moments in times.items():
        moments.sort()
        best[tracker] = max(
            bisect.bisect_left(moments, t + window) - i for i, t in enumerate(moments)
        )
    return best


def wait_for_jobs(dsn: Mapping[str, Any], timeout: float) -> float:
    """Seconds until no calendar job is queued or running (or ``timeout``)."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        with psycopg.connect(**dsn, autocommit=True) as connection:
            row = connection.execute(
                "SELECT count(*) FROM job WHERE kind = 'calendar.sync' "
                "AND state IN ('queued', 'running')"
            ).fetchone()
        if not row or row[0] == 0:
            break
        time.sleep(2)
    return time.monotonic() - began


def horizon_days(today: date, first: int, last: int) -> list[date]:
    return [today + timedelta(days=i) for i in range(first, last + 1)]


def outcome_lines(outcome: Outcome, drain_seconds: float) -> list[str]:
    def fmt(counts: Mapping[str, int]) -> str:
        return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"

    trackers = fmt(outcome.max_per_60s)
    # The bench cancels every booking it was told about, so what is still active was booked
    # for a caller who heard something else (an apology after a timeout, mostly).
    active = sum(
        n for k, n in outcome.by_status_and_sync.items() if k.split("/")[0] in ACTIVE_STATUSES
    )
    return [
        f"After the run and {drain_seconds:.0f} s of draining the job queue:",
        "",
        f"- our bookings by sync_state: {fmt(outcome.by_sync_state)} "
        f"(by status/sync_state: {fmt(outcome.by_status_and_sync)})",
        f"- still active at the end: {active} — the bench cancels every booking it was told "
        "about, so these were booked for callers who heard something else (mostly the timeout "
        "apology)",
        f"- calendar jobs: {fmt(outcome.jobs_by_state)}",
        f"- Cal.com (emulator) bookings made through the API: {outcome.calcom_bookings} "
        f"({fmt(outcome.calcom_by_status)}); with a uid we recorded: {outcome.our_linked}; "
        f"unknown to us: {outcome.unknown_to_us}; duplicates (a second create for one "
        f"appointment): {outcome.duplicates}",
        f"- Cal.com requests: {outcome.calcom_requests}; most in any 60 s per key: {trackers} "
        f"(limit {CALCOM_LIMIT_PER_MINUTE}); answered 429: {outcome.refused_429}",
        f"- webhook deliveries to frontdesk: {fmt(outcome.deliveries)}",
    ]


def cli_path(python: str) -> str:
    return str(Path(python).parent / "frontdesk")
