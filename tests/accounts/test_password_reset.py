"""A forgotten password is reset by e-mail: no user enumeration, the link works once and
expires, and the mail really leaves through an SMTP server (started by the test)."""

from __future__ import annotations

import datetime
import re
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client, override_settings

from sinergi.accounts.models import User
from sinergi.accounts.services import api_token_create
from sinergi.core.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW = "Kopi-Susu-Gula-Aren-77"


def _ask(client: Client, email: str, **headers: Any) -> Any:
    return client.post("/akun/sandi/lupa/", {"email": email}, **headers)


def _link(body: str) -> str:
    found = re.search(r"http://testserver(/akun/sandi/atur/\S+/)", body)
    assert found is not None, body
    return found.group(1)


def test_sign_in_page_links_to_reset() -> None:
    page = Client().get("/akun/masuk/")
    assert "Lupa kata sandi?" in page.content.decode()
    assert "/akun/sandi/lupa/" in page.content.decode()


def test_reset_end_to_end(officer_bandung: User, django_capture_on_commit_callbacks: Any) -> None:
    User.objects.filter(pk=officer_bandung.pk).update(email="asep@example.org")
    _token, raw = api_token_create(actor=officer_bandung, name="laptop")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        asked = _ask(client, "ASEP@example.org")
        unknown = _ask(Client(), "nobody@example.org")
    # The same answer for a known and an unknown address.
    assert asked.status_code == unknown.status_code == 302
    assert asked["Location"] == unknown["Location"] == "/akun/sandi/lupa/terkirim/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["asep@example.org"]
    assert "Buka tautan ini" in str(mail.outbox[0].body)
    link = _link(str(mail.outbox[0].body))
    opened = client.get(link)
    assert opened.status_code == 302  # Django moves the token out of the address
    form_page = client.get(opened["Location"])
    assert form_page.status_code == 200 and "new_password1" in form_page.content.decode()
    saved = client.post(opened["Location"], {"new_password1": NEW, "new_password2": NEW})
    assert saved.status_code == 302 and saved["Location"] == "/akun/sandi/atur/selesai/"
    officer_bandung.refresh_from_db()
    assert officer_bandung.check_password(NEW)
    event = AuditEvent.objects.get(event_type="accounts.user.password_set")
    assert event.data["how"] == "reset_link"
    # The old API token ended with the old password.
    me = Client().get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert me.status_code == 401
    # Used: the link says so, in the reader's language.
    again = Client().get(link, headers={"Cookie": "sinergi_language=en"})
    assert again.status_code == 410
    assert "already been used" in again.content.decode()


def test_expired_link_says_so(
    officer_bandung: User, django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.filter(pk=officer_bandung.pk).update(email="asep@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        _ask(Client(), "asep@example.org")
    link = _link(str(mail.outbox[0].body))
    # Two days on (the link lasts a day; naive local clocks shift by the zone under travel).
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=2)
    with time_machine.travel(later):
        page = Client().get(link)
    assert page.status_code == 410
    assert "kedaluwarsa" in page.content.decode()


def test_inactive_users_get_no_mail(
    officer_bandung: User, django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.filter(pk=officer_bandung.pk).update(email="asep@example.org", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert _ask(Client(), "asep@example.org").status_code == 302
    assert mail.outbox == []


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, list[Any]]]:
    """A real SMTP server on a free local port (aiosmtpd), collecting what it receives."""
    controller_module = pytest.importorskip("aiosmtpd.controller")
    received: list[Any] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(envelope)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = controller_module.Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def test_reset_mail_through_a_real_smtp_server(
    officer_bandung: User,
    smtp_server: tuple[int, list[Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    port, received = smtp_server
    User.objects.filter(pk=officer_bandung.pk).update(email="asep@example.org")
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert _ask(Client(), "asep@example.org").status_code == 302
    assert len(received) == 1 and received[0].rcpt_tos == ["asep@example.org"]
    assert b"/akun/sandi/atur/" in received[0].content


def test_mail_server_down_does_not_break_the_page(
    officer_bandung: User, django_capture_on_commit_callbacks: Any
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = int(probe.getsockname()[1])
    User.objects.filter(pk=officer_bandung.pk).update(email="asep@example.org")
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=closed,
            EMAIL_TIMEOUT=2,
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        answer = _ask(Client(), "asep@example.org")
    assert answer.status_code == 302 and answer["Location"] == "/akun/sandi/lupa/terkirim/"


def test_reset_and_invitation_mails_wait_out_a_mail_server_that_is_down(
    officer_bandung: User,
    smtp_server: tuple[int, list[Any]],
    make_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Both account mails are messages of the notifications queue: the server down at the
    first attempt, each is retried and arrives; the log keeps the attempt, not the link."""
    from sinergi.accounts.roles import Role
    from sinergi.accounts.services import invitation_send
    from sinergi.notifications import delivery
    from sinergi.notifications.models import Message, MessageStatus

    port, received = smtp_server
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = int(probe.getsockname()[1])
    User.objects.filter(pk=officer_bandung.pk).update(email="asep@example.org")
    manager = make_user(Role.NATIONAL_ADMIN)
    newcomer = make_user(Role.FACILITATOR, "32.73", email="baru@example.org")
    smtp = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_USE_TLS": False,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_TIMEOUT": 2,
    }
    start = datetime.datetime(2026, 11, 2, 23, 30, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        with (
            override_settings(**smtp, EMAIL_PORT=closed),
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert _ask(Client(), "asep@example.org").status_code == 302
            invitation_send(actor=manager, user_id=newcomer.pk, site="http://testserver")
        messages = list(Message.objects.order_by("pk"))
        assert [(m.kind, m.status, m.attempts) for m in messages] == [
            ("accounts.password_reset", MessageStatus.RETRYING, 1),
            ("accounts.invitation", MessageStatus.RETRYING, 1),
        ]
        assert all("example.org" not in m.error for m in messages)
        assert received == []
        clock.shift(datetime.timedelta(minutes=2))
        with override_settings(**smtp, EMAIL_PORT=port):
            assert delivery.send_due() == {MessageStatus.SENT: 2}
        assert sorted(r.rcpt_tos[0] for r in received) == ["asep@example.org", "baru@example.org"]
        reset_mail = next(r for r in received if r.rcpt_tos == ["asep@example.org"])
        body = reset_mail.content.decode()
        # The link works after the retry, and the log no longer holds it.
        link = _link(body.replace("=\r\n", "").replace("=3D", "="))
        assert Client().get(link, follow=True).status_code == 200
    assert not Message.objects.filter(body__contains="/akun/").exists()
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
