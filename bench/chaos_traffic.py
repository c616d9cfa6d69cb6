"""The chaos run's traffic: voice callers (signed Retell function calls) and bookings made on
Cal.com's own page, with what each caller was told kept in the ledger for the verdict."""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from chaos_compare import Expected, Ledger

from frontdesk import demo
from frontdesk.voice.signature import sign

BERLIN = ZoneInfo("Europe/Berlin")
SERVICES = ("Herrenhaarschnitt", "Damenhaarschnitt", "Waschen & Föhnen", "Beratung")
# Cal.com-side bookings: Herrenhaarschnitt (all hosts), Beratung (all), Damenhaarschnitt.
PAGE_EVENT_TYPES = (7002, 7005, 7001)
BOOKED = ("booked", "duplicate")
REQUEST_TIMEOUT_S = 15.0
PAGE_ATTEMPTS = 40


@dataclass(frozen=True)
class Plan:
    server: str
    emulator: str
    retell_key: str
    bookings: int
    cancels: int
    reschedules: int
    page_bookings: int
    voice_days: list[date]
    page_days: list[date]
    concurrency: int


@dataclass
class Traffic:
    ledger: Ledger = field(default_factory=Ledger)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    done: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    bursts: int = 0
    deliveries: dict[str, int] = field(default_factory=dict)
    dead_jobs: int = 0

    def add(self, name: str, ms: float, status: str) -> None:
        self.latencies[name].append(ms)
        self.statuses[name][status] += 1

    def percentile_all(self, q: int) -> float:
        return _percentile([ms for values in self.latencies.values() for ms in values], q)

    def latency_table(self) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                "count": len(values),
                "p50": _percentile(values, 50),
                "p95": _percentile(values, 95),
                "p99": _percentile(values, 99),
                "statuses": ", ".join(f"{k} {v}" for k, v in sorted(self.statuses[name].items())),
            }
            for name, values in sorted(self.latencies.items())
        ]


def _percentile(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(sorted(values), n=100, method="inclusive")[q - 1]


@dataclass
class Caller:
    """One caller: their phone number is who they are to the voice agent."""

    client: aiohttp.ClientSession
    plan: Plan
    traffic: Traffic
    phone: str
    index: int

    async def fn(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        call = {
            "call_id": f"chaos_{self.index}_{name}_{time.monotonic_ns()}",
            "from_number": self.phone,
            "to_number": demo.PHONE_NUMBER,
            "call_type": "phone_call",
        }
        body = json.dumps({"name": name, "args": args, "call": call}, ensure_ascii=False).encode()
        headers = {
            "X-Retell-Signature": sign(body, self.plan.retell_key, int(time.time() * 1000)),
            "Content-Type": "application/json",
        }
        began = time.perf_counter()
        try:
            async with self.client.post(
                f"/retell/functions/{name}", data=body, headers=headers
            ) as r:
                raw, code = await r.read(), r.status
        except (aiohttp.ClientError, TimeoutError) as error:
            self.traffic.add(name, (time.perf_counter() - began) * 1000, type(error).__name__)
            return {}
        ms = (time.perf_counter() - began) * 1000
        if code != 200:
            self.traffic.add(name, ms, f"http_{code}")
            return {}
        answer: dict[str, Any] = json.loads(raw)
        status = str(answer.get("status", "ok"))
        reason = answer.get("reason")
        self.traffic.add(name, ms, f"{status} ({reason})" if reason else status)
        return answer

    async def slots(self, rng: random.Random, service: str, day: date) -> list[dict[str, Any]]:
        """Offers on ``day`` only: a full day is answered with later days' slots, which could
        be the page bookings' days (kept apart, see chaos.plan_days)."""
        hour, minute = rng.randrange(9, 17), rng.choice((0, 15, 30, 45))
        args = {"service": service, "date": day.isoformat(), "time": f"{hour:02d}:{minute:02d}"}
        offered = (await self.fn("check_availability", args)).get("slots") or []
        return [s for s in offered if datetime.fromisoformat(s["start"]).date() == day]

    async def book(self, rng: random.Random) -> tuple[str, str] | None:
        """Book a slot (a second offer when the first was taken meanwhile)."""
        service = rng.choice(SERVICES)
        offered = await self.slots(rng, service, rng.choice(self.plan.voice_days))
        for slot in offered[:2]:
            args = {"slot_id": slot["slot_id"], "customer_name": f"Chaos Kundin {self.index}"}
            answer = await self.fn("book_appointment", args)
            appointment = answer.get("appointment")
            if answer.get("status") in BOOKED and appointment:
                start = datetime.fromisoformat(appointment["start"])
                self.traffic.ledger.voice[appointment["id"]] = Expected(True, start)
                self.traffic.done["booked"] += 1
                return appointment["id"], service
            if answer.get("status") not in ("slot_taken", "unavailable"):
                return None
        return None

    async def cancel(self, appointment_id: str) -> None:
        answer = await self.fn(
            "cancel_appointment", {"appointment_id": appointment_id, "accept_fee": True}
        )
        if answer.get("status") in ("cancelled", "already_cancelled"):
            self.traffic.ledger.voice[appointment_id] = Expected(False, None)
            self.traffic.done["cancelled"] += 1

    async def reschedule(self, rng: random.Random, appointment_id: str, service: str) -> None:
        offered = await self.slots(rng, service, rng.choice(self.plan.voice_days))
        if not offered:
            return
        args = {"appointment_id": appointment_id, "slot_id": offered[0]["slot_id"]}
        answer = await self.fn("reschedule_appointment", args)
        appointment = answer.get("appointment")
        if answer.get("status") == "rescheduled" and appointment:
            start = datetime.fromisoformat(appointment["start"])
            self.traffic.ledger.voice[appointment_id] = Expected(True, start)
            self.traffic.done["rescheduled"] += 1


async def page_booking(
    client: aiohttp.ClientSession, plan: Plan, traffic: Traffic, rng: random.Random, index: int
) -> None:
    """A booking on Cal.com's own page (the emulator's admin route: no faults, webhooks sent);
    a refused time (taken, off the hours) is tried again elsewhere."""
    for _ in range(PAGE_ATTEMPTS):
        day = rng.choice(plan.page_days)
        local = datetime.combine(
            day, clock_time(rng.randrange(9, 17), rng.choice((0, 15, 30, 45))), BERLIN
        )
        body = {
            "start": local.astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z"),
            "eventTypeId": rng.choice(PAGE_EVENT_TYPES),
            "attendee": {
                "name": f"Seiten Kunde {index}",
                "timeZone": "Europe/Berlin",
                "email": f"page-{index}@example.org",
                "phoneNumber": f"+49160{index:07d}",
            },
        }
        async with client.post(f"{plan.emulator}/_emulator/bookings", json=body) as response:
            if response.status == 201:
                traffic.ledger.page_uids.append(str((await response.json())["uid"]))
                traffic.done["page_booked"] += 1
                return
            await response.read()
    traffic.done["page_gave_up"] += 1


async def drive(plan: Plan, rng: random.Random, on_half: Callable[[], None]) -> Traffic:
    traffic = Traffic()
    limit = asyncio.Semaphore(plan.concurrency)
    connector = aiohttp.TCPConnector(limit=plan.concurrency * 2 + 4)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    booked: list[tuple[Caller, str, str]] = []
    finished = 0
    half_done = asyncio.Event()

    async with aiohttp.ClientSession(plan.server, connector=connector, timeout=timeout) as client:

        async def one_booking(index: int, seed: int) -> None:
            nonlocal finished
            caller = Caller(client, plan, traffic, f"+49151{10_000_000 + index}", index)
            async with limit:
                made = await caller.book(random.Random(seed))
            if made is not None:
                booked.append((caller, *made))
            finished += 1
            if finished * 2 >= plan.bookings and not half_done.is_set():
                half_done.set()
                await asyncio.to_thread(on_half)

        async def one_page(index: int, seed: int) -> None:
            async with limit:
                await page_booking(client, plan, traffic, random.Random(seed), index)

        seeds = [rng.randrange(2**32) for _ in range(plan.bookings + plan.page_bookings)]
        await asyncio.gather(
            *(one_booking(i, seeds[i]) for i in range(plan.bookings)),
            *(one_page(i, seeds[plan.bookings + i]) for i in range(plan.page_bookings)),
        )
        if not half_done.is_set():
            await asyncio.to_thread(on_half)
        # Changes in a stable order (by appointment id), so a seed picks the same ones.
        booked.sort(key=lambda item: item[1])
        rng.shuffle(booked)
        cancels = booked[: plan.cancels]
        moves = booked[plan.cancels : plan.cancels + plan.reschedules]

        async def one_cancel(caller: Caller, appointment_id: str) -> None:
            async with limit:
                await caller.cancel(appointment_id)

        async def one_move(caller: Caller, appointment_id: str, service: str, seed: int) -> None:
            async with limit:
                await caller.reschedule(random.Random(seed), appointment_id, service)

        await asyncio.gather(
            *(one_cancel(c, a) for c, a, _ in cancels),
            *(one_move(c, a, s, rng.randrange(2**32)) for c, a, s in moves),
        )
    return traffic
