"""Prometheus metrics of the process, and their exposition (multi-process aware)."""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.registry import REGISTRY

HTTP_REQUESTS = Counter(
    "frontdesk_http_requests_total",
    "HTTP requests answered, by route template and status code.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "frontdesk_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)

JOBS_ENQUEUED = Counter(
    "frontdesk_jobs_enqueued_total",
    "Jobs written to the outbox (counted at enqueue, before the caller's commit).",
    ["kind"],
)
NOTIFICATIONS = Counter(
    "frontdesk_notifications_total",
    "Messages to customers and the business, by channel, kind and outcome.",
    ["channel", "kind", "outcome"],
)
JOBS_SUCCEEDED = Counter("frontdesk_jobs_succeeded_total", "Job runs that succeeded.", ["kind"])
JOBS_FAILED = Counter(
    "frontdesk_jobs_failed_total", "Job runs that failed and will be retried.", ["kind"]
)
JOBS_DEAD = Counter("frontdesk_jobs_dead_total", "Jobs given up on (state dead).", ["kind"])
JOBS_DEFERRED = Counter(
    "frontdesk_jobs_deferred_total",
    "Runs put back uncounted because a dependency declined the work (breaker open, budget).",
    ["kind"],
)
JOB_DURATION = Histogram(
    "frontdesk_job_duration_seconds",
    "Time a job handler ran, by kind.",
    ["kind"],
    buckets=(0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0),
)
JOB_QUEUE_DEPTH = Gauge(
    "frontdesk_job_queue_depth", "Jobs due to run now and not yet claimed.", multiprocess_mode="max"
)
JOB_OLDEST_DUE_AGE = Gauge(
    "frontdesk_job_oldest_due_age_seconds",
    "How long the oldest due, unclaimed job has been waiting.",
    multiprocess_mode="max",
)
JOB_DEAD_STORED = Gauge(
    "frontdesk_job_dead_stored",
    "Jobs in state dead in the job table (given up on, waiting for a person).",
    multiprocess_mode="max",
)

VOICE_OVERLOADED = Counter(
    "frontdesk_voice_overloaded_total",
    "Voice function calls answered at once with the apology: too many were in progress.",
)
CALL_LOG_DROPPED = Counter(
    "frontdesk_call_log_dropped_total",
    "Voice function records that could not be written to the call log.",
)

# Degraded modes (ADR 0016): answers given although a dependency was down.
DEGRADED = Counter(
    "frontdesk_degraded_total",
    "Answers or operations served in a degraded mode because a dependency (database, redis) "
    "was unreachable, by dependency and where (voice_function, voice_inbound, voice_event, "
    "rest, directory, call_log, worker_poll, breaker_store, rate_store).",
    ["dependency", "where"],
)
# The one error counter (ADR 0018): every failure a surface classified, by kind (domain,
# integration, bug), the vocabulary's code (a bounded set) and where it was met.
ERRORS = Counter(
    "frontdesk_errors_total",
    "Failures classified by failures.classify, by kind (domain, integration, bug), code (a key "
    "of failures.vocabulary) and where (rest, voice_function, voice_inbound, voice_event, "
    "call_log, worker_poll, worker_job, worker_outcome, worker_lease, mirror_refresh, readyz).",
    ["kind", "code", "where"],
)
REDIS_FALLBACK_ACTIVE = Gauge(
    "frontdesk_redis_fallback_active",
    "1 while this process keeps breaker and rate-budget state in memory because Redis is "
    "unreachable, else 0.",
    multiprocess_mode="max",
)

# Outbound calls (Cal.com and later providers). No tenant label: tenants are unbounded, the log
# line of each event carries the tenant.
OUTBOUND_REQUESTS = Counter(
    "frontdesk_outbound_requests_total",
    "HTTP requests sent to an outside service, by operation and outcome (status code or error).",
    ["dependency", "operation", "outcome"],
)
OUTBOUND_LATENCY = Histogram(
    "frontdesk_outbound_request_duration_seconds",
    "Time an outside service took to answer one request (one attempt).",
    ["dependency", "operation"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.5, 5.0, 10.0),
)
OUTBOUND_RETRIES = Counter(
    "frontdesk_outbound_retries_total",
    "Retries of a failed outbound request (transient failures only).",
    ["dependency", "operation"],
)
BREAKER_TRANSITIONS = Counter(
    "frontdesk_breaker_transitions_total",
    "Circuit breaker state changes (counted by the process that caused them).",
    ["dependency", "from_state", "to_state"],
)
BREAKER_REJECTIONS = Counter(
    "frontdesk_breaker_rejections_total",
    "Calls not made because the dependency's breaker was open.",
    ["dependency"],
)
RATE_BUDGET_THROTTLED = Counter(
    "frontdesk_rate_budget_throttled_total",
    "Requests held back by the per-key rate budget: waited for a slot, or refused (no time).",
    ["dependency", "outcome"],
)

# The availability mirror (calendars/mirror/refresher.py). No tenant label, as above.
MIRROR_REQUESTS = Counter(
    "frontdesk_mirror_refresh_requests_total",
    "Availability requests the mirror refresh sent, by provider and outcome "
    "(ok, unavailable, refused, auth_failed).",
    ["provider", "outcome"],
)
MIRROR_DAYS_REFRESHED = Counter(
    "frontdesk_mirror_days_refreshed_total",
    "Mirrored days stored from a provider's answer, by whether their slots changed.",
    ["provider", "changed"],
)
MIRROR_OLDEST_FETCHED_AGE = Gauge(
    "frontdesk_mirror_oldest_fetched_age_seconds",
    "Age of the oldest mirrored day's slots (now - fetched_at), per provider.",
    ["provider"],
    multiprocess_mode="max",
)


# Cal.com webhooks (booking/calendar_inbox.py, booking/calendar_events.py). No tenant label.
CALCOM_WEBHOOKS = Counter(
    "frontdesk_calcom_webhooks_received_total",
    'Cal.com webhook deliveries, by trigger ("unverified" before the signature is checked) and '
    "outcome (accepted, duplicate, ping, ignored, unauthorized, unknown_tenant).",
    ["trigger", "outcome"],
)
CALCOM_WEBHOOK_SIGNATURE_FAILURES = Counter(
    "frontdesk_calcom_webhook_signature_failures_total",
    "Cal.com webhook deliveries refused for their signature (no_secret, missing, mismatch).",
    ["reason"],
)
CALCOM_WEBHOOKS_PROCESSED = Counter(
    "frontdesk_calcom_webhooks_processed_total",
    "Cal.com booking events processed from the inbox, by trigger and result (created, "
    "cancelled, moved, confirmed, unchanged, replaced, owed, unmapped, conflict, unreadable).",
    ["trigger", "result"],
)
CALCOM_WEBHOOK_LAG = Histogram(
    "frontdesk_calcom_webhook_lag_seconds",
    "Time from a Cal.com webhook's arrival to the end of its processing (inbox processing lag).",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 15.0, 60.0, 300.0),
)
RECONCILIATION_MISMATCHES = Counter(
    "frontdesk_reconciliation_mismatches_total",
    "Differences the reconciliation found between Cal.com and us, by class (missing_here, "
    "missing_there, time_differs, status_differs, host_differs, duplicate_there).",
    ["class"],
)

READY = Gauge(
    "frontdesk_ready",
    "1 when the last /readyz check of this dependency (database, redis) answered in time, "
    "0 when it did not (set by each /readyz request: the load balancer's probe).",
    ["check"],
    multiprocess_mode="livemin",
)

# The voice functions as the agent experiences them (api/voice.py): from the request's arrival
# to its answer. ``function`` is one of voice.names.FUNCTION_NAMES (else ``unknown``).
VOICE_FUNCTION_LATENCY = Histogram(
    "frontdesk_voice_function_duration_seconds",
    "Time from a voice function request's arrival to its answer, by function and outcome "
    "(ok: any answer but an error; error: the apology or a failure reply; overloaded: shed; "
    "timeout: answered at the deadline without the work; refused: 4xx, e.g. a bad signature).",
    ["function", "outcome"],
    buckets=(0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.5),
)
# Booking attempts (booking/book.py), by outcome (booked, duplicate, unavailable, rejected,
# failed), source (domain.model.AppointmentSource) and calendar provider (builtin, calcom;
# ``unknown`` when the attempt failed before the branch was read).
BOOKINGS = Counter(
    "frontdesk_bookings_total",
    "Booking attempts, by outcome (booked: a new appointment; duplicate: the existing one "
    "returned; unavailable: the time was not free; rejected: invalid request; failed: any "
    "other error), source and calendar provider.",
    ["outcome", "source", "provider"],
)
# The per-day slot cache of the availability search (booking/find.py, ADR 0007).
AVAILABILITY_CACHE = Counter(
    "frontdesk_availability_cache_lookups_total",
    "Look-ups of a day's free slots in the availability cache, by result (hit, miss).",
    ["result"],
)
BREAKERS_OPEN = Gauge(
    "frontdesk_breakers_open",
    "Tenants whose breaker of this dependency this process last saw open (set on its own "
    "transitions and rejections; cleared when it sees the breaker let a call through).",
    ["dependency"],
    multiprocess_mode="livemax",
)
# One run of the calendar sync saga (booking/sync.py) per result: synced, pending (outage,
# retried), busy, taken, conflict (for a person to decide), failed (sync_failed), nothing.
CALENDAR_SYNC = Counter(
    "frontdesk_calendar_sync_total",
    "Calendar sync runs of an appointment, by outcome (synced, pending, busy, taken, "
    "conflict, failed, nothing).",
    ["outcome"],
)


def render_metrics() -> tuple[bytes, str]:
    """The exposition body and its content type.

    With several worker processes ``PROMETHEUS_MULTIPROC_DIR`` is set by the start script and the
    per-process files are merged; otherwise the default registry is rendered.
    """
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
