"""Every emulator test starts from the suite's fixed instant (a Tuesday, 08:00 in Berlin)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from tests.calcom_emulator_support import Emulator, running_emulator
from tests.clock_support import START, FakeTime


@pytest.fixture
def time() -> FakeTime:
    return FakeTime(START)


@pytest.fixture
async def emulator(time: FakeTime) -> AsyncIterator[Emulator]:
    async with running_emulator(time) as running:
        yield running
        assert running.transport.errors == [], "\n".join(running.transport.errors)
