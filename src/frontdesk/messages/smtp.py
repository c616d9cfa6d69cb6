"""The e-mail port over SMTP (aiosmtplib).

``smtp://[user:pass@]host:port`` speaks plain SMTP and upgrades with STARTTLS whenever the
server offers it (aiosmtplib's ``start_tls=None``); ``smtps://`` opens TLS first (implicit TLS,
RFC 8314). The e-mail is ``multipart/mixed``: the text, and the .ics both as an attachment and
with the iTIP method in its MIME type, which is how Outlook and Apple Mail recognise an
invitation.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from urllib.parse import unquote, urlsplit

import aiosmtplib

from frontdesk.messages.ports import DeliveryFailed, Email


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    implicit_tls: bool
    username: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpTarget:
    """``smtp://`` or ``smtps://`` with optional credentials; ValueError for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("FRONTDESK_SMTP_URL must be smtp://[user:pass@]host:port or smtps://…")
    implicit = parts.scheme == "smtps"
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or (465 if implicit else 25),
        implicit_tls=implicit,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def mime(email: Email) -> EmailMessage:
    """The message as sent (also what the tests read back)."""
    message = EmailMessage()
    message["From"] = formataddr((email.sender_name, email.sender))
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = email.message_id
    message["Auto-Submitted"] = "auto-generated"
    if email.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(email.text)
    if email.calendar is not None:
        maintype, _, rest = email.calendar.content_type.partition("/")
        subtype, *params = [p.strip() for p in rest.split(";")]
        message.add_attachment(
            email.calendar.content,
            maintype=maintype,
            subtype=subtype,
            filename=email.calendar.filename,
            params=dict(p.split("=", 1) for p in params),
        )
    return message


class SmtpMailSender:
    """One SMTP conversation per e-mail (messages are few; no pool to keep healthy)."""

    def __init__(
        self, url: str, *, timeout: float = 20.0, tls_context: ssl.SSLContext | None = None
    ) -> None:
        self._target = parse_smtp_url(url)
        self._timeout = timeout
        self._tls = tls_context

    async def send(self, email: Email) -> str:
        target = self._target
        try:
            errors, reply = await aiosmtplib.send(
                mime(email),
                hostname=target.host,
                port=target.port,
                username=target.username,
                password=target.password,
                use_tls=target.implicit_tls,
                # None: STARTTLS if the server offers it, plain otherwise (never on smtps).
                start_tls=False if target.implicit_tls else None,
                tls_context=self._tls,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise DeliveryFailed(f"recipient refused: {_codes(exc)}", transient=_temp(exc)) from exc
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise DeliveryFailed(f"SMTP login refused ({exc.code})", transient=False) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise DeliveryFailed(f"SMTP {exc.code}", transient=400 <= exc.code < 500) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"SMTP unreachable: {type(exc).__name__}", transient=True) from exc
        if errors:
            raise DeliveryFailed("recipient refused", transient=False)
        return reply


def _codes(exc: aiosmtplib.SMTPRecipientsRefused) -> str:
    return ",".join(str(r.code) for r in exc.recipients)


def _temp(exc: aiosmtplib.SMTPRecipientsRefused) -> bool:
    return all(400 <= r.code < 500 for r in exc.recipients)
