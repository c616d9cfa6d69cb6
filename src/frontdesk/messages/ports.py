"""The channels' ports: what the message use cases need from an e-mail server and an SMS
provider, nothing of either's vendor API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class DeliveryFailed(Exception):
    """A channel did not take the message. ``transient``: try again later (timeouts, 4xx SMTP
    replies, HTTP 429/5xx); otherwise retrying cannot help (a refused address, bad credentials)."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes
    # e.g. "text/calendar; method=REQUEST": Outlook reads the iTIP method from the MIME type.
    content_type: str


@dataclass(frozen=True, slots=True)
class Email:
    sender: str
    sender_name: str
    to: str
    subject: str
    text: str
    # Stable per message and channel: a receiver (or we, on a retry) can tell it is the same.
    message_id: str
    calendar: Attachment | None = None
    # Reminders: the signed unsubscribe link, also as RFC 8058 one-click headers.
    unsubscribe_url: str | None = None


@dataclass(frozen=True, slots=True)
class Sms:
    to: str
    text: str
    sender: str


class MailSender(Protocol):
    async def send(self, email: Email) -> str:
        """Hand ``email`` over; returns the server's reference (queue id or reply text)."""
        ...


class SmsSender(Protocol):
    async def send(self, sms: Sms) -> str:
        """Hand ``sms`` to the provider; returns its id for the message."""
        ...
