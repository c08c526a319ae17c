"""The task inbox (core.inbox, /tugas/, GET /api/v1/inbox/).

The world is the demo's (same services, same seed, with its waiting work), built once for the
module inside a transaction rolled back at the end; each test runs in its own savepoint, so it
drives the real services and leaves the world as it found it. For each kind of item: it appears
when the work waits, disappears when the work is done, only for the role and area whose step it
is, and never for whoever took the step before (four eyes).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core import inbox
from tests import testdb

pytestmark = pytest.mark.slow(cpu=25)  # its world is the demo's, built once for the module

DEMO_USERS = (
    "admin",
    "dinsos.jabar",
    "dinsos.bandung",
    "dinsos.bogor",
    "dinsos.jateng",
    "pendamping.bandung",
    "iwapi.jabar",
    "mentor.bandung",
    "pembeli",
    "kube.bandung",
    "auditor",
)


@pytest.fixture(scope="module")
def world(
    request: pytest.FixtureRequest,
    django_db_setup: Any,
    django_db_blocker: Any,
    tmp_path_factory: Any,
) -> Iterator[None]:
    from sinergi.synthetic.waiting import seed_waiting

    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        testdb.demo_world(request.config, media),
        transaction.atomic(),
    ):
        seed_waiting()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def who(world: None, db: Any) -> Callable[[str], User]:
    def get(username: str) -> User:
        return User.objects.get(username=username)  # fresh: no inbox kept from a request

    return get


def kinds(user: User, kind: str) -> list[inbox.InboxItem]:
    return [item for item in inbox.gather(user) if item.kind == kind]


def titles(user: User, kind: str) -> list[str]:
    return [str(item.title) for item in kinds(user, kind)]


def opens(user: User, url: str) -> int:
    client = Client()
    client.force_login(user)
    return client.get(url).status_code


# --- The demo: every role has work, every link opens ---------------------------------------


def test_every_operational_demo_user_has_work_and_every_item_opens(who: Any) -> None:
    for username in DEMO_USERS:
        user = who(username)
        items = inbox.gather(user)
        assert items, f"{username} has nothing waiting in the demo"
        client = Client()
        client.force_login(user)
        for item in items:
            status = client.get(item.url).status_code
            assert status == 200, f"{username}: {item.kind} {item.url} answers {status}"


def _links(html: str) -> set[str]:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return {h for h in re.findall(r'href="(/[^"]*)"', main) if not h.startswith("/static/")}


def test_every_dashboard_link_opens_for_every_demo_user(who: Any) -> None:
    """The home page's links, and the links of the monitoring dashboard it leads to (which
    linked agreements and graduation lists to officers and partners who may not open them)."""
    for username in DEMO_USERS:
        client = Client()
        client.force_login(who(username))
        home = client.get("/")
        assert home.status_code == 200
        links = _links(home.content.decode())
        if "/pantau/" in links:
            board = client.get("/pantau/", follow=True)
            assert board.status_code == 200
            links |= _links(board.content.decode())
        for link in sorted(links):
            status = client.get(link, follow=True).status_code
            assert status == 200, f"{username}: dashboard link {link} answers {status}"


def test_signing_in_lands_on_the_inbox(who: Any) -> None:
    client = Client()
    answer = client.post(
        reverse("accounts:login"),
        {"username": "kube.bandung", "password": "sinergi-demo-2026"},
    )
    assert answer.status_code == 302
    assert answer["Location"] == "/tugas/"


def test_demo_users_have_email_addresses(who: Any) -> None:
    assert not User.objects.filter(email="").exists()


# --- KUBE: verify and activate, four eyes ----------------------------------------------------


def test_kube_verify_then_activate_follow_the_group_and_four_eyes(who: Any) -> None:
    from sinergi.kube.models import Kube, Status
    from sinergi.kube.services import kube_transition

    jabar, bandung, bogor = who("dinsos.jabar"), who("dinsos.bandung"), who("dinsos.bogor")
    kube = Kube.objects.get(status=Status.SUBMITTED, area_code__startswith="32.73.")
    verify = f"Verifikasi {kube.name}"
    assert verify in titles(jabar, "kube.verify")
    assert verify not in titles(bandung, "kube.verify")  # submitted it: four eyes
    assert verify not in titles(bogor, "kube.verify")  # another regency
    assert all(opens(jabar, i.url) == 200 for i in kinds(jabar, "kube.verify"))

    kube_transition(actor=jabar, kube_id=kube.pk, to_status=Status.VERIFIED)
    assert verify not in titles(jabar, "kube.verify")
    activate = f"Aktifkan {kube.name}"
    assert activate in titles(bandung, "kube.activate")
    assert activate not in titles(jabar, "kube.activate")  # verified it: four eyes
    assert activate not in titles(bogor, "kube.activate")

    kube_transition(actor=bandung, kube_id=kube.pk, to_status=Status.ACTIVE)
    assert activate not in titles(bandung, "kube.activate")
    for role in ("kube.bandung", "pendamping.bandung", "mentor.bandung", "pembeli"):
        assert not kinds(who(role), "kube.verify") + kinds(who(role), "kube.activate")


# --- Aid: recommend, approve, LPJ ----------------------------------------------------------


def test_aid_recommend_is_the_provinces_and_approve_the_centres(who: Any) -> None:
    from sinergi.aid.models import Cycle, Proposal, ProposalStatus
    from sinergi.aid.services import cycle_approve, proposal_recommend

    admin, jabar, bogor = who("admin"), who("dinsos.jabar"), who("dinsos.bogor")
    waiting = Proposal.objects.get(status=ProposalStatus.PROPOSED)  # Bogor's, cycle 2
    assert [i.area for i in kinds(jabar, "aid.recommend")] == [waiting.area_code]
    assert not kinds(bogor, "aid.recommend")  # proposed it; a regency does not recommend
    assert not kinds(admin, "aid.recommend")  # the province's step
    assert not kinds(who("dinsos.jateng"), "aid.recommend")  # another province
    cycle = Cycle.objects.get(pk=waiting.cycle_id)
    assert len(kinds(admin, "aid.approve")) == 1
    assert not kinds(jabar, "aid.approve")

    proposal_recommend(actor=jabar, proposal_id=waiting.pk)
    assert not kinds(jabar, "aid.recommend")
    approve = kinds(admin, "aid.approve")
    assert len(approve) == 1 and opens(admin, approve[0].url) == 200

    cycle_approve(actor=admin, cycle_id=cycle.pk)
    assert not kinds(admin, "aid.approve")


def test_aid_approve_is_not_offered_to_who_recommended_in_the_cycle(who: Any) -> None:
    from sinergi.aid.models import Proposal, ProposalStatus
    from sinergi.aid.services import proposal_recommend

    admin = who("admin")
    waiting = Proposal.objects.get(status=ProposalStatus.PROPOSED)
    proposal_recommend(actor=admin, proposal_id=waiting.pk)  # the centre may recommend too
    assert not kinds(admin, "aid.approve")  # ... and then may not approve (four eyes)


def test_lpj_to_write_check_correct_and_accept(who: Any, make_user: Any) -> None:
    from sinergi.aid.models import Proposal, ProposalStatus
    from sinergi.aid.services import lpj_accept, lpj_add_item, lpj_return, lpj_submit
    from sinergi.synthetic.demo import RECEIPT_PNG

    proposal = Proposal.objects.get(status=ProposalStatus.APPROVED, area_code__startswith="32.01.")
    ketua = User.objects.get(kube_id=proposal.kube_id)
    facilitator = make_user(Role.FACILITATOR, "32.01")
    assert [i.kind for i in kinds(ketua, "aid.lpj_write")] == ["aid.lpj_write"]
    assert not kinds(facilitator, "aid.lpj_check")

    lpj_add_item(
        actor=ketua, proposal_id=proposal.pk, description="Mesin jahit", amount=proposal.amount,
        day=timezone.localdate(), receipt=SimpleUploadedFile("nota.png", RECEIPT_PNG),
    )  # fmt: skip
    assert kinds(ketua, "aid.lpj_write")  # a draft still waits to be submitted
    lpj_submit(actor=ketua, proposal_id=proposal.pk)
    assert not kinds(ketua, "aid.lpj_write")
    check = kinds(facilitator, "aid.lpj_check")
    assert len(check) == 1 and opens(facilitator, check[0].url) == 200
    assert not kinds(who("pendamping.bandung"), "aid.lpj_check")  # another regency

    lpj_return(actor=facilitator, proposal_id=proposal.pk, reason="Nota kurang jelas")
    assert not kinds(facilitator, "aid.lpj_check")
    assert "Perbaiki" in titles(ketua, "aid.lpj_write")[0]
    lpj_submit(actor=ketua, proposal_id=proposal.pk)
    lpj_accept(actor=facilitator, proposal_id=proposal.pk)
    assert not kinds(facilitator, "aid.lpj_check") + kinds(ketua, "aid.lpj_write")


# --- Mentoring -----------------------------------------------------------------------------


def test_matching_offers_and_answers(who: Any) -> None:
    from sinergi.mentoring.models import Assignment, AssignmentStatus
    from sinergi.mentoring.services import assignment_respond, match_run, run_send

    coordinator = who("iwapi.jabar")
    assert kinds(coordinator, "mentoring.match")
    assert not kinds(who("mentor.bandung"), "mentoring.match")
    run = match_run(actor=coordinator)
    run_send(actor=coordinator, run_id=run.pk)
    offer = Assignment.objects.filter(run=run, status=AssignmentStatus.OFFERED).first()
    assert offer is not None
    mentor = User.objects.filter(mentor_id=offer.mentor_id).first() or User.objects.create(
        username="mentor-offer", role=Role.MENTOR, area_code="32", mentor_id=offer.mentor_id
    )
    answer = [i for i in kinds(mentor, "mentoring.offer") if offer.kube.name in str(i.title)]
    assert len(answer) == 1 and opens(mentor, answer[0].url) == 200
    assert not kinds(coordinator, "mentoring.offer")
    assignment_respond(actor=mentor, assignment_id=offer.pk, accept=True)
    assert not [i for i in kinds(mentor, "mentoring.offer") if offer.kube.name in str(i.title)]


def test_overdue_action_items_for_the_group_and_its_mentor(who: Any) -> None:
    from sinergi.mentoring.models import ActionItem, ActionStatus
    from sinergi.mentoring.services import action_item_update

    mentor, officer = who("mentor.bandung"), who("kube.bandung")
    overdue = ActionItem.objects.filter(
        kube_id=officer.kube_id, status=ActionStatus.OPEN, due_on__lt=timezone.localdate()
    )
    assert overdue.exists()
    group = officer.kube.name
    assert any(group in t for t in titles(mentor, "mentoring.overdue"))
    assert any(group in t for t in titles(officer, "mentoring.overdue"))
    assert not kinds(who("dinsos.bandung"), "mentoring.overdue")  # offices: the dashboards
    for item in overdue:
        action_item_update(actor=mentor, item_id=item.pk, status=ActionStatus.DONE)
    assert not any(group in t for t in titles(mentor, "mentoring.overdue"))
    assert not kinds(officer, "mentoring.overdue")


def test_facilitator_report_due_returned_and_submitted(who: Any) -> None:
    from sinergi.mentoring.models import MonthlyReport, ReportStatus
    from sinergi.mentoring.selectors import previous_month
    from sinergi.mentoring.services import report_save

    facilitator = who("pendamping.bandung")
    due = kinds(facilitator, "mentoring.report")
    assert due and all(i.due is not None for i in due)
    assert not kinds(who("dinsos.bandung"), "mentoring.report")
    month = previous_month(timezone.localdate()).strftime("%Y-%m")
    kube_id = int(due[0].url.split("/kelompok/")[1].split("/")[0])
    report_save(
        actor=facilitator, kube_id=kube_id, month=month, activities="Kunjungan", submit=True
    )
    assert f"/kelompok/{kube_id}/laporan/{month}/" not in [
        i.url for i in kinds(facilitator, "mentoring.report")
    ]

    returned = MonthlyReport.objects.get(status=ReportStatus.RETURNED)  # the demo's
    assert [i.url for i in kinds(facilitator, "mentoring.returned")] == [
        f"/pendampingan/kelompok/{returned.kube_id}/laporan/{returned.month:%Y-%m}/"
    ]
    report_save(
        actor=facilitator, kube_id=returned.kube_id, month=f"{returned.month:%Y-%m}",
        activities="Kunjungan, daftar hadir lengkap", submit=True,
    )  # fmt: skip
    assert not kinds(facilitator, "mentoring.returned")


# --- Monitoring ------------------------------------------------------------------------------


def test_group_report_returned_then_due_next_month(who: Any) -> None:
    from sinergi.mentoring.selectors import previous_month
    from sinergi.monitoring.services import save_report

    officer = who("kube.bandung")
    returned = kinds(officer, "monitoring.returned")
    assert len(returned) == 1 and opens(officer, returned[0].url) == 200
    assert not kinds(who("kube.bandung"), "monitoring.report")
    assert not kinds(who("dinsos.bandung"), "monitoring.returned")  # the office returned it
    period = previous_month(timezone.localdate())
    save_report(
        actor=officer, kube_id=officer.kube_id, period=period,
        figures={"turnover": 1_000_000, "costs": 700_000}, incomes={}, submit=True,
    )  # fmt: skip
    assert not kinds(officer, "monitoring.returned")

    with time_machine.travel(timezone.now() + timedelta(days=32), tick=False):
        due = kinds(officer, "monitoring.report")
        assert len(due) == 1 and due[0].due is not None
        assert not kinds(who("mentor.bandung"), "monitoring.report")
        save_report(
            actor=officer, kube_id=officer.kube_id, period=previous_month(timezone.localdate()),
            figures={"turnover": 1_000_000, "costs": 700_000}, incomes={}, submit=True,
        )  # fmt: skip
        assert not kinds(officer, "monitoring.report")


def test_graduations_to_confirm_by_area(who: Any) -> None:
    from sinergi.monitoring.models import Graduation, ProposalStatus
    from sinergi.monitoring.services import decide_graduation

    bandung, bogor = who("dinsos.bandung"), who("dinsos.bogor")
    item = Graduation.objects.filter(
        status=ProposalStatus.PROPOSED, area_code__startswith="32.73."
    ).first()
    assert item is not None
    url = f"/pantau/graduasi/{item.pk}/putuskan/"
    assert url in [i.url for i in kinds(bandung, "monitoring.graduation")]
    assert url not in [i.url for i in kinds(bogor, "monitoring.graduation")]
    assert not kinds(who("pendamping.bandung"), "monitoring.graduation")
    decide_graduation(actor=bandung, pk=item.pk, confirm=False, reason="Belum stabil")
    assert url not in [i.url for i in kinds(bandung, "monitoring.graduation")]


def test_a_long_queue_is_listed_ten_at_a_time_then_counted(who: Any) -> None:
    from sinergi.monitoring.models import Graduation, ProposalStatus

    admin = who("admin")
    waiting = Graduation.objects.filter(status=ProposalStatus.PROPOSED).count()
    items = kinds(admin, "monitoring.graduation")
    assert waiting > inbox.PER_KIND
    assert len(items) == inbox.PER_KIND + 1
    assert str(items[-1].title).startswith(f"{waiting - inbox.PER_KIND} ")


# --- Market ----------------------------------------------------------------------------------


def test_an_order_passes_between_the_groups_and_the_buyer(who: Any) -> None:
    from sinergi.market import services
    from sinergi.market.models import Order, OrderStatus, PartStatus

    buyer, officer = who("pembeli"), who("kube.bandung")
    order = Order.objects.filter(status=OrderStatus.PROPOSED, sent_at__isnull=False).get()
    parts = list(order.parts.filter(status=PartStatus.PROPOSED).order_by("pk"))
    assert any(f"#{order.pk})" in t for t in titles(officer, "market.part"))
    assert not [i for i in kinds(buyer, "market.order") if i.url.endswith(f"/{order.pk}/")]
    assert not kinds(who("dinsos.bandung"), "market.part")
    for part in parts:
        answerer = User.objects.filter(kube_id=part.kube_id).first()
        services.part_respond(actor=answerer, part_id=part.pk, accept=True)
    assert not any(f"#{order.pk})" in t for t in titles(officer, "market.part"))
    step = [i for i in kinds(buyer, "market.order") if i.url.endswith(f"/{order.pk}/")]
    assert len(step) == 1 and opens(buyer, step[0].url) == 200

    services.order_step(actor=buyer, order_id=order.pk, to=OrderStatus.CONFIRMED)
    assert not [i for i in kinds(buyer, "market.order") if i.url.endswith(f"/{order.pk}/")]
    mine = order.parts.get(kube_id=officer.kube_id)
    for to in (PartStatus.IN_PRODUCTION, PartStatus.SHIPPED):
        assert any(f"#{order.pk} " in t for t in titles(officer, "market.part_step"))
        services.part_step(actor=officer, part_id=mine.pk, to=to)
    assert not any(f"#{order.pk} " in t for t in titles(officer, "market.part_step"))
    for to in (PartStatus.DELIVERED, PartStatus.PAID):
        assert [i for i in kinds(buyer, "market.order") if i.url.endswith(f"/{order.pk}/")]
        services.part_step(actor=buyer, part_id=mine.pk, to=to)
    assert not [i for i in kinds(buyer, "market.order") if i.url.endswith(f"/{order.pk}/")]


def test_the_buyer_sends_a_split_order(who: Any) -> None:
    from sinergi.market import services

    buyer = who("pembeli")
    send = [i for i in kinds(buyer, "market.order") if "Kirim" in str(i.title)]
    assert len(send) == 1
    order_id = int(send[0].url.rstrip("/").rsplit("/", 1)[1])
    services.order_send(actor=buyer, order_id=order_id)
    assert not [i for i in kinds(buyer, "market.order") if "Kirim" in str(i.title)]


# --- Registry and exports -------------------------------------------------------------------


def test_checked_import_waits_for_its_uploader(who: Any) -> None:
    from sinergi.registry.batches import import_cancel

    bandung = who("dinsos.bandung")
    waiting = kinds(bandung, "registry.import")
    assert len(waiting) == 1
    assert not kinds(who("dinsos.jabar"), "registry.import")  # not who uploaded it
    batch_id = waiting[0].url.rstrip("/").rsplit("/", 1)[1]
    import_cancel(actor=bandung, batch_id=batch_id)
    assert not kinds(bandung, "registry.import")


def test_duplicates_counted_for_who_decides_them(who: Any) -> None:
    from sinergi.registry.models import DuplicateCandidate, DuplicateStatus
    from sinergi.registry.selectors import duplicates_to_review
    from sinergi.registry.services import duplicate_decide

    jabar = who("dinsos.jabar")
    pending = duplicates_to_review(actor=jabar).count()
    assert pending > 0
    assert str(kinds(jabar, "registry.duplicates")[0].title).startswith(f"{pending} ")
    assert not kinds(who("pendamping.bandung"), "registry.duplicates")
    assert not kinds(who("iwapi.jabar"), "registry.duplicates")
    for pair in duplicates_to_review(actor=jabar):
        duplicate_decide(actor=jabar, candidate_id=pair.pk, same_person=False)
    assert not kinds(jabar, "registry.duplicates")
    assert not DuplicateCandidate.objects.filter(
        status=DuplicateStatus.PENDING, person_a__area_code__startswith="32."
    ).exists()


def test_an_export_waits_until_its_requester_fetches_it(who: Any) -> None:
    from sinergi.core import jobs

    auditor = who("auditor")
    ready = kinds(auditor, "core.export")
    assert len(ready) == 1 and opens(auditor, ready[0].url) == 200
    assert not kinds(who("admin"), "core.export")  # someone else's file
    job_id = int(ready[0].url.rstrip("/").rsplit("/", 1)[1])
    _job, handle = jobs.open_file(auditor, job_id)
    handle.close()
    assert not kinds(auditor, "core.export")


# --- Order, cost, page, API, menu ---------------------------------------------------------


def test_overdue_and_due_items_come_first_then_the_oldest(who: Any) -> None:
    items = inbox.gather(who("pendamping.bandung"))
    today = timezone.localdate()
    urgent = [i for i in items if i.due is not None and i.due <= today]
    assert items[: len(urgent)] == urgent
    rest = items[len(urgent) :]
    assert [i.since for i in rest] == sorted(i.since for i in rest)


def test_the_number_of_queries_does_not_grow_with_the_queues(who: Any) -> None:
    from sinergi.kube.models import Kube, Status

    admin = who("admin")
    model = Kube.objects.filter(status=Status.SUBMITTED).first()
    assert model is not None

    def more_to_verify(n: int) -> None:
        for i in range(n):
            Kube.objects.create(
                name=f"KUBE Tambahan {i}", business_type=model.business_type,
                village=model.village, area_code=model.area_code, status=Status.SUBMITTED,
            )  # fmt: skip

    more_to_verify(inbox.PER_KIND)  # every queue of the admin's is now longer than a page
    inbox.gather(admin)  # permissions cached, as within a request
    with CaptureQueriesContext(connection) as before:
        first = inbox.gather(admin)
    more_to_verify(40)
    with CaptureQueriesContext(connection) as after:
        second = inbox.gather(admin)
    assert len(second) == len(first)  # ten listed, the rest counted in one item
    counted = [str(i.title) for i in (first + second) if i.kind == "kube.verify"]
    assert counted[inbox.PER_KIND] != counted[-1]  # "N more" grew by 40
    assert len(after) == len(before) <= 30


def test_page_groups_and_filters_by_kind_in_both_languages(who: Any) -> None:
    client = Client()
    client.force_login(who("dinsos.jabar"))
    page = client.get("/tugas/").content.decode()
    assert "Tugas saya" in page and "KUBE untuk diverifikasi" in page
    assert 'class="nav-count"' in page
    only = client.get("/tugas/?jenis=kube.verify").content.decode()
    assert "<h2>KUBE untuk diverifikasi</h2>" in only
    assert "<h2>Graduasi untuk dikonfirmasi</h2>" in page
    assert "<h2>Graduasi untuk dikonfirmasi</h2>" not in only
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switcher's choice
    english = client.get("/tugas/").content.decode()
    assert "My tasks" in english and "KUBE to verify" in english


def test_api_answers_in_the_callers_language(who: Any) -> None:
    user = who("dinsos.jabar")
    client = Client()
    client.force_login(user)
    answer = client.get("/api/v1/inbox/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert answer["count"] == len(answer["items"]) == len(inbox.gather(user))
    first = answer["items"][0]
    assert set(first) >= {"kind", "title", "url", "since", "due", "area"}
    english = {i["title"] for i in answer["items"]}
    indonesian = {
        i["title"] for i in client.get("/api/v1/inbox/", HTTP_ACCEPT_LANGUAGE="id").json()["items"]
    }
    assert any(t.startswith("Verify ") for t in english)
    assert any(t.startswith("Verifikasi ") for t in indonesian)
    for item in answer["items"]:
        assert client.get(item["url"]).status_code == 200
    assert Client().get("/api/v1/inbox/").status_code == 401


def test_menu_count_costs_one_query_until_something_is_written(who: Any) -> None:
    from sinergi.kube.models import Kube, Status
    from sinergi.kube.services import kube_transition

    cache.clear()
    jabar = who("dinsos.jabar")
    count = inbox.count_for(jabar)
    assert count == len(inbox.gather(jabar))
    again = who("dinsos.jabar")
    with CaptureQueriesContext(connection) as queries:
        assert inbox.count_for(again) == count
    assert len(queries) == 1
    kube = Kube.objects.filter(status=Status.SUBMITTED).first()
    assert kube is not None
    kube_transition(actor=jabar, kube_id=kube.pk, to_status=Status.VERIFIED)
    assert inbox.count_for(who("dinsos.jabar")) == count - 1


def test_the_page_costs_the_same_statements_however_long_its_queues(who: Any) -> None:
    """/tugas/ for the national admin and a regency officer: the same number of statements
    with a queue longer than a page, and after 15 more groups wait in 15 more villages (the
    lists stop at ten, the rest is counted, the villages' names are one lookup)."""
    from sinergi.kube.models import Kube, Status
    from sinergi.wilayah import inbox as region_inbox
    from sinergi.wilayah.models import Region

    model = Kube.objects.filter(status=Status.SUBMITTED, area_code__startswith="32.73.").first()
    assert model is not None
    villages = Region.objects.filter(level=4, code__startswith="32.73.").exclude(
        code__in=Kube.objects.values("area_code")
    )[: inbox.PER_KIND + 16]
    assert len(villages) == inbox.PER_KIND + 16

    def waiting(places: Any) -> None:
        for village in places:
            Kube.objects.create(
                name=f"KUBE Antre {village.code}", business_type=model.business_type,
                village=village, area_code=village.code, status=Status.SUBMITTED,
            )  # fmt: skip

    waiting(villages[: inbox.PER_KIND + 1])  # the queue is longer than a page: listed and counted
    clients = {}
    for name in ("admin", "dinsos.bandung"):
        clients[name] = Client()
        clients[name].force_login(who(name))
        clients[name].get("/tugas/")  # permissions, templates, the menu's count

    def page(name: str) -> tuple[int, str]:
        region_inbox._names.clear()  # the names looked up on both pages alike
        with CaptureQueriesContext(connection) as queries:
            body = clients[name].get("/tugas/").content.decode()
        return len(queries), body

    before = {name: page(name) for name in clients}
    waiting(villages[inbox.PER_KIND + 1 :])
    for name in clients:
        count, body = page(name)
        assert count == before[name][0], name
        assert body != before[name][1]  # the "N more to verify" grew


@contextmanager
def compiled_models() -> Iterator[list[str]]:
    """The model of every statement Django compiles meanwhile (compiling is what costs)."""
    from unittest import mock

    from django.db.models.sql.compiler import SQLCompiler

    real = SQLCompiler.as_sql
    compiled: list[str] = []

    def counting(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        compiled.append(self.query.model._meta.label if self.query.model else "")
        return real(self, *args, **kwargs)

    with mock.patch.object(SQLCompiler, "as_sql", counting):
        yield compiled


def test_a_step_the_user_may_not_take_costs_no_statement_nor_its_compile(who: Any) -> None:
    buyer = who("pembeli")
    assert not buyer.has_perm("kube.verify_kube") and not buyer.has_perm("aid.check_lpj")
    providers = inbox.providers()
    with compiled_models() as compiled:
        for code in ("kube.steps", "aid.steps", "monitoring.work", "registry.work"):
            assert list(providers[code](buyer)) == []
    assert compiled == []


def test_a_queue_empty_for_everyone_costs_its_guard_not_its_statement(who: Any) -> None:
    """The national admin may take every step, but no invitation lapsed and she buys nothing:
    those selectors' statements are neither built nor compiled (core.inbox.any_row); once an
    invitation lapses, its item is back."""
    from unittest import mock

    from django.contrib.auth.hashers import make_password

    from sinergi.accounts.models import Invitation
    from sinergi.market.models import Demand, Order

    admin = who("admin")
    assert not Order.objects.filter(created_by=admin).exists()
    assert not Demand.objects.filter(buyer=admin).exists()
    now = timezone.now()
    assert not Invitation.objects.filter(
        used_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now
    ).exists()
    providers = inbox.providers()
    with (
        compiled_models() as compiled,
        mock.patch("sinergi.market.selectors.orders_to_step") as built,
    ):
        assert list(providers["accounts.invitations"](admin)) == []
        assert [i for i in providers["market.steps"](admin) if i.kind == "market.order"] == []
    assert not built.called
    assert "accounts.User" not in compiled and "market.Order" not in compiled
    invited = User.objects.create(
        username="lupa.undangan", email="lupa@dinsos.example", role=Role.FACILITATOR,
        area=who("dinsos.bandung").area, password=make_password(None),
    )  # fmt: skip
    Invitation.objects.create(user=invited, key_hash="0" * 64, expires_at=now - timedelta(days=1))
    assert [i.kind for i in providers["accounts.invitations"](who("admin"))] == [
        "accounts.invitation"
    ]


def test_region_names_are_looked_up_once_per_process(who: Any) -> None:
    from sinergi.wilayah import inbox as region_inbox

    region_inbox._names.clear()
    item = inbox.InboxItem("x", "x", "/", timezone.now(), area="32.73")
    with CaptureQueriesContext(connection) as first:
        assert inbox.area_names([item]) == {"32.73": "Kota Bandung"}
    with CaptureQueriesContext(connection) as again:
        assert inbox.area_names([item]) == {"32.73": "Kota Bandung"}
    unknown = inbox.InboxItem("x", "x", "/", timezone.now(), area="99.99")
    with CaptureQueriesContext(connection) as missing:
        assert inbox.area_names([item, unknown]) == {"32.73": "Kota Bandung"}
    assert (len(first), len(again), len(missing)) == (1, 0, 1)


# --- Many users at once (the daily digest) ------------------------------------------------------


def _plain(items: list[inbox.InboxItem]) -> list[tuple[Any, ...]]:
    return [(i.kind, str(i.title), i.url, i.since, i.due, i.area) for i in items]


def _everyone() -> list[User]:
    # Fresh objects: no inbox, audience or permissions kept from an earlier call.
    return list(User.objects.filter(is_active=True).select_related("area").order_by("pk"))


def test_the_batch_inbox_is_each_users_own_for_every_user(who: Any) -> None:
    """The digest's path (``gather_many``: once per audience, personal parts set-wise) gives
    every user of every role exactly the inbox the page gives her. Each demo user gets a twin
    in the same audience (role, area, group, mentor profile) who took no step herself, so the
    four-eyes and own-work parts must be told apart from what the audience shares."""
    for person in _everyone():
        User.objects.create(
            username=f"{person.username}.kembar", email=f"kembar.{person.pk}@dinsos.example",
            role=person.role, area=person.area, kube=person.kube, mentor=person.mentor,
        )  # fmt: skip
    roles = {u.role for u in _everyone()}
    assert set(Role.values) <= roles, "the world lacks a role"
    with time_machine.travel(timezone.now(), tick=False):
        for language in ("id", "en"):
            with translation.override(language):
                many = inbox.gather_many(_everyone())
                own = {u.pk: inbox.gather(u) for u in _everyone()}
            for user in _everyone():
                assert _plain(many[user.pk]) == _plain(own[user.pk]), (user.username, language)
    # Not vacuous: most users have work, and some differ from their twin by their own steps.
    twins = {u.username: u.pk for u in _everyone()}
    differ = [
        name
        for name, pk in twins.items()
        if not name.endswith(".kembar") and _plain(own[pk]) != _plain(own[twins[f"{name}.kembar"]])
    ]
    assert sum(1 for items in own.values() if items) > len(own) / 2
    assert differ, "no demo user has work of her own in the inbox"


def test_the_batch_inbox_costs_the_same_for_one_user_or_many_of_an_audience(who: Any) -> None:
    officer = who("dinsos.bandung")

    def colleagues(n: int) -> list[User]:
        made = [
            User.objects.create(
                username=f"rekan.{n}.{i}",
                role=officer.role,
                area=officer.area,
                email=f"rekan.{n}.{i}@dinsos.example",
            )
            for i in range(n)
        ]
        return list(User.objects.filter(pk__in=[u.pk for u in made]).select_related("area"))

    few, many = colleagues(1), colleagues(40)
    with CaptureQueriesContext(connection) as one:
        first = inbox.gather_many(few)
    with CaptureQueriesContext(connection) as forty:
        second = inbox.gather_many(many)
    assert _plain(first[few[0].pk]) == _plain(second[many[-1].pk]) != []
    assert len(forty) == len(one)
