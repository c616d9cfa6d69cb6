"""Phase 3 and 4 of ``calcom connect``: subscribe each linked team event type to its bookings
(Cal.com does not call user-level webhooks for team event types) and save the subscriptions
and the tenant's one signing secret; a refusal leaves the link and says how to subscribe by
hand."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace

from pydantic import SecretStr

from frontdesk.calendars.calcom.client import CalcomClient
from frontdesk.calendars.calcom.connect_model import (
    READ_STEPS,
    TRIGGERS,
    ConnectReport,
    ConnectRequest,
    Linked,
    Progress,
    WebhookOutcome,
)
from frontdesk.calendars.calcom.schemas import NewWebhook
from frontdesk.calendars.errors import CalendarAuthFailed, CalendarError, CalendarNotFound
from frontdesk.db.engine import SessionFactory
from frontdesk.db.repositories import calendar_links


def manual_webhook_help(subscriber_url: str, tenant: str) -> str:
    """How to subscribe by hand when the key may not (not a team admin)."""
    return (
        "Create one team webhook in Cal.com instead: Settings → Teams → your team → Webhooks → "
        f"New, subscriber URL {subscriber_url}, triggers {', '.join(TRIGGERS)}, a secret of "
        "your choice; then run `frontdesk calcom connect` again with the same options plus "
        f"`--webhook-secret <that secret>` (tenant {tenant})."
    )


async def subscribe(
    sessions: SessionFactory,
    client: CalcomClient,
    request: ConnectRequest,
    stored_secret: str | None,
    linked: Linked,
    steps: Progress,
    new_secret: Callable[[], str],
) -> ConnectReport:
    """Subscribe each linked event type (or take the given secret) and save the outcome."""
    report, branch_id, previous = linked.report, linked.branch_id, linked.previous
    event_type_ids = report.plan.event_type_ids
    if request.webhook_secret is not None:
        kept = {int(et): hook for et, hook in previous.items()}
        await _save(sessions, branch_id, kept, request.webhook_secret.get_secret_value())
        return replace(report, secret_source="given")
    steps.expect(READ_STEPS + len(event_type_ids))
    # One secret for all the tenant's subscriptions. An earlier one is kept (we set it on every
    # subscription we create, so it is known to match): rotating it on every run would let
    # deliveries signed with the new one arrive before it is stored, and fail.
    secret = stored_secret or new_secret()
    source = "kept" if stored_secret else "new"
    outcomes: list[WebhookOutcome] = []
    refused: str | None = None
    removed = 0
    team_id = report.team.id
    for event_type_id in event_type_ids:
        title = report.event_types.get(event_type_id, str(event_type_id))
        steps.step(f"Webhook for {title}")
        if refused is not None:
            outcomes.append(WebhookOutcome(event_type_id, title, error="not tried (refused)"))
            continue
        try:
            hook, gone = await _replace_webhook(
                client, team_id, event_type_id, request.subscriber_url, SecretStr(secret)
            )
        except (CalendarAuthFailed, CalendarNotFound) as exc:
            refused = f"Cal.com refused the subscription ({exc.status}): {exc.message}"
            outcomes.append(WebhookOutcome(event_type_id, title, error=refused))
            continue
        except CalendarError as exc:
            outcomes.append(WebhookOutcome(event_type_id, title, error=str(exc)))
            continue
        removed += gone
        outcomes.append(WebhookOutcome(event_type_id, title, webhook_id=hook))
    subscribed = {o.event_type_id: o.webhook_id for o in outcomes if o.webhook_id is not None}
    # A failed subscription keeps whatever subscription it had before (it may still deliver).
    kept = {int(et): hook for et, hook in previous.items() if int(et) in event_type_ids}
    saved = kept | subscribed
    await _save(sessions, branch_id, saved, secret if subscribed else None)
    return replace(
        report,
        webhooks=tuple(outcomes),
        webhook_refused=(
            f"{refused}. {manual_webhook_help(request.subscriber_url, request.tenant)}"
            if refused
            else None
        ),
        secret_source=source if subscribed else None,
        removed_webhooks=removed,
    )


async def _replace_webhook(
    client: CalcomClient, team_id: int, event_type_id: int, url: str, secret: SecretStr
) -> tuple[int, int]:
    """Create our subscription, then delete earlier ones to the same URL: created first, so
    no booking falls between the two (a doubled delivery is dropped by the inbox)."""
    earlier = [
        hook.id
        for hook in await client.event_type_webhooks(team_id, event_type_id)
        if hook.subscriber_url.rstrip("/") == url.rstrip("/")
    ]
    created = await client.create_event_type_webhook(
        team_id,
        event_type_id,
        NewWebhook(subscriber_url=url, triggers=TRIGGERS, active=True, secret=secret),
    )
    for hook_id in earlier:
        if hook_id != created.id:
            await client.delete_event_type_webhook(team_id, event_type_id, hook_id)
    return created.id, len([h for h in earlier if h != created.id])


async def _save(
    sessions: SessionFactory,
    branch_id: uuid.UUID,
    webhooks: dict[int, int],
    secret: str | None,
) -> None:
    async with sessions() as session:
        await calendar_links.write_webhooks(session, branch_id, webhooks, secret)
        await session.commit()
