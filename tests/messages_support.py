"""Shared by the message tests: a real SMTP server on 127.0.0.1 (aiosmtpd, optionally offering
STARTTLS with a self-signed certificate), a fake SMS provider, and reading mail back."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

import icalendar
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from frontdesk.messages.channels import Channels
from frontdesk.messages.ports import DeliveryFailed, Sms
from frontdesk.messages.smtp import SmtpMailSender

MAIL_FROM = "termine@salon-sonnenschein.example"


@dataclass
class Inbox:
    """What the SMTP server received, and whether the client upgraded to TLS first."""

    messages: list[Message] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)
    tls: list[bool] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        raw = envelope.content if isinstance(envelope.content, bytes) else b""
        self.messages.append(email.message_from_bytes(raw, policy=email.policy.default))
        self.tls.append(session.ssl is not None)
        return "250 OK queued as test"


def _authenticator(user: str, password: str) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            user.encode(),
            password.encode(),
        )
        return AuthResult(success=ok)

    return check


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server(
    tls_context: ssl.SSLContext | None = None,
    *,
    implicit_tls: bool = False,
    login: tuple[str, str] | None = None,
) -> Iterator[tuple[Inbox, int]]:
    """``tls_context``: offered by STARTTLS, or from the first byte with ``implicit_tls``;
    ``login``: AUTH required with this user and password."""
    inbox = Inbox()
    port = free_port()
    kwargs: dict[str, Any] = {}
    if tls_context is not None:
        kwargs["ssl_context" if implicit_tls else "tls_context"] = tls_context
    if login is not None:
        kwargs["authenticator"] = _authenticator(*login)
        kwargs["auth_required"] = True
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def self_signed(tmp: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context, client context trusting it) for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * 30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    client = ssl.create_default_context(cafile=str(cert_path))
    return server, client


@dataclass
class FakeSms:
    """The SMS port in memory: what was sent, and failures to hand out first."""

    sent: list[Sms] = field(default_factory=list)
    failures: list[DeliveryFailed] = field(default_factory=list)

    async def send(self, sms: Sms) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(sms)
        return f"SM{len(self.sent):032d}"


def channels(
    port: int | None, sms: FakeSms | None = None, client_tls: ssl.SSLContext | None = None
) -> Channels:
    mail = None
    if port is not None:
        mail = SmtpMailSender(f"smtp://127.0.0.1:{port}", timeout=10, tls_context=client_tls)
    return Channels(mail, sms, MAIL_FROM, "Sonnensch" if sms is not None else None)


def calendar_of(message: Message) -> icalendar.Calendar:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return icalendar.Calendar.from_ical(payload)
    raise AssertionError("no text/calendar part")


def event_of(message: Message) -> icalendar.Event:
    events = calendar_of(message).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def text_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text/plain part")
