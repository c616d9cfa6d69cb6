"""Which calendar a branch uses, and the one place that builds a provider's adapter.

A branch on the built-in calendar has no adapter: our database is its calendar, so a booking
is complete when its transaction commits and availability comes from the engine. A branch on
an outside provider gets a ``CalendarPort`` built here from its ``ProviderLink`` (the tenant's
sealed key, base URL and the branch's provider settings). Adding a provider (CalDAV, Google)
is a new adapter module and one entry in ``_FACTORIES`` — the use cases do not change.

One instance per process: it owns the HTTP connection pool and the resilience guard (breaker
and rate budget, in Redis when configured so every process shares them) and caches adapters
per tenant key.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from redis.asyncio import Redis

from frontdesk.calendars.calcom.adapter import CalcomCalendar
from frontdesk.calendars.calcom.client import CalcomClient
from frontdesk.calendars.calcom.probe import CalcomProbe
from frontdesk.calendars.calcom.transport import Guard
from frontdesk.calendars.errors import CalendarAuthFailed
from frontdesk.calendars.port import CalendarPort, CalendarProbe, ProviderLink
from frontdesk.domain.clock import Clock
from frontdesk.domain.model import CalendarProvider
from frontdesk.resilience.clocks import Monotonic, Sleep
from frontdesk.secrets import SecretUnreadable, unseal
from frontdesk.settings import Settings

# Connection limits for all tenants' provider calls of one process.
HTTP_LIMITS = httpx.Limits(max_connections=50, max_keepalive_connections=20)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process: building one loads the whole CA bundle (~10 ms of
    CPU), and an app — with its providers — is built per test, per reload and per CLI command."""
    return httpx.create_ssl_context()


class CalendarProviders:
    """Builds and caches the adapters of a process (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock,
        redis: Redis | None = None,
        http: httpx.AsyncClient | None = None,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        guard: Guard | None = None,
    ) -> None:
        self.settings = settings
        self._owns_http = http is None
        self.http = http or httpx.AsyncClient(limits=HTTP_LIMITS, verify=_tls_context())
        self.guard = guard or Guard.build(
            clock=clock,
            monotonic=monotonic,
            sleep=sleep,
            redis=redis,
            block_seconds=settings.calcom_block_seconds,
        )
        self._ports: dict[tuple[object, ...], CalendarPort] = {}

    def port(self, link: ProviderLink) -> CalendarPort:
        """The adapter for ``link``; ``CalendarAuthFailed`` when its key cannot be opened."""
        key = (link.tenant_id, link.provider, link.sealed_key, link.api_url, _frozen(link.config))
        port = self._ports.get(key)
        if port is None:
            factory = _FACTORIES.get(link.provider)
            if factory is None:
                raise ValueError(f"{link.provider} has no outside calendar adapter")
            port = factory(link, self)
            self._ports[key] = port
        return port

    def probe(self, link: ProviderLink, *, seconds: float) -> CalendarProbe:
        """A read-only probe of ``link``'s provider for ``frontdesk doctor``, each request
        bounded by ``seconds``; ``CalendarAuthFailed`` when its key cannot be opened."""
        if link.provider is not CalendarProvider.CALCOM:
            raise ValueError(f"{link.provider} has no outside calendar probe")
        return CalcomProbe(
            _calcom_client(link, self),
            team_id=_team_id(link),
            seconds=seconds,
            monotonic=self.guard.monotonic,
        )

    async def aclose(self) -> None:
        if self._owns_http:
            await self.http.aclose()


def _calcom(link: ProviderLink, providers: CalendarProviders) -> CalendarPort:
    return CalcomCalendar(_calcom_client(link, providers), team_id=_team_id(link))


def _team_id(link: ProviderLink) -> int | None:
    team = link.config.get("team_id")
    return int(team) if team is not None else None


def _calcom_client(link: ProviderLink, providers: CalendarProviders) -> CalcomClient:
    if not link.sealed_key:
        raise CalendarAuthFailed("no Cal.com API key stored: run `frontdesk calcom connect`")
    try:
        api_key = unseal(link.sealed_key, providers.settings.secret_key)
    except SecretUnreadable as exc:
        raise CalendarAuthFailed(str(exc)) from exc
    return CalcomClient.for_tenant(
        providers.http,
        tenant=link.tenant_slug,
        api_key=api_key,
        guard=providers.guard,
        base_url=link.api_url or providers.settings.calcom_api_url,
    )


_FACTORIES: dict[CalendarProvider, Callable[[ProviderLink, CalendarProviders], CalendarPort]] = {
    CalendarProvider.CALCOM: _calcom,
}


def _frozen(config: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, repr(v)) for k, v in config.items() if k == "team_id"))
