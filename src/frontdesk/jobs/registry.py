"""Job handlers, registered by kind in one place.

A handler is ``async def handler(ctx: JobContext, payload: dict[str, Any]) -> None``. It must be
**idempotent**: the worker guarantees at-least-once execution, so after a crash (or a lease that
expired while the handler was still running) the same job runs again. Make the second run find
its own earlier effect and do nothing (look up by our id, upsert, compare a version).

Registering is one decorator; periodic work states its period in the same line::

    @DEFAULT_REGISTRY.register("calendar.sync")
    async def sync_booking(ctx: JobContext, payload: dict[str, Any]) -> None: ...

    @DEFAULT_REGISTRY.register("reminders.send", every=timedelta(minutes=1))
    async def send_reminders(ctx: JobContext, payload: dict[str, Any]) -> None: ...

and the module is listed in ``frontdesk.jobs.handlers.HANDLER_MODULES`` so workers import it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from frontdesk.jobs.schedule import Periodic
from frontdesk.settings import Settings

if TYPE_CHECKING:
    from frontdesk.calendars.providers import CalendarProviders
    from frontdesk.messages.channels import Channels


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a handler knows about its run, and the resources it may use.

    ``sessions`` opens the handler's own transactions: the handler's writes and the worker's
    "succeeded" mark are separate commits, which is why handlers must be idempotent.

    ``session`` is set for handlers registered ``transactional``: the worker's transaction, in
    which the handler writes (without committing) and the worker then marks the job succeeded,
    fenced by its lease. One commit for both, and a run that lost its lease writes nothing.
    """

    job_id: int
    kind: str
    attempt: int
    tenant_id: uuid.UUID | None
    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    clock: Callable[[], datetime]
    session: AsyncSession | None = None
    # Outside calendars of the process (None where a worker runs without them, e.g. tests).
    calendars: CalendarProviders | None = None
    # E-mail and SMS channels given by the process (tests); None: built from ``settings``.
    channels: Channels | None = None


Handler = Callable[[JobContext, dict[str, Any]], Awaitable[None]]
H = TypeVar("H", bound=Handler)


@dataclass
class HandlerRegistry:
    """Handlers by kind, and the periodic runs some of them want."""

    _handlers: dict[str, Handler] = field(default_factory=dict)
    _periodic: dict[str, Periodic] = field(default_factory=dict)
    _transactional: set[str] = field(default_factory=set)

    def register(
        self,
        kind: str,
        *,
        every: timedelta | None = None,
        payload: dict[str, Any] | None = None,
        transactional: bool = False,
    ) -> Callable[[H], H]:
        """Decorator: run the function for jobs of ``kind`` (and every ``every``, if given)."""

        def decorate(handler: H) -> H:
            self.add(kind, handler, every=every, payload=payload, transactional=transactional)
            return handler

        return decorate

    def add(
        self,
        kind: str,
        handler: Handler,
        *,
        every: timedelta | None = None,
        payload: dict[str, Any] | None = None,
        transactional: bool = False,
    ) -> None:
        """Register ``handler`` for ``kind``; a kind has exactly one handler.

        ``transactional``: the handler only writes to our database and gets the worker's
        transaction as ``JobContext.session`` (see there).
        """
        existing = self._handlers.get(kind)
        if existing is not None and existing is not handler:
            raise ValueError(f"a handler for job kind {kind!r} is already registered")
        self._handlers[kind] = handler
        if transactional:
            self._transactional.add(kind)
        if every is not None:
            self._periodic[kind] = Periodic(kind, every, payload or {})

    def get(self, kind: str) -> Handler | None:
        return self._handlers.get(kind)

    def is_transactional(self, kind: str) -> bool:
        return kind in self._transactional

    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted(self._handlers))

    def periodic(self) -> tuple[Periodic, ...]:
        return tuple(self._periodic[kind] for kind in sorted(self._periodic))


# The process-wide registry the worker uses by default; see handlers.default_registry().
DEFAULT_REGISTRY = HandlerRegistry()
