"""The links a customer message carries: the manage page and the reminder unsubscribe.

``manage_url_for`` is the ONE place that builds a customer's manage link for a message: the
manage page's own ``booking.manage_link.manage_url`` (ADR 0026), unless a process or test
installs another builder (``install_manage_url_builder``). A builder may answer None: the
templates then leave the line out.

The unsubscribe link is signed here (HMAC-SHA256 over tenant and customer, keyed by
``FRONTDESK_LINK_KEY`` or, failing that, a key derived from ``FRONTDESK_SECRET_KEY``); it never
expires, because an old reminder's link must still work.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Callable
from datetime import datetime

from pydantic import SecretStr

from frontdesk.booking.manage_link import manage_url
from frontdesk.settings import Settings

UNSUBSCRIBE_PATH = "/m/unsubscribe"
_CONTEXT = b"frontdesk/messages/unsubscribe/v1"

# (settings, tenant id, appointment id, the appointment's start) -> the manage URL, or None.
ManageUrlBuilder = Callable[[Settings, uuid.UUID, uuid.UUID, datetime], str | None]

_manage_url_builder: ManageUrlBuilder | None = None


def install_manage_url_builder(builder: ManageUrlBuilder | None) -> None:
    """Use ``builder`` for every message's manage link from now on (None: the manage page's)."""
    global _manage_url_builder
    _manage_url_builder = builder


def manage_url_for(
    settings: Settings, tenant_id: uuid.UUID, appointment_id: uuid.UUID, starts_at: datetime
) -> str | None:
    """The link a message offers to see, move or cancel the appointment; None without one.
    (``settings``: the public base URL and whatever key the link's token is signed with.)"""
    build = _manage_url_builder or manage_url
    return build(settings, tenant_id, appointment_id, starts_at)


def link_key(settings: Settings) -> bytes | None:
    """The unsubscribe links' key: its own setting, else derived from the secret key."""
    own: SecretStr | None = settings.link_key or settings.secret_key
    if own is None:
        return None
    return hmac.new(own.get_secret_value().encode(), _CONTEXT, hashlib.sha256).digest()


def unsubscribe_token(key: bytes, tenant_id: uuid.UUID, customer_id: uuid.UUID) -> str:
    """``<tenant hex><customer hex><mac>`` in URL-safe base64: who, and proof we said so."""
    body = tenant_id.bytes + customer_id.bytes
    mac = hmac.new(key, body, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(body + mac).decode().rstrip("=")


def read_unsubscribe_token(key: bytes, token: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """(tenant id, customer id) of a token we signed; None for anything else."""
    if len(token) > 64:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError:
        return None
    if len(raw) != 48:
        return None
    body, mac = raw[:32], raw[32:]
    if not hmac.compare_digest(mac, hmac.new(key, body, hashlib.sha256).digest()[:16]):
        return None
    return uuid.UUID(bytes=body[:16]), uuid.UUID(bytes=body[16:])


def unsubscribe_url(settings: Settings, tenant_id: uuid.UUID, customer_id: uuid.UUID) -> str | None:
    key = link_key(settings)
    if key is None:
        return None
    token = unsubscribe_token(key, tenant_id, customer_id)
    return f"{settings.base_url.rstrip('/')}{UNSUBSCRIBE_PATH}/{token}"
