"""Work reaches people: e-mail to a real SMTP server, WhatsApp/SMS to a real HTTP gateway,
retries with backoff, quiet hours, the daily digest, preferences and the message log."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core import inbox
from sinergi.kube.models import Membership
from sinergi.kube.services import kube_transition
from sinergi.notifications import delivery, services
from sinergi.notifications.models import Digest, Message, MessageStatus, Preference
from tests.factories import HouseholdFactory, KubeFactory, PersonFactory
from tests.notifications.conftest import Gateway, Mailbox, free_port

pytestmark = pytest.mark.django_db

JAKARTA = ZoneInfo("Asia/Jakarta")
KK = "3273010101999001"
SIXTEEN_DIGITS = re.compile(r"\d{16}")
PERSONAL_WORDS = ("NIK", "desil", "decile", "income", "pendapatan", KK)


def at(hour: int, minute: int = 0, day: int = 2) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=JAKARTA)


@pytest.fixture
def submitted_kube() -> Any:
    """A Kota Bandung group waiting for verification, with a member whose KK is known."""
    kube: Any = KubeFactory(status="submitted")
    person: Any = PersonFactory(household=HouseholdFactory(kk=KK))
    Membership.objects.create(
        kube=kube, person=person, role="ketua", start_date=datetime.date(2026, 1, 1)
    )
    return kube


@pytest.fixture
def colleague(make_user: Callable[..., User]) -> User:
    """A second Kota Bandung officer: who must submit the group again once it is returned."""
    return make_user(Role.SOCIAL_OFFICER, "32.73", email="colleague@dinsos.example")


def _return(actor: User, kube: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        kube_transition(
            actor=actor, kube_id=kube.pk, to_status="draft", reason="Data anggota belum lengkap"
        )


def _assert_no_personal_data(texts: list[str]) -> None:
    assert texts
    for text in texts:
        assert not SIXTEEN_DIGITS.search(text), text
        for word in PERSONAL_WORDS:
            assert word.lower() not in text.lower(), (word, text)


def test_work_arriving_is_mailed_to_who_must_act_through_a_real_smtp_server(
    smtp_server: Mailbox,
    officer_bandung: User,
    colleague: User,
    officer_jabar: User,
    submitted_kube: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    officer_jabar.email = "jabar@dinsos.example"
    officer_jabar.save()
    _return(officer_bandung, submitted_kube, django_capture_on_commit_callbacks)

    # The regency's other officer is told; the actor is not (four eyes), nor the province
    # (the nearest level that can act is the regency).
    assert smtp_server.recipients == ["colleague@dinsos.example"]
    (text,) = smtp_server.bodies()
    assert "KUBE dikembalikan ke draf" in text or "dikembalikan" in text  # Indonesian default
    assert submitted_kube.name in text
    assert f"/kube/{submitted_kube.pk}/" in text
    assert "/tugas/" in text
    _assert_no_personal_data(smtp_server.bodies())
    message = Message.objects.get()
    assert (message.user, message.channel, message.status, message.attempts) == (
        colleague,
        "email",
        MessageStatus.SENT,
        1,
    )
    assert message.kind == "kube.returned" and message.sent_at is not None


def test_the_message_is_in_the_readers_language(
    smtp_server: Mailbox,
    officer_bandung: User,
    colleague: User,
    submitted_kube: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    Preference.objects.create(user=colleague, language="en")
    _return(officer_bandung, submitted_kube, django_capture_on_commit_callbacks)
    (text,) = smtp_server.bodies()
    assert f"A KUBE was sent back to draft: {submitted_kube.name}" in text
    assert "Open it in Sinergi" in text


def test_whatsapp_sms_goes_to_a_real_gateway_with_the_link(
    sms_gateway: Gateway,
    officer_bandung: User,
    colleague: User,
    submitted_kube: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    Preference.objects.create(user=colleague, email_on=False, sms_on=True, phone="+6281200001111")
    _return(officer_bandung, submitted_kube, django_capture_on_commit_callbacks)
    (sent,) = sms_gateway.received
    assert sent["to"] == "+6281200001111"
    assert submitted_kube.name in sent["text"]
    assert f"/kube/{submitted_kube.pk}/" in sent["text"]
    _assert_no_personal_data([sent["text"]])
    assert Message.objects.get().status == MessageStatus.SENT


def test_a_mail_server_that_is_down_never_breaks_the_action_and_is_retried_then_failed(
    settings: Any,
    officer_bandung: User,
    colleague: User,
    submitted_kube: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from sinergi.notifications.email_url import email_settings

    for name, value in email_settings(f"smtp://127.0.0.1:{free_port()}", timeout=2).items():
        setattr(settings, name, value)
    settings.SINERGI_NOTIFY_MAX_ATTEMPTS = 3
    settings.SINERGI_NOTIFY_RETRY_SECONDS = 60
    start = at(9)
    with time_machine.travel(start, tick=False) as clock:
        _return(officer_bandung, submitted_kube, django_capture_on_commit_callbacks)
        submitted_kube.refresh_from_db()
        assert submitted_kube.status == "draft"  # the action succeeded
        message = Message.objects.get()
        assert (message.status, message.attempts) == (MessageStatus.RETRYING, 1)
        assert message.error and "colleague@" not in message.error
        # Not due yet: the sweep leaves it alone.
        assert delivery.send_due() == {}
        # Backoff doubles: 60 s, then 120 s.
        assert message.next_attempt_at == start + datetime.timedelta(seconds=60)
        clock.shift(datetime.timedelta(seconds=60))
        assert delivery.send_due() == {MessageStatus.RETRYING: 1}
        message.refresh_from_db()
        assert message.next_attempt_at == start + datetime.timedelta(seconds=60 + 120)
        clock.shift(datetime.timedelta(seconds=120))
        assert delivery.send_due() == {MessageStatus.FAILED: 1}
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 3)
    assert delivery.send_due() == {}


def test_a_gateway_that_refuses_is_retried_and_a_later_attempt_succeeds(
    sms_gateway: Gateway,
    officer_bandung: User,
    colleague: User,
    submitted_kube: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    Preference.objects.create(user=colleague, email_on=False, sms_on=True, phone="081200002222")
    sms_gateway.answer = 503
    with time_machine.travel(at(10), tick=False) as clock:
        _return(officer_bandung, submitted_kube, django_capture_on_commit_callbacks)
        message = Message.objects.get()
        assert message.status == MessageStatus.RETRYING
        assert "503" in message.error
        sms_gateway.answer = 200
        clock.shift(datetime.timedelta(minutes=5))
        assert delivery.send_due() == {MessageStatus.SENT: 1}
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error) == (MessageStatus.SENT, 2, "")
    assert [r["to"] for r in sms_gateway.received] == ["081200002222"]


def test_quiet_hours_delay_a_message_until_they_end(
    officer_bandung: User,
    colleague: User,
    submitted_kube: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    Preference.objects.create(
        user=colleague, quiet_start=datetime.time(21), quiet_end=datetime.time(6)
    )
    with time_machine.travel(at(23), tick=False) as clock:
        _return(officer_bandung, submitted_kube, django_capture_on_commit_callbacks)
        message = Message.objects.get()
        assert message.status == MessageStatus.QUEUED
        assert message.next_attempt_at == at(6, day=3)
        assert mail.outbox == []
        clock.move_to(at(5, 59, day=3))
        assert delivery.send_due() == {}
        clock.move_to(at(6, 1, day=3))
        assert delivery.send_due() == {MessageStatus.SENT: 1}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["colleague@dinsos.example"]


def test_quiet_until_within_one_day_and_across_midnight() -> None:
    day = Preference(quiet_start=datetime.time(12), quiet_end=datetime.time(13))
    assert day.quiet_until(at(12, 30)) == at(13)
    assert day.quiet_until(at(13)) is None
    night = Preference(quiet_start=datetime.time(22), quiet_end=datetime.time(6))
    assert night.quiet_until(at(2)) == at(6)
    assert night.quiet_until(at(22)) == at(6, day=3)
    assert night.quiet_until(at(12)) is None
    assert Preference().quiet_until(at(2)) is None


def test_an_identifier_never_leaves_in_a_message() -> None:
    assert delivery.scrub("KUBE 3273011506850001 Mawar") == "KUBE •••• Mawar"
    assert delivery.scrub("3273-0115-0685-0001") == "••••"
    assert delivery.scrub("order #12, +6281234567890") == "order #12, +6281234567890"


def test_nothing_is_sent_when_nobody_else_can_act(
    officer_bandung: User, submitted_kube: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _return(officer_bandung, submitted_kube, django_capture_on_commit_callbacks)
    assert not Message.objects.exists()


def test_the_same_event_is_told_once(
    officer_bandung: User,
    colleague: User,
    submitted_kube: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from sinergi.core.models import AuditEvent

    _return(officer_bandung, submitted_kube, django_capture_on_commit_callbacks)
    event = AuditEvent.objects.filter(event_type="kube.kube.draft").get()
    assert services.fan_out(event.pk) == 1  # found again, but not queued again
    assert Message.objects.count() == 1
    assert len(mail.outbox) == 1


# --- The daily digest --------------------------------------------------------------------------


@pytest.fixture
def waiting_work(colleague: User) -> Iterator[list[int]]:
    """A provider giving the colleague three items (titles that name groups only)."""
    who = [colleague.pk]

    def items(user: Any) -> list[inbox.InboxItem]:
        if user.pk not in who:
            return []
        since = datetime.datetime(2026, 11, 1, tzinfo=JAKARTA)
        return [
            inbox.InboxItem("kube.verify", f"Verifikasi KUBE Mawar {n}", f"/kube/{n}/", since)
            for n in range(3)
        ]

    inbox.provider("tests.work")(items)
    try:
        yield who
    finally:
        inbox._PROVIDERS.pop("tests.work", None)


def test_the_digest_is_sent_once_a_day_to_who_has_waiting_work(
    waiting_work: list[int],
    colleague: User,
    officer_bandung: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with time_machine.travel(at(7), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.send_digests()
        assert [m.to for m in mail.outbox] == [["colleague@dinsos.example"]]
        subject, body = str(mail.outbox[0].subject), str(mail.outbox[0].body)
        assert "3" in subject
        assert "Verifikasi KUBE Mawar 0" in body and "/tugas/" in body
        _assert_no_personal_data([subject + body])
        # Again the same day: nothing more.
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_digests()["sent"] == 0
        assert len(mail.outbox) == 1
        assert Digest.objects.filter(user=colleague).count() == 1
        assert Message.objects.filter(kind="digest").count() == 1
    with (
        time_machine.travel(at(7, day=3), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.send_digests()["sent"] == 1
    assert len(mail.outbox) == 2


def test_no_digest_for_who_turned_it_off_or_has_nothing_waiting(
    waiting_work: list[int], colleague: User, officer_bandung: User
) -> None:
    Preference.objects.create(user=colleague, digest_on=False)
    assert services.send_digests()["sent"] == 0
    assert mail.outbox == []
    assert not Digest.objects.exists()


def test_the_digest_command(
    waiting_work: list[int], colleague: User, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", day="2026-11-02")
        call_command("send_digests", day="2026-11-02")
    assert len(mail.outbox) == 1
    assert Digest.objects.get().day == datetime.date(2026, 11, 2)


def test_the_digest_in_batches_for_the_task_workers(
    waiting_work: list[int], colleague: User, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", day="2026-11-02", queue=True)
        call_command("send_digests", day="2026-11-02", queue=True)
    assert len(mail.outbox) == 1
    assert Digest.objects.get().user == colleague


# --- Preferences and the log -------------------------------------------------------------------


def test_preferences_page_saves_and_refuses_with_the_reason(
    client_for: Callable[[User | None], Client], colleague: User
) -> None:
    client = client_for(colleague)
    assert client.get("/notifikasi/").status_code == 200
    refused = client.post("/notifikasi/", {"sms_on": "on", "language": "id", "email_on": "on"})
    assert refused.status_code == 400
    assert "nomor" in refused.content.decode().lower()  # "Berikan nomor telepon…"
    assert not Preference.objects.exists()
    saved = client.post(
        "/notifikasi/",
        {
            "sms_on": "on",
            "phone": "0812 0000 3333",
            "language": "en",
            "quiet_start": "22:00",
            "quiet_end": "06:00",
        },
    )
    assert saved.status_code == 302
    pref = Preference.objects.get(user=colleague)
    assert (pref.email_on, pref.sms_on, pref.phone, pref.language, pref.digest_on) == (
        False,
        True,
        "081200003333",
        "en",
        False,
    )
    assert pref.quiet_start == datetime.time(22)


def test_preferences_api_reads_and_writes_ones_own(
    client_for: Callable[[User | None], Client], colleague: User
) -> None:
    client = client_for(colleague)
    got = client.get("/api/v1/notifications/preferences").json()
    assert got["email_on"] is True and got["language"] == "id" and got["digest_on"] is True
    bad = client.put(
        "/api/v1/notifications/preferences",
        {"sms_on": True, "quiet_start": "22:00"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["field"] == "quiet_end"
    put = client.put(
        "/api/v1/notifications/preferences",
        {"email_on": False, "sms_on": True, "phone": "+628120000444", "digest_on": False},
        content_type="application/json",
    )
    assert put.status_code == 200, put.content
    assert put.json()["phone"] == "+628120000444"
    pref = Preference.objects.get(user=colleague)
    assert (pref.email_on, pref.sms_on, pref.digest_on) == (False, True, False)
    from sinergi.core.models import AuditEvent

    event = AuditEvent.objects.get(event_type="notifications.preference.saved")
    assert "+628120000444" not in str(event.data)  # the trail says it changed, not what


def test_the_message_log_is_for_the_national_admin(
    client_for: Callable[[User | None], Client],
    admin_user: User,
    officer_bandung: User,
    colleague: User,
    submitted_kube: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _return(officer_bandung, submitted_kube, django_capture_on_commit_callbacks)
    admin = client_for(admin_user)
    page = admin.get("/notifikasi/pesan/")
    assert page.status_code == 200
    assert colleague.username in page.content.decode()
    answer = admin.get("/api/v1/notifications/messages?status=sent")
    assert answer.status_code == 200, answer.content
    listed = answer.json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert (item["username"], item["kind"], item["channel"]) == (
        colleague.username,
        "kube.returned",
        "email",
    )
    assert "body" not in item
    officer = client_for(officer_bandung)
    assert officer.get("/notifikasi/pesan/").status_code == 403
    assert officer.get("/api/v1/notifications/messages").status_code == 403


def test_many_digests_go_out_in_batches_and_a_mail_server_that_is_down_is_retried(
    smtp_server: Mailbox,
    sms_gateway: Gateway,
    settings: Any,
    waiting_work: list[int],
    colleague: User,
    make_user: Callable[..., User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    others = [
        make_user(Role.SOCIAL_OFFICER, "32.73", email=f"rekan{n}@dinsos.example") for n in range(4)
    ]
    waiting_work.extend(u.pk for u in others)
    Preference.objects.create(user=others[0], email_on=False, sms_on=True, phone="081200003333")
    Preference.objects.create(
        user=others[1], language="en", quiet_start=datetime.time(22), quiet_end=datetime.time(8)
    )
    up = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # the mail server is down at first
    with time_machine.travel(at(7), tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_digests()["sent"] == 5
        assert Digest.objects.count() == 5
        by_user = {m.user_id: m for m in Message.objects.filter(kind="digest")}
        assert len(by_user) == 5
        assert by_user[others[0].pk].status == MessageStatus.SENT  # WhatsApp/SMS went out
        assert [r["to"] for r in sms_gateway.received] == ["081200003333"]
        quiet = by_user[others[1].pk]
        assert (quiet.status, quiet.attempts) == (MessageStatus.QUEUED, 0)
        assert quiet.next_attempt_at == at(8)
        retrying = [m for m in by_user.values() if m.status == MessageStatus.RETRYING]
        assert len(retrying) == 3 and all(m.attempts == 1 for m in retrying)
        assert smtp_server.recipients == []
        settings.EMAIL_PORT = up
        clock.shift(datetime.timedelta(minutes=2))
        assert delivery.send_due() == {MessageStatus.SENT: 3}
        clock.shift(datetime.timedelta(hours=1))
        assert delivery.send_due() == {MessageStatus.SENT: 1}
    assert sorted(smtp_server.recipients) == sorted(
        [colleague.email, others[1].email, others[2].email, others[3].email]
    )
    english = [b for b in smtp_server.bodies() if "Tasks waiting for you" in b]
    assert len(english) == 1 and "Verifikasi KUBE Mawar 0" in english[0]
    _assert_no_personal_data(smtp_server.bodies())
    assert not Message.objects.exclude(status=MessageStatus.SENT).exists()


def test_a_digest_made_meanwhile_by_another_run_is_not_sent_twice(
    waiting_work: list[int],
    colleague: User,
    make_user: Callable[..., User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    other = make_user(Role.SOCIAL_OFFICER, "32.73", email="rekan@dinsos.example")
    waiting_work.append(other.pk)
    day = datetime.date(2026, 11, 2)
    users = list(User.objects.filter(pk__in=[colleague.pk, other.pk]).select_related("area"))
    Digest.objects.create(user=colleague, day=day, items=3)  # the other run's
    with django_capture_on_commit_callbacks(execute=True):
        assert services._digest_chunk(users, day) == 1
    assert [m.to for m in mail.outbox] == [["rekan@dinsos.example"]]
    assert Digest.objects.filter(day=day).count() == 2
