"""Handler registration and periodic periods (pure parts of the job system)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from frontdesk.jobs.handlers import default_registry
from frontdesk.jobs.registry import HandlerRegistry, JobContext
from frontdesk.jobs.schedule import Periodic


async def noop(ctx: JobContext, payload: dict[str, Any]) -> None:
    return None


async def other(ctx: JobContext, payload: dict[str, Any]) -> None:
    return None


def test_register_is_a_one_line_decorator_that_returns_the_handler() -> None:
    registry = HandlerRegistry()
    decorated = registry.register("demo.kind")(noop)
    assert decorated is noop
    assert registry.get("demo.kind") is noop
    assert registry.get("unknown") is None
    assert registry.kinds() == ("demo.kind",)
    assert registry.periodic() == ()


def test_a_kind_has_one_handler() -> None:
    registry = HandlerRegistry()
    registry.add("demo.kind", noop)
    registry.add("demo.kind", noop)  # importing a module twice is harmless
    with pytest.raises(ValueError, match="already registered"):
        registry.add("demo.kind", other)


def test_periodic_registration_declares_the_period() -> None:
    registry = HandlerRegistry()
    registry.register("reminders.send", every=timedelta(minutes=1), payload={"x": 1})(noop)
    assert registry.periodic() == (Periodic("reminders.send", timedelta(minutes=1), {"x": 1}),)


def test_default_registry_has_the_hourly_purge() -> None:
    registry = default_registry()
    assert registry.get("maintenance.purge") is not None
    assert Periodic("maintenance.purge", timedelta(hours=1)) in registry.periodic()


def test_periods_are_aligned_to_the_epoch_so_workers_agree() -> None:
    every_five = Periodic("sync.reconcile", timedelta(minutes=5))
    start = every_five.period_start(datetime(2026, 11, 24, 9, 7, 59, tzinfo=UTC))
    assert start == datetime(2026, 11, 24, 9, 5, tzinfo=UTC)
    assert every_five.period_start(start) == start
    assert every_five.period_start(start - timedelta(microseconds=1)) == start - timedelta(
        minutes=5
    )
    assert every_five.dedupe_key(start) == "periodic:sync.reconcile:2026-11-24T09:05:00+00:00"


def test_sub_second_periods_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one second"):
        Periodic("too.fast", timedelta(milliseconds=10))
