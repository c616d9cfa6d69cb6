"""The SMTP adapter against a real server on 127.0.0.1: implicit TLS for smtps://, login over
STARTTLS with URL-encoded credentials, and what a refusal means (retry or not)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.messages_support import MAIL_FROM, free_port, self_signed, smtp_server

from frontdesk.messages.ports import DeliveryFailed, Email
from frontdesk.messages.smtp import SmtpMailSender, parse_smtp_url

EMAIL = Email(
    sender=MAIL_FROM,
    sender_name="Salon Sonnenschein",
    to="erika@example.org",
    subject="Terminbestätigung",
    text="Ihr Termin ist gebucht.\n",
    message_id="<change.1.0@frontdesk>",
)


def test_smtp_urls() -> None:
    plain = parse_smtp_url("smtp://mail.example:587")
    assert (plain.host, plain.port, plain.implicit_tls, plain.username) == (
        "mail.example",
        587,
        False,
        None,
    )
    secure = parse_smtp_url("smtps://user%40x:p%3Ass@mail.example")
    assert (secure.port, secure.implicit_tls) == (465, True)
    assert (secure.username, secure.password) == ("user@x", "p:ss")
    with pytest.raises(ValueError, match="smtp://"):
        parse_smtp_url("http://mail.example")


async def test_smtps_speaks_tls_from_the_first_byte(tmp_path: Path) -> None:
    server_tls, client_tls = self_signed(tmp_path)
    with smtp_server(server_tls, implicit_tls=True) as (inbox, port):
        sender = SmtpMailSender(f"smtps://127.0.0.1:{port}", timeout=10, tls_context=client_tls)
        await sender.send(EMAIL)
    assert len(inbox.messages) == 1
    assert inbox.messages[0]["Message-ID"] == EMAIL.message_id


async def test_login_after_starttls_with_url_encoded_credentials(tmp_path: Path) -> None:
    server_tls, client_tls = self_signed(tmp_path)
    with smtp_server(server_tls, login=("termine", "geh:eim")) as (inbox, port):
        good = SmtpMailSender(
            f"smtp://termine:geh%3Aeim@127.0.0.1:{port}", timeout=10, tls_context=client_tls
        )
        await good.send(EMAIL)
    assert inbox.tls == [True]
    assert [env.rcpt_tos for env in inbox.envelopes] == [["erika@example.org"]]


async def test_an_unreachable_server_is_worth_retrying() -> None:
    sender = SmtpMailSender(f"smtp://127.0.0.1:{free_port()}", timeout=5)
    with pytest.raises(DeliveryFailed) as failed:
        await sender.send(EMAIL)
    assert failed.value.transient is True
