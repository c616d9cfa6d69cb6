"""Cal.com response bodies shaped like the OpenAPI document (its examples where it has them)."""

from __future__ import annotations

from typing import Any

TEAM_ID = 77
EVENT_TYPE_ID = 501
HOST_ANNA = 11
HOST_BEN = 12


def me() -> dict[str, Any]:
    return {
        "id": 10,
        "username": "salon-owner",
        "email": "owner@salon.example",
        "timeFormat": 24,
        "defaultScheduleId": 1,
        "weekStart": "Monday",
        "timeZone": "Europe/Berlin",
        "organizationId": 0,
    }


def team() -> dict[str, Any]:
    return {
        "id": TEAM_ID,
        "name": "Salon Schnitt",
        "slug": "salon-schnitt",
        "isOrganization": False,
    }


def membership(user_id: int, email: str, name: str, role: str = "MEMBER") -> dict[str, Any]:
    return {
        "id": 900 + user_id,
        "userId": user_id,
        "teamId": TEAM_ID,
        "accepted": True,
        "role": role,
        "user": {"email": email, "username": name.lower(), "name": name},
    }


def event_type(hosts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": EVENT_TYPE_ID,
        "lengthInMinutes": 30,
        "title": "Herrenhaarschnitt",
        "slug": "herrenhaarschnitt",
        "description": "",
        "locations": [],
        "bookingFields": [],
        "disableGuests": False,
        "recurrence": None,
        "metadata": {},
        "price": 0,
        "currency": "eur",
        "lockTimeZoneToggleOnBookingPage": False,
        "forwardParamsSuccessRedirect": None,
        "successRedirectUrl": None,
        "isInstantEvent": False,
        "scheduleId": None,
        "hidden": False,
        "bookingRequiresAuthentication": False,
        "teamId": TEAM_ID,
        "hosts": hosts,
        "schedulingType": "roundRobin",
        "team": {
            "id": TEAM_ID,
            "slug": "salon-schnitt",
            "bannerUrl": "",
            "name": "Salon Schnitt",
            "logoUrl": "",
            "weekStart": "Monday",
            "brandColor": "#000000",
            "darkBrandColor": "#ffffff",
            "theme": "light",
        },
    }


def host(user_id: int, name: str) -> dict[str, Any]:
    return {"userId": user_id, "name": name, "username": name.lower(), "priority": "medium"}


def booking(
    uid: str,
    start: str,
    end: str,
    *,
    metadata: dict[str, str] | None = None,
    status: str = "accepted",
    host_id: int = HOST_ANNA,
    rescheduled_from: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": abs(hash(uid)) % 100_000,
        "uid": uid,
        "title": "Herrenhaarschnitt zwischen Anna und Erika Muster",
        "description": "",
        "hosts": [
            {
                "id": host_id,
                "name": "Anna",
                "email": "anna@salon.example",
                "username": "anna",
                "timeZone": "Europe/Berlin",
            }
        ],
        "status": status,
        "start": start,
        "end": end,
        "duration": 30,
        "eventTypeId": EVENT_TYPE_ID,
        "eventType": {"id": EVENT_TYPE_ID, "slug": "herrenhaarschnitt"},
        "location": "",
        "absentHost": False,
        "createdAt": "2031-03-01T08:00:00.000Z",
        "updatedAt": "2031-03-01T08:00:00.000Z",
        "attendees": [
            {
                "name": "Erika Muster",
                "email": "erika@example.com",
                "timeZone": "Europe/Berlin",
                "language": "de",
                "absent": False,
                "phoneNumber": "+4915112345678",
            }
        ],
        "bookingFieldsResponses": {"name": "Erika Muster"},
        "metadata": metadata or {},
    }
    if rescheduled_from:
        data["rescheduledFromUid"] = rescheduled_from
    return data


def pagination(
    returned: int, *, has_next: bool, page: int = 1, per_page: int = 100
) -> dict[str, Any]:
    return {
        "totalItems": returned + (per_page if has_next else 0),
        "remainingItems": per_page if has_next else 0,
        "returnedItems": returned,
        "itemsPerPage": per_page,
        "currentPage": page,
        "totalPages": page + (1 if has_next else 0),
        "hasNextPage": has_next,
        "hasPreviousPage": page > 1,
    }


def webhook(webhook_id: int, url: str) -> dict[str, Any]:
    return {
        "id": webhook_id,
        "eventTypeId": EVENT_TYPE_ID,
        "payloadTemplate": None,
        "triggers": ["BOOKING_CREATED", "BOOKING_CANCELLED", "BOOKING_RESCHEDULED"],
        "subscriberUrl": url,
        "active": True,
        "secret": "whsec-generated",
    }
