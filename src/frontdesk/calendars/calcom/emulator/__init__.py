"""A Cal.com API v2 emulator for development, tests and benchmarks (docs/calcom-emulator.md).

Serves the subset ``frontdesk.calendars.calcom.client`` uses with Cal.com's shapes, status
codes, error envelope, rate limit and webhook delivery, plus fault injection through
``/_emulator``. Never expose it: the admin API has no authentication.
"""

from frontdesk.calendars.calcom.emulator.app import create_emulator_app
from frontdesk.calendars.calcom.emulator.faults import Faults
from frontdesk.calendars.calcom.emulator.ratelimit import RateLimitConfig
from frontdesk.calendars.calcom.emulator.seed import SEEDS, demo_catalogue
from frontdesk.calendars.calcom.emulator.state import DEFAULT_API_KEY, EmulatorState

__all__ = [
    "DEFAULT_API_KEY",
    "SEEDS",
    "EmulatorState",
    "Faults",
    "RateLimitConfig",
    "create_emulator_app",
    "demo_catalogue",
]
