"""The channels of a process, built once from the settings (the edge), or given by a test."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from frontdesk.messages.ports import MailSender, SmsSender
from frontdesk.messages.smtp import SmtpMailSender
from frontdesk.messages.twilio import TwilioSmsSender
from frontdesk.settings import Settings

SMS_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class Channels:
    """What can be sent: ``mail``/``sms`` None when not configured (that channel is skipped)."""

    mail: MailSender | None
    sms: SmsSender | None
    mail_from: str | None
    sms_from: str | None


def channels_from_settings(settings: Settings, http: httpx.AsyncClient | None = None) -> Channels:
    mail = None
    if settings.smtp_url is not None:
        mail = SmtpMailSender(settings.smtp_url.get_secret_value(), timeout=settings.smtp_timeout)
    sms = None
    token = settings.twilio_auth_token
    if settings.twilio_account_sid and token is not None and settings.sms_from:
        sms = TwilioSmsSender(
            http or httpx.AsyncClient(timeout=SMS_TIMEOUT_S),
            account_sid=settings.twilio_account_sid,
            auth_token=token.get_secret_value(),
            base_url=settings.twilio_api_url,
        )
    return Channels(mail, sms, settings.mail_from, settings.sms_from)
