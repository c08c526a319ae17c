"""Mentoring pages write through forms: nothing typed is lost, the right row is named,
irreversible steps are confirmed, a submitted report is final until returned with a reason."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core.errors import Forbidden, InvalidInput
from sinergi.core.models import AuditEvent
from sinergi.mentoring import services
from sinergi.mentoring.models import (
    Assignment,
    AssignmentStatus,
    MatchRunStatus,
    MonthlyReport,
    Organisation,
    ReportStatus,
)
from tests.mentoring.conftest import _items

pytestmark = pytest.mark.django_db


def test_a_refused_session_keeps_the_date_and_every_item_and_names_the_right_row(
    world, client_for: Callable[..., Client]
) -> None:
    kube = world["kube"]
    client = client_for(world["mentor"])
    held = timezone.localdate() - timedelta(days=2)
    too_early = (held - timedelta(days=1)).isoformat()
    later = (held + timedelta(days=7)).isoformat()
    data = {
        "held_on": held.isoformat(),
        "place": "Rumah ketua",
        "topics": "Kemasan",
        **_items([("Label baru", "Sekretaris", later), ("Timbangan", "Bendahara", too_early)]),
    }
    url = f"/pendampingan/kelompok/{kube.pk}/sesi/baru/"
    page = client.post(url, data).content.decode()
    assert kube.sessions.count() == 1
    # The date and both rows as typed; the message names row 2, not row 1.
    assert f'value="{held.isoformat()}"' in page
    for typed in ("Label baru", "Sekretaris", later, "Timbangan", "Bendahara", too_early):
        assert f'value="{typed}"' in page, typed
    assert "Tindak lanjut 2: tenggatnya sebelum tanggal sesi." in page
    assert "Tindak lanjut 1:" not in page
    # A half-filled row is named too, and the others stay.
    data |= {"items-1-due_on": later, "items-1-owner": ""}
    page = client.post(url, data).content.decode()
    assert "Tindak lanjut 2: lihat di bawah." in page and 'value="Timbangan"' in page
    data["items-1-owner"] = "Bendahara"
    assert client.post(url, data).status_code == 302
    assert set(kube.action_items.values_list("description", flat=True)) >= {
        "Label baru",
        "Timbangan",
    }


def test_a_future_date_keeps_the_items_typed(world, client_for: Callable[..., Client]) -> None:
    kube = world["kube"]
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    page = (
        client_for(world["mentor"])
        .post(
            f"/pendampingan/kelompok/{kube.pk}/sesi/baru/",
            {
                "held_on": future,
                "place": "Balai",
                "topics": "Harga",
                **_items([("Daftar harga", "Ketua", future)]),
            },
        )
        .content.decode()
    )
    assert "Tanggal ini di masa depan." in page
    assert f'value="{future}"' in page and 'value="Daftar harga"' in page


def test_ending_an_assignment_asks_for_confirmation(
    world, client_for: Callable[..., Client], coordinator: User
) -> None:
    kube, row = world["kube"], Assignment.objects.get(kube=world["kube"], status="accepted")
    client = client_for(coordinator)
    page = client.get(f"/pendampingan/kelompok/{kube.pk}/").content.decode()
    assert "menunggu pencocokan berikutnya" in page  # says what will happen
    url = f"/pendampingan/penugasan/{row.pk}/akhiri/"
    unconfirmed = client.post(url, {"reason": "completed", "note": "Selesai"})
    assert unconfirmed.status_code == 400 and 'value="Selesai"' in unconfirmed.content.decode()
    row.refresh_from_db()
    assert row.status == AssignmentStatus.ACCEPTED
    assert (
        client.post(url, {"reason": "completed", "note": "Selesai", "confirm": "on"}).status_code
        == 302
    )
    row.refresh_from_db()
    assert (row.status, row.end_note) == (AssignmentStatus.ENDED, "Selesai")
    ended = AuditEvent.objects.get(event_type="mentoring.assignment.ended", object_id=str(row.pk))
    assert ended.data["changes"]["status"] == ["accepted", "ended"]


def test_buttons_only_for_who_may_use_them(
    world, client_for: Callable[..., Client], facilitator_bandung: User
) -> None:
    kube = world["kube"]
    row = Assignment.objects.get(kube=kube, status="accepted")
    end_url = f"/pendampingan/penugasan/{row.pk}/akhiri/"
    for user in (world["mentor"], facilitator_bandung):
        page = client_for(user).get(f"/pendampingan/kelompok/{kube.pk}/").content.decode()
        assert end_url not in page
        assert (
            client_for(user).post(end_url, {"reason": "completed", "confirm": "on"}).status_code
            == 403
        )
    page = (
        client_for(facilitator_bandung).get(f"/pendampingan/kelompok/{kube.pk}/").content.decode()
    )
    assert "sesi/baru" not in page  # only the group's mentor logs sessions


def test_discarding_a_run_asks_for_confirmation(
    world, client_for: Callable[..., Client], coordinator: User, make_mentor
) -> None:
    make_mentor("Lilis", "32.01", ["kerajinan"], capacity=1)
    run = services.match_run(actor=coordinator)
    client = client_for(coordinator)
    url = f"/pendampingan/pencocokan/{run.pk}/"
    assert "tidak ada mentor yang menerimanya" in client.get(url).content.decode()
    client.post(url, {"action": "discard"})
    run.refresh_from_db()
    assert run.status == MatchRunStatus.PROPOSED
    client.post(url, {"action": "discard", "confirm": "on"})
    run.refresh_from_db()
    assert run.status == MatchRunStatus.DISCARDED
    assert not Assignment.objects.filter(run=run, status="proposed").exists()


def test_changing_a_proposal_picks_the_mentor_from_the_list(
    world, client_for: Callable[..., Client], coordinator: User, make_mentor
) -> None:
    lilis = make_mentor("Lilis", "32.01", ["kerajinan"], capacity=1)
    run = services.match_run(actor=coordinator)
    row = Assignment.objects.get(run=run, kube=world["waiting"])
    client = client_for(coordinator)
    url = f"/pendampingan/pencocokan/{run.pk}/"
    page = client.get(f"{url}?baris={row.pk}").content.decode()
    assert "Lilis" in page and "Ubah pasangan usulan" in page
    client.post(url, {"action": "change", "row": row.pk, "mentor": ""})
    row.refresh_from_db()
    assert row.mentor is None and row.edited
    # A made-up id is refused next to the field.
    page = client.post(
        url, {"action": "change", "row": row.pk, "mentor": "999999"}
    ).content.decode()
    assert "Pilih dari daftar." in page
    client.post(url, {"action": "change", "row": row.pk, "mentor": str(lilis.pk)})
    row.refresh_from_db()
    assert row.mentor == lilis
    changed = AuditEvent.objects.filter(event_type="mentoring.match.row_changed").latest("id")
    assert changed.data["changes"]["mentor"] == [None, lilis.pk]


def _hidden(page: str) -> dict[str, str]:
    """The hidden inputs a page's forms carry (form token, record version)."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


def _submitted(facilitator: User, kube_id: int, month: str) -> MonthlyReport:
    return services.report_save(
        actor=facilitator,
        kube_id=kube_id,
        month=month,
        activities="Dua sesi",
        problems="Kas tercampur",
        follow_up="Buku kas terpisah",
        submit=True,
    )


def test_a_submitted_report_is_final_on_every_path(
    world, client_for: Callable[..., Client], facilitator_bandung: User
) -> None:
    kube = world["kube"]
    month = f"{world['session'].held_on:%Y-%m}"
    report = _submitted(facilitator_bandung, kube.pk, month)
    kept = MonthlyReport.objects.filter(pk=report.pk).values().get()
    # A later save with only one figure (as the monitoring report's bug did) changes nothing.
    with pytest.raises(InvalidInput):
        services.report_save(
            actor=facilitator_bandung, kube_id=kube.pk, month=month, activities="x"
        )
    client = client_for(facilitator_bandung)
    api = client.put(
        f"/api/v1/mentoring/groups/{kube.pk}/reports/{month}",
        {"activities": "Ubah"},
        content_type="application/json",
    )
    assert api.status_code == 400 and api.json()["field"] == "status"
    ui = client.post(
        f"/pendampingan/kelompok/{kube.pk}/laporan/{month}/",
        {"activities": "Ubah", "action": "save"},
    )
    assert ui.status_code == 403
    assert MonthlyReport.objects.filter(pk=report.pk).values().get() == kept


def test_return_for_correction_then_corrected_and_submitted_again(
    world,
    client_for: Callable[..., Client],
    facilitator_bandung: User,
    officer_bandung: User,
    coordinator: User,
) -> None:
    kube = world["kube"]
    month = f"{world['session'].held_on:%Y-%m}"
    report = _submitted(facilitator_bandung, kube.pk, month)
    url = f"/pendampingan/kelompok/{kube.pk}/laporan/{month}/"
    # The author sees no return button; the officer does, and must give a reason.
    assert (
        "Kembalikan untuk diperbaiki"
        not in client_for(facilitator_bandung).get(url).content.decode()
    )
    officer = client_for(officer_bandung)
    assert "Kembalikan untuk diperbaiki" in officer.get(url).content.decode()
    assert officer.post(url, {"return": "1", "reason": ""}).status_code == 400
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert officer.post(url, {"return": "1", "reason": "Angka kas belum cocok"}).status_code == 302
    report.refresh_from_db()
    assert (report.status, report.return_reason, report.returned_by) == (
        ReportStatus.RETURNED, "Angka kas belum cocok", officer_bandung,
    )  # fmt: skip
    event = AuditEvent.objects.get(event_type="mentoring.report.returned")
    assert event.reason == "Angka kas belum cocok"
    assert event.data["changes"]["status"] == ["submitted", "returned"]
    # The author sees why and corrects it.
    page = client_for(facilitator_bandung).get(url).content.decode()
    assert "Angka kas belum cocok" in page and 'name="activities"' in page
    author = client_for(facilitator_bandung)
    shown = author.get(url).content.decode()
    saved = author.post(
        url,
        {
            **_hidden(shown),
            "activities": "Dua sesi, kas dipisah",
            "problems": "",
            "action": "submit",
        },
    )
    assert saved.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.activities) == (ReportStatus.SUBMITTED, "Dua sesi, kas dipisah")
    # Through the API as well; a partner coordinator may not return reports (403).
    api = client_for(officer_bandung).post(
        f"/api/v1/mentoring/groups/{kube.pk}/reports/{month}/return",
        {"reason": "Lampirkan foto"},
        content_type="application/json",
    )
    assert api.status_code == 200 and api.json()["status"] == "returned"
    assert api.json()["return_reason"] == "Lampirkan foto"
    refused = client_for(coordinator).post(
        f"/api/v1/mentoring/groups/{kube.pk}/reports/{month}/return",
        {"reason": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 403


def test_the_author_cannot_return_her_own_report(
    world, facilitator_bandung: User, make_user
) -> None:
    from django.contrib.auth.models import Permission

    kube = world["kube"]
    month = f"{world['session'].held_on:%Y-%m}"
    report = _submitted(facilitator_bandung, kube.pk, month)
    facilitator_bandung.user_permissions.add(
        Permission.objects.get(codename="return_monthlyreport")
    )
    author = User.objects.get(pk=facilitator_bandung.pk)
    with pytest.raises(Forbidden):
        services.report_return(actor=author, report_id=report.pk, reason="x")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_partners_recorded_through_the_api_and_the_pages(
    client_for: Callable[..., Client], admin_user: User, coordinator: User, unit_jabar
) -> None:
    admin = client_for(admin_user)
    made = admin.post(
        "/api/v1/mentoring/organisations",
        {"name": "Perempuan Wirausaha", "acronym": "PW"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["acronym"] == "PW"
    assert (
        client_for(coordinator)
        .post("/api/v1/mentoring/organisations", {"name": "X"}, content_type="application/json")
        .status_code
        == 403
    )
    renamed = admin.put(
        f"/api/v1/mentoring/units/{unit_jabar.pk}",
        {
            "organisation_id": unit_jabar.organisation_id,
            "level": "dpd",
            "name": "DPD Jabar",
            "region_code": "32",
        },
        content_type="application/json",
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "DPD Jabar"
    event = AuditEvent.objects.get(event_type="mentoring.unit.changed")
    assert event.data["changes"]["name"] == ["DPD IWAPI Jawa Barat", "DPD Jabar"]
    # The pages: the coordinator sees no button to record; the admin records a unit.
    assert "/mitra/unit/baru/" not in client_for(coordinator).get("/mitra/").content.decode()
    assert client_for(coordinator).get("/mitra/unit/baru/").status_code == 403
    pw = Organisation.objects.get(acronym="PW")
    saved = admin.post(
        "/mitra/unit/baru/", {"organisation": pw.pk, "level": "dpp", "name": "DPP PW", "region": ""}
    )
    assert saved.status_code == 302 and pw.units.get().name == "DPP PW"
    wrong = admin.post(
        "/mitra/unit/baru/", {"organisation": pw.pk, "level": "dpd", "name": "DPD PW", "region": ""}
    ).content.decode()
    assert "harus sesuai tingkatnya" in wrong or "sesuai" in wrong
    assert 'value="DPD PW"' in wrong


def test_a_mentor_form_keeps_what_was_typed(
    client_for: Callable[..., Client], coordinator: User, unit_jabar, make_user
) -> None:
    client = client_for(coordinator)
    page = client.post(
        "/pendampingan/mentor/baru/",
        {
            "name": "Neneng",
            "unit": unit_jabar.pk,
            "base_regency": "32.73",
            "capacity": "99",
            "phone": "0812",
            "available": "on",
        },
    ).content.decode()
    assert 'value="Neneng"' in page and 'value="0812"' in page and 'value="99"' in page
    assert "Pilih minimal satu sektor." in page or "Wajib diisi." in page or "diisi" in page
    assert (
        client_for(make_user(Role.MENTOR, "32")).get("/pendampingan/mentor/baru/").status_code
        == 403
    )


def test_api_lists_are_paged_filtered_sorted_and_say_what_changed(
    world,
    client_for: Callable[..., Client],
    coordinator: User,
    facilitator_bandung: User,
    make_mentor,
) -> None:
    from datetime import datetime

    make_mentor("Ani", "32.01", ["kerajinan"], capacity=4)
    client = client_for(coordinator)
    mentors = client.get("/api/v1/mentoring/mentors?ordering=-name&page_size=1").json()
    assert mentors["count"] == 2 and [m["name"] for m in mentors["items"]] == ["Rina"]
    by_name = client.get("/api/v1/mentoring/mentors?ordering=name").json()["items"]
    assert [m["name"] for m in by_name] == ["Ani", "Rina"]
    bad = client.get("/api/v1/mentoring/mentors?ordering=salary")
    assert bad.status_code == 422
    later = (timezone.now() + timedelta(minutes=5)).isoformat()
    assert client.get("/api/v1/mentoring/mentors", {"changed_since": later}).json()["count"] == 0
    assert client.get("/api/v1/mentoring/assignments?status=accepted").json()["count"] == 1
    units = client.get("/api/v1/mentoring/units?level=dpd").json()
    assert units["count"] == 1 and units["items"][0]["level"] == "dpd"
    kube = world["kube"]
    sessions = client.get(f"/api/v1/mentoring/groups/{kube.pk}/sessions").json()
    assert sessions["count"] == 1 and sessions["items"][0]["topics"] == "Pembukuan"
    held = world["session"].held_on
    none = client.get(
        f"/api/v1/mentoring/groups/{kube.pk}/sessions",
        {"held_from": (held + timedelta(days=1)).isoformat()},
    ).json()
    assert none["count"] == 0
    month = f"{held:%Y-%m}"
    _submitted(facilitator_bandung, kube.pk, month)
    reports = (
        client_for(facilitator_bandung)
        .get(f"/api/v1/mentoring/groups/{kube.pk}/reports?status=submitted")
        .json()
    )
    assert [r["month"] for r in reports["items"]] == [month]
    assert client.get("/api/v1/mentoring/agreements?kind=mou").json() == {"items": [], "count": 0}
    assert isinstance(datetime.fromisoformat(mentors["items"][0]["updated_at"]), datetime)


def test_admin_records_an_agreement_on_its_page(
    client_for: Callable[..., Client], admin_user: User, coordinator: User, unit_jabar
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sinergi.mentoring.models import Agreement
    from tests import samples

    admin = client_for(admin_user)
    data = {
        "kind": "pks", "number": "PKS/9", "title": "Pendampingan Jabar",
        "signing_unit": unit_jabar.pk, "ministry_party": "Dinsos Jabar",
        "ministry_signatory": "Kadis", "partner_signatory": "Ketua DPD",
        "signed_on": "2026-01-10", "valid_from": "2026-01-15", "valid_until": "2025-12-31",
        "scope": "KUBE Jawa Barat", "area_code": "32", "kpi_sessions_held": "12",
    }  # fmt: skip
    refused = admin.post("/mitra/perjanjian/baru/", data).content.decode()
    assert "Perjanjian berakhir sebelum dimulai." in refused or "berakhir" in refused
    assert 'value="PKS/9"' in refused and 'value="12"' in refused
    assert not Agreement.objects.exists()
    data["valid_until"] = "2027-12-31"
    saved = admin.post(
        "/mitra/perjanjian/baru/", {**data, "document": SimpleUploadedFile("p.pdf", samples.pdf())}
    )
    assert saved.status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.area_code == "32" and agreement.document
    assert agreement.kpis.get().target == 12
    assert client_for(coordinator).get("/mitra/perjanjian/baru/").status_code == 403
    page = client_for(coordinator).get(f"/mitra/perjanjian/{agreement.pk}/").content.decode()
    assert f"/mitra/perjanjian/{agreement.pk}/ubah/" not in page


def test_a_mentor_edited_meanwhile_is_refused_saying_what_changed(
    world, client_for: Callable[..., Client], coordinator: User
) -> None:
    rina = world["rina"]
    client = client_for(coordinator)
    url = f"/pendampingan/mentor/{rina.pk}/"
    shown = _hidden(client.get(url).content.decode())
    data = {
        **shown, "name": "Rina", "unit": rina.unit_id, "base_regency": "32.73",
        "sectors": ["makanan_minuman"], "capacity": "3", "available": "on",
    }  # fmt: skip
    # Someone else changes her phone number in between.
    services.mentor_save(
        actor=coordinator,
        data=services.MentorData("Rina", rina.unit_id, "32.73", ["makanan_minuman"], 1, "0811"),
        mentor_id=rina.pk,
    )
    refused = client.post(url, data).content.decode()
    assert "0811" in refused and 'value="3"' in refused
    rina.refresh_from_db()
    assert rina.capacity == 1
    # Saving again after a look is a deliberate overwrite.
    again = client.post(url, {**data, **_hidden(refused)})
    assert again.status_code == 302
    rina.refresh_from_db()
    assert (rina.capacity, rina.phone) == (3, "")
