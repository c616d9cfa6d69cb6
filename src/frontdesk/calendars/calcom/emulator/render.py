"""The API's success shapes (OpenAPI: MeOutput, TeamOutputDto, TeamMembershipOutput,
TeamEventTypeOutput_2024_06_14, BookingOutput_2024_08_13, EventTypeWebhookOutputDto)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from frontdesk.calendars.calcom.emulator.model import (
    Booking,
    Catalogue,
    EventType,
    Member,
    Team,
    Webhook,
)


def api_time(moment: datetime) -> str:
    """``2024-08-13T09:00:00.000Z``: how API v2 writes instants."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def me(owner: Member) -> dict[str, Any]:
    return {
        "id": owner.user_id,
        "username": owner.username,
        "email": owner.email,
        "timeFormat": 24,
        "defaultScheduleId": None,
        "weekStart": "Monday",
        "timeZone": owner.time_zone,
        "organizationId": None,
    }


def team(item: Team) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "slug": item.slug,
        "isOrganization": False,
        "isPrivate": False,
        "hideBookATeamMember": False,
        "timeZone": item.time_zone,
        "weekStart": "Monday",
        "timeFormat": 24,
    }


def membership(team_id: int, member: Member) -> dict[str, Any]:
    return {
        "id": member.membership_id,
        "userId": member.user_id,
        "teamId": team_id,
        "accepted": True,
        "role": member.role,
        "disableImpersonation": False,
        "user": {
            "email": member.email,
            "username": member.username,
            "name": member.name,
        },
    }


def event_type(catalogue: Catalogue, item: EventType) -> dict[str, Any]:
    owner_team = catalogue.team(item.team_id)
    assert owner_team is not None  # the seed only makes team event types
    return {
        "id": item.id,
        "lengthInMinutes": item.length,
        "title": item.title,
        "slug": item.slug,
        "description": "",
        "locations": [],
        "bookingFields": [],
        "disableGuests": False,
        # slotInterval is left out: Cal.com sends a number, the document declares an object.
        "minimumBookingNotice": item.minimum_notice,
        "beforeEventBuffer": 0,
        "afterEventBuffer": 0,
        "recurrence": None,
        "metadata": {},
        "price": 0,
        "currency": "eur",
        "lockTimeZoneToggleOnBookingPage": False,
        "seatsPerTimeSlot": None,
        "forwardParamsSuccessRedirect": None,
        "successRedirectUrl": None,
        "isInstantEvent": False,
        "seatsShowAvailabilityCount": None,
        "scheduleId": None,
        "hidden": False,
        "bookingRequiresAuthentication": False,
        "teamId": item.team_id,
        "ownerId": None,
        "parentEventTypeId": None,
        # Hosts carry no e-mail: that is only in the memberships (ADR 0011).
        "hosts": [_host(catalogue.member(h)) for h in item.host_ids],
        "assignAllTeamMembers": False,
        "schedulingType": item.scheduling_type,
        "team": {
            "id": owner_team.id,
            "slug": owner_team.slug,
            "bannerUrl": "",
            "name": owner_team.name,
            "logoUrl": "",
            "weekStart": "Monday",
            "brandColor": "#292929",
            "darkBrandColor": "#fafafa",
            "theme": "light",
        },
    }


def _host(member: Member) -> dict[str, Any]:
    return {
        "userId": member.user_id,
        "name": member.name,
        "username": member.username,
        "mandatory": False,
        "priority": "medium",
        "avatarUrl": None,
    }


def title(catalogue: Catalogue, item: Booking) -> str:
    """Cal.com's default event name: "<event type> between <host> and <attendee>"."""
    kind = catalogue.event_type(item.event_type_id)
    host = catalogue.member(item.host_id)
    return f"{kind.title if kind else 'Event'} between {host.name} and {item.attendee.name}"


def booking(catalogue: Catalogue, item: Booking) -> dict[str, Any]:
    kind = catalogue.event_type(item.event_type_id)
    host = catalogue.member(item.host_id)
    attendee: dict[str, Any] = {
        "name": item.attendee.name,
        "email": item.attendee.email,
        "timeZone": item.attendee.time_zone,
        "language": item.attendee.language,
        "absent": False,
    }
    if item.attendee.phone_number:
        attendee["phoneNumber"] = item.attendee.phone_number
    data: dict[str, Any] = {
        "id": item.id,
        "uid": item.uid,
        "title": title(catalogue, item),
        "description": "",
        "hosts": [
            {
                "id": host.user_id,
                "name": host.name,
                "email": host.email,
                "username": host.username,
                "timeZone": host.time_zone,
            }
        ],
        "status": item.status,
        "start": api_time(item.start),
        "end": api_time(item.end),
        "duration": int((item.end - item.start).total_seconds() // 60),
        "eventTypeId": item.event_type_id,
        "eventType": {"id": item.event_type_id, "slug": kind.slug if kind else ""},
        "location": "",
        "absentHost": False,
        "createdAt": api_time(item.created_at),
        "updatedAt": api_time(item.updated_at),
        "metadata": dict(item.metadata),
        "icsUid": f"{item.uid}@Cal.com",
        "attendees": [attendee],
        "guests": [],
        "bookingFieldsResponses": responses(item),
    }
    optional = {
        "cancellationReason": item.cancellation_reason,
        "reschedulingReason": item.rescheduling_reason,
        "rescheduledFromUid": item.rescheduled_from_uid,
        "rescheduledToUid": item.rescheduled_to_uid,
    }
    data.update({k: v for k, v in optional.items() if v is not None})
    return data


def responses(item: Booking) -> dict[str, Any]:
    answers: dict[str, Any] = {"name": item.attendee.name}
    if item.attendee.email:
        answers["email"] = item.attendee.email
    if item.attendee.phone_number:
        answers["attendeePhoneNumber"] = item.attendee.phone_number
    return answers


def webhook(item: Webhook) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item.id,
        "eventTypeId": item.event_type_id,
        "payloadTemplate": item.payload_template,
        "triggers": list(item.triggers),
        "subscriberUrl": item.subscriber_url,
        "active": item.active,
    }
    if item.secret is not None:
        data["secret"] = item.secret
    return data


def pagination(total: int, skip: int, take: int, returned: int) -> dict[str, Any]:
    """Cal.com's PaginationMetaDto for an offset page."""
    return {
        "totalItems": total,
        "remainingItems": max(0, total - skip - returned),
        "returnedItems": returned,
        "itemsPerPage": take,
        "currentPage": skip // take + 1,
        "totalPages": -(-total // take),
        "hasNextPage": skip + returned < total,
        "hasPreviousPage": skip > 0,
    }
