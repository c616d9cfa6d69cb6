"""Every series the Grafana dashboard (deploy/grafana/dashboards/frontdesk.json) queries exists on
a live /metrics, with the labels the query matches on or groups by: a small scenario runs through
the ASGI app first (an inbound call, a voice booking, a REST call, a refused Cal.com webhook,
readiness, a job run), and its own counts are checked on the way."""

from __future__ import annotations

from collections import defaultdict

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from tests.app_support import DEMO_KEY
from tests.deploy_support import known_series, metric_selectors, panel_queries
from tests.voice_support import RetellClient, retell_fixture  # noqa: F401

from frontdesk import demo
from frontdesk.db.engine import create_session_factory
from frontdesk.jobs.handlers import default_registry
from frontdesk.jobs.queue import enqueue
from frontdesk.jobs.worker import Worker
from frontdesk.settings import Settings

# Series this scenario cannot produce: they need Cal.com (a breaker, the sync saga, the inbox,
# the reconciliation, the mirror), a failing job or an outage. Their names must still be on
# /metrics and the labels queried must be among those they are declared with.
NOT_IN_SCENARIO = {
    "frontdesk_breakers_open",
    "frontdesk_breaker_transitions_total",
    "frontdesk_calendar_sync_total",
    "frontdesk_calcom_webhooks_processed_total",
    "frontdesk_reconciliation_mismatches_total",
    "frontdesk_mirror_oldest_fetched_age_seconds",
    "frontdesk_jobs_failed_total",
    "frontdesk_degraded_total",
}
# Labels Prometheus adds to every scraped series.
SCRAPE_LABELS = {"instance", "job"}


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def run_scenario(retell: RetellClient) -> None:
    booked_before = value(
        "frontdesk_bookings_total", outcome="booked", source="phone", provider="builtin"
    )
    answered_before = value(
        "frontdesk_voice_function_duration_seconds_count",
        function="book_appointment",
        outcome="ok",
    )
    lookups_before = value("frontdesk_availability_cache_lookups_total", result="miss") + value(
        "frontdesk_availability_cache_lookups_total", result="hit"
    )

    assert (await retell.inbound()).status_code == 200
    check = await retell.fn(
        "check_availability", {"service": "Herrenhaarschnitt", "date": "morgen", "time": "10 Uhr"}
    )
    booked = await retell.fn("book_appointment", {"slot_id": check["slots"][0]["slot_id"]})
    assert booked["status"] == "booked", booked
    unknown_before = value(
        "frontdesk_voice_function_duration_seconds_count", function="unknown", outcome="refused"
    )
    stranger = await retell.post("/retell/functions/no_such_function", {"call": {}})
    assert stranger.status_code == 404
    # The path's name is not a label value: it is "unknown" (bounded labels).
    assert value(
        "frontdesk_voice_function_duration_seconds_count", function="unknown", outcome="refused"
    ) == (unknown_before + 1)
    services = await retell.http.get(
        "/api/v1/services", headers={"Authorization": f"Bearer {DEMO_KEY}"}
    )
    assert services.status_code == 200
    refused = await retell.http.post(
        f"/calcom/webhook/{demo.TENANT_SLUG}",
        content=b'{"triggerEvent": "BOOKING_CREATED"}',
        headers={"X-Cal-Signature-256": "0" * 64, "Content-Type": "application/json"},
    )
    assert refused.status_code == 401
    assert (await retell.http.get("/readyz")).status_code == 200
    await run_a_job(retell)

    assert value(
        "frontdesk_bookings_total", outcome="booked", source="phone", provider="builtin"
    ) == (booked_before + 1)
    assert value(
        "frontdesk_voice_function_duration_seconds_count",
        function="book_appointment",
        outcome="ok",
    ) == (answered_before + 1)
    after = value("frontdesk_availability_cache_lookups_total", result="miss") + value(
        "frontdesk_availability_cache_lookups_total", result="hit"
    )
    assert after > lookups_before
    assert value("frontdesk_ready", check="database") == 1.0


async def run_a_job(retell: RetellClient) -> None:
    """The purge job, run by a worker of this test on the app's database and clock."""
    sessions = create_session_factory(retell.engine, retell.clock)
    async with sessions() as session:
        await enqueue(session, "maintenance.purge", {}, run_after=retell.now)
        await session.commit()
    worker = Worker(
        sessions, default_registry(), clock=retell.clock, settings=Settings(), periodic=()
    )
    assert await worker.run_until_idle() >= 1
    await worker.update_gauges()


def scraped(text: str) -> tuple[set[str], dict[str, set[str]]]:
    """The series names /metrics declares (HELP/TYPE, samples or not) and the label names each
    sample name carries."""
    declared: set[str] = set()
    labels: dict[str, set[str]] = defaultdict(set)
    for family in text_string_to_metric_families(text):
        declared.add(family.name)
        if family.type == "counter":
            declared.add(family.name + "_total")
        if family.type == "histogram":
            declared.update(family.name + suffix for suffix in ("_bucket", "_sum", "_count"))
        for sample in family.samples:
            labels[sample.name].update(sample.labels)
    return declared, labels


async def test_every_dashboard_query_resolves_against_metrics(retell: RetellClient) -> None:
    await run_scenario(retell)
    response = await retell.http.get("/metrics")
    assert response.status_code == 200
    declared, labels = scraped(response.text)
    known = known_series()
    queries = panel_queries()
    assert len(queries) >= 20
    for title, expr in queries:
        selectors = metric_selectors(expr)
        assert selectors, f"{title}: no metric in {expr!r}"
        for name, wanted in selectors:
            assert name in declared, f"{title}: {name} is not on /metrics"
            if name in labels:
                have = labels[name]
            else:
                assert name in NOT_IN_SCENARIO, f"{title}: the scenario produced no {name}"
                have = known[name]
            missing = wanted - have - SCRAPE_LABELS
            assert not missing, f"{title}: {name} has no label {sorted(missing)}"
