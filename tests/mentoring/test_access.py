"""Mentoring pages and endpoints: who sees what, redaction for partners, both languages."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.kube.models import Kube, Membership
from sinergi.mentoring import services
from sinergi.mentoring.models import Assignment, AssignmentStatus, MatchRun, Mentor, Session
from tests import samples
from tests.mentoring.conftest import _items

pytestmark = pytest.mark.django_db

# A NIK or KK number in full, or the masks the registry pages show (3273••••••••0001).
IDENTIFIER = re.compile(r"\b\d{16}\b|\d{4}•+\d{4}")
# The labels of the withheld fields, as whole words (a random CSRF token may contain "nik").
WORDS = re.compile(r"\b(nik|desil|decile|no\.? ?kk)\b", re.IGNORECASE)


def _group_paths(kube: Kube, session: Session) -> list[str]:
    photo = session.photos.get()
    return [
        f"/pendampingan/kelompok/{kube.pk}/",
        f"/pendampingan/sesi/{session.pk}/foto/{photo.pk}/",
        f"/api/v1/mentoring/groups/{kube.pk}",
        f"/api/v1/mentoring/groups/{kube.pk}/sessions",
        f"/api/v1/mentoring/sessions/{session.pk}/photos/{photo.pk}",
    ]


def test_four_ways_on_a_group(
    world, client_for: Callable[..., Client], make_user, facilitator_bandung: User, account_for
) -> None:
    paths = _group_paths(world["kube"], world["session"])
    for path in paths:
        assert client_for(None).get(path).status_code in (302, 401)
        assert client_for(make_user(Role.BUYER, None)).get(path).status_code in (403, 404)
        # A facilitator of Bogor: right role, wrong area. Another mentor: not her group.
        assert client_for(make_user(Role.FACILITATOR, "32.01")).get(path).status_code == 404
        other = account_for(Mentor.objects.create(
            unit=world["rina"].unit, name="Yanti", base_regency=world["rina"].base_regency,
            capacity=2,
        ))  # fmt: skip
        assert client_for(other).get(path).status_code == 404
        for user in (world["mentor"], facilitator_bandung):
            assert client_for(user).get(path).status_code == 200, (path, user)
    listing = client_for(world["mentor"]).get("/api/v1/mentoring/groups").json()
    assert [g["name"] for g in listing["items"]] == ["KUBE Mawar"]


def test_partner_roles_never_receive_identifiers(
    world, client_for: Callable[..., Client], coordinator: User
) -> None:
    kube, session = world["kube"], world["session"]
    run = Assignment.objects.filter(run__isnull=False).first().run
    for user in (world["mentor"], coordinator):
        client = client_for(user)
        for path in [
            "/pendampingan/",
            "/pendampingan/mentor/",
            f"/pendampingan/mentor/{world['rina'].pk}/",
            "/mitra/",
            *_group_paths(kube, session)[:1],
            *_group_paths(kube, session)[2:4],
            "/api/v1/mentoring/groups",
            "/api/v1/mentoring/mentors",
            "/api/v1/mentoring/assignments",
            f"/api/v1/mentoring/matching/runs/{run.pk}",
            f"/pendampingan/pencocokan/{run.pk}/",
        ]:
            response = client.get(path)
            if response.status_code != 200:
                continue
            body = response.content.decode()
            assert not IDENTIFIER.search(body), (user, path)
            assert not WORDS.search(body), (user, path)
        # The KUBE and registry pages themselves stay closed to partners.
        for path in (f"/kube/{kube.pk}/", f"/api/v1/kube/{kube.pk}", "/registri/"):
            assert client.get(path).status_code in (403, 404)


def test_mentor_logs_a_session_in_the_ui_in_both_languages(
    world, client_for: Callable[..., Client]
) -> None:
    kube = world["kube"]
    client = client_for(world["mentor"])
    page = client.get(f"/pendampingan/kelompok/{kube.pk}/").content.decode()
    assert "Catat sesi" in page and "lewat tenggat" in page and "Buku kas" in page
    form = client.get(f"/pendampingan/kelompok/{kube.pk}/sesi/baru/").content.decode()
    assert "Tinjauan tindak lanjut terbuka" in form
    item = kube.action_items.get()
    members = list(Membership.objects.filter(kube=kube).values_list("pk", flat=True))
    data = {
        "held_on": "2099-01-01",
        "place": "Rumah ketua",
        "topics": "Kemasan",
        "present": members[:2],
        f"review_{item.pk}": "done",
        f"review_note_{item.pk}": "Sudah",
        **_items(
            [("Label baru", "Sekretaris", (timezone.localdate() + timedelta(days=7)).isoformat())]
        ),
    }
    refused = client.post(f"/pendampingan/kelompok/{kube.pk}/sesi/baru/", data)
    assert refused.status_code == 400 and "Tanggal ini di masa depan." in refused.content.decode()
    assert kube.sessions.count() == 1
    client.cookies["sinergi_language"] = "en"
    refused = client.post(f"/pendampingan/kelompok/{kube.pk}/sesi/baru/", data)
    assert "The date is in the future." in refused.content.decode()
    data["held_on"] = timezone.localdate().isoformat()
    saved = client.post(f"/pendampingan/kelompok/{kube.pk}/sesi/baru/", data)
    assert saved.status_code == 302
    item.refresh_from_db()
    assert item.status == "done" and kube.sessions.count() == 2
    assert kube.action_items.filter(description="Label baru", owner="Sekretaris").exists()
    assert kube.sessions.first().present.count() == 2


def test_coordinator_runs_edits_and_sends_in_the_ui(
    world, client_for: Callable[..., Client], coordinator: User, make_mentor
) -> None:
    lilis = make_mentor("Lilis", "32.01", ["kerajinan"], capacity=1)
    client = client_for(coordinator)
    assert "1 kelompok aktif" in client.get("/pendampingan/pencocokan/").content.decode()
    weights = {"other_regency": "40", "sector_mismatch": "25", "history_bonus": "10"}
    # Another province cannot be picked: the region picker lists the coordinator's own area.
    runs = MatchRun.objects.count()
    bad = client.post("/pendampingan/pencocokan/", {"area": "33", **weights})
    assert "Pilih dari daftar." in bad.content.decode() and MatchRun.objects.count() == runs
    response = client.post("/pendampingan/pencocokan/", {"area": "", **weights})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "KUBE Melati" in page and "Lilis" in page and "sektor sesuai" in page
    row = Assignment.objects.get(kube=world["waiting"], status=AssignmentStatus.PROPOSED)
    assert row.mentor == lilis
    client.post(response["Location"], {"action": "change", "row": row.pk, "mentor": ""})
    row.refresh_from_db()
    assert row.mentor is None and row.edited
    client.post(response["Location"], {"action": "change", "row": row.pk, "mentor": str(lilis.pk)})
    sent = client.post(response["Location"], {"action": "send"}, follow=True)
    assert "1 tawaran dikirim ke mentor; 0 dilewati." in sent.content.decode()
    assert Assignment.objects.get(kube=world["waiting"], status="offered").mentor == lilis


def test_mentor_answers_an_offer_in_the_ui(
    world, client_for: Callable[..., Client], coordinator: User, make_mentor, account_for
) -> None:
    lilis = make_mentor("Lilis", "32.01", ["kerajinan"], capacity=1)
    run = services.match_run(actor=coordinator)
    services.run_send(actor=coordinator, run_id=run.pk)
    client = client_for(account_for(lilis))
    listing = client.get("/pendampingan/").content.decode()
    assert "1 kelompok ditawarkan kepada Anda" in listing and "KUBE Melati" in listing
    offer = Assignment.objects.get(kube=world["waiting"], status="offered")
    refused = client.post(f"/pendampingan/tawaran/{offer.pk}/", {"answer": "decline"}, follow=True)
    assert "Sebutkan alasan Anda menolak." in refused.content.decode()
    done = client.post(f"/pendampingan/tawaran/{offer.pk}/", {"answer": "accept"}, follow=True)
    assert "Anda sekarang mendampingi KUBE Melati." in done.content.decode()


def test_api_mentor_and_session_with_clear_errors(
    world, client_for: Callable[..., Client], coordinator: User, unit_jabar
) -> None:
    client = client_for(coordinator)
    body = {
        "name": "Neneng",
        "unit_id": unit_jabar.pk,
        "base_regency": "32.99",
        "sectors": ["jasa"],
        "capacity": 2,
    }
    bad = client.post(
        "/api/v1/mentoring/mentors", body, content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert bad.status_code == 400
    assert {k: v for k, v in bad.json().items() if k != "request_id"} == {
        "detail": "No such regency: 32.99.",
        "code": "invalid",
        "field": "base_regency",
    }
    body["base_regency"] = "3204"
    made = client.post("/api/v1/mentoring/mentors", body, content_type="application/json")
    assert made.status_code == 201 and made.json()["base_regency"] == "32.04"
    mentor = client_for(world["mentor"])
    kube = world["kube"]
    session = mentor.post(
        f"/api/v1/mentoring/groups/{kube.pk}/sessions",
        {"held_on": timezone.localdate().isoformat(), "place": "Pasar", "topics": "Harga"},
        content_type="application/json",
    )
    assert session.status_code == 201
    photo = mentor.post(
        f"/api/v1/mentoring/sessions/{session.json()['id']}/photos",
        {"photo": SimpleUploadedFile("x.gif", b"GIF89a")},
    )
    assert photo.status_code == 400 and photo.json()["field"] == "photos"
    assert "JPEG atau PNG" in photo.json()["detail"]
    # The coordinator cannot log sessions; the mentor cannot run the matcher.
    assert (
        client.post(
            f"/api/v1/mentoring/groups/{kube.pk}/sessions",
            {"held_on": timezone.localdate().isoformat(), "place": "x", "topics": "y"},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert (
        mentor.post(
            "/api/v1/mentoring/matching/runs", {}, content_type="application/json"
        ).status_code
        == 403
    )


def test_api_report_template_then_submission(
    world, client_for: Callable[..., Client], facilitator_bandung: User
) -> None:
    kube = world["kube"]
    month = f"{world['session'].held_on:%Y-%m}"
    client = client_for(facilitator_bandung)
    template = client.get(f"/api/v1/mentoring/groups/{kube.pk}/reports/{month}").json()
    assert template["status"] == "new" and "Pembukuan" in template["activities"]
    assert template["facts"]["sessions"][0]["present"] == 3
    put = client.put(
        f"/api/v1/mentoring/groups/{kube.pk}/reports/{month}",
        {"activities": template["activities"], "problems": "Kas", "submit": True},
        content_type="application/json",
    )
    assert put.status_code == 200 and put.json()["status"] == "submitted"
    again = client.put(
        f"/api/v1/mentoring/groups/{kube.pk}/reports/{month}",
        {"activities": "Ubah"},
        content_type="application/json",
    )
    assert again.status_code == 400 and again.json()["detail"] == (
        "Laporan bulan ini sudah dikirim."
    )
    page = client.get(f"/pendampingan/kelompok/{kube.pk}/laporan/{month}/").content.decode()
    # Final: shown as text, with no form that could save over it.
    assert "Laporan pendamping" in page and 'name="activities"' not in page
    assert 'value="submit"' not in page


def test_agreement_pages_show_kpi_progress(
    world, client_for: Callable[..., Client], coordinator: User, unit_jabar, make_user
) -> None:
    from sinergi.mentoring.models import Agreement, Kpi
    from sinergi.wilayah.models import Region

    today = timezone.localdate()
    agreement = Agreement.objects.create(
        organisation=unit_jabar.organisation,
        kind="pks",
        number="PKS/1",
        title="Pendampingan Jawa Barat",
        signing_unit=unit_jabar,
        ministry_party="Dinsos Jabar",
        ministry_signatory="A",
        partner_signatory="B",
        signed_on=today - timedelta(days=10),
        valid_from=today - timedelta(days=10),
        valid_until=today + timedelta(days=300),
        scope="Uji",
        area=Region.objects.get(code="32"),
    )
    Kpi.objects.create(agreement=agreement, indicator="sessions_held", target=4)
    page = client_for(coordinator).get(f"/mitra/perjanjian/{agreement.pk}/").content.decode()
    assert "Sesi pendampingan terlaksana" in page and "1 / 4 (25%)" in page
    api = client_for(coordinator).get(f"/api/v1/mentoring/agreements/{agreement.pk}").json()
    assert api["kpis"] == [
        {
            "indicator": "sessions_held",
            "label": "Sesi pendampingan terlaksana",
            "target": 4,
            "value": 1,
            "percent": 25,
        }
    ]
    outsider = make_user(Role.PARTNER_COORDINATOR, "33")
    assert client_for(outsider).get(f"/mitra/perjanjian/{agreement.pk}/").status_code == 404


def test_admin_records_units_and_agreements_through_the_api(
    client_for: Callable[..., Client], admin_user: User, coordinator: User, unit_jabar
) -> None:
    from sinergi.mentoring.models import Organisation

    iwapi = Organisation.objects.get(acronym="IWAPI")
    admin = client_for(admin_user)

    def unit(**body):
        return admin.post(
            "/api/v1/mentoring/units",
            {"organisation_id": iwapi.pk, "name": "DPC", **body},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en",
        )

    wrong = unit(level="dpc", region_code="32")
    assert wrong.status_code == 400 and wrong.json()["field"] == "region"
    dpc = unit(level="dpc", region_code="3273")
    assert dpc.status_code == 201 and dpc.json()["parent_id"] == unit_jabar.pk
    assert unit(level="dpc", region_code="32.73").json()["detail"] == (
        "This unit is already recorded."
    )
    body = {
        "kind": "pks",
        "number": "PKS/7/2026",
        "title": "Pendampingan",
        "signing_unit_id": dpc.json()["id"],
        "ministry_party": "Dinas Sosial Kota Bandung",
        "ministry_signatory": "Kepala Dinas",
        "partner_signatory": "Ketua DPC",
        "signed_on": "2026-01-10",
        "valid_from": "2026-01-15",
        "valid_until": "2025-12-31",
        "scope": "KUBE Kota Bandung",
        "area_code": "32.73",
        "kpis": {"kube_mentored": 5},
    }
    post = lambda b: admin.post(  # noqa: E731
        "/api/v1/mentoring/agreements", b, content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert post(body).json()["detail"] == "The agreement ends before it starts."
    body["valid_until"] = "2027-12-31"
    assert post({**body, "kpis": {"sales": 3}}).json()["field"] == "kpis"
    made = post(body)
    assert made.status_code == 201 and made.json()["kpis"][0]["target"] == 5
    assert post(body).json()["field"] == "number"
    # The coordinator reads it (inside her area) but may not record agreements.
    assert client_for(coordinator).get("/api/v1/mentoring/agreements").json()["items"][0][
        "number"
    ] == ("PKS/7/2026")
    assert (
        client_for(coordinator)
        .post("/api/v1/mentoring/agreements", body, content_type="application/json")
        .status_code
        == 403
    )
    scripted = admin.post(
        f"/api/v1/mentoring/agreements/{made.json()['id']}/document",
        {"document": SimpleUploadedFile("pks.pdf", samples.pdf_by_hand(b"/OpenAction 4 0 R"
                                                                      b" /AA << /JS (x) >>"))},
        HTTP_ACCEPT_LANGUAGE="id",
    )  # fmt: skip
    assert scripted.status_code == 400 and scripted.json()["field"] == "document"
    assert "berisi skrip" in scripted.json()["detail"]
    doc = admin.post(
        f"/api/v1/mentoring/agreements/{made.json()['id']}/document",
        {"document": SimpleUploadedFile("pks.html", samples.pdf())},
    )
    assert doc.status_code == 200
    page = client_for(coordinator).get(f"/mitra/perjanjian/{made.json()['id']}/")
    assert "unduh" in page.content.decode()
    download = client_for(coordinator).get(f"/mitra/perjanjian/{made.json()['id']}/dokumen/")
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_session_photos_are_re_made_and_served_as_images(
    world, client_for: Callable[..., Client], settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    mentor, session = client_for(world["mentor"]), world["session"]
    html = b"<html><script>alert(1)</script></html>"
    added = mentor.post(
        f"/api/v1/mentoring/sessions/{session.pk}/photos",
        {"photo": SimpleUploadedFile("x.svg", samples.png() + html, "image/svg+xml")},
    )
    assert added.status_code == 201
    photo = session.photos.order_by("-pk").first()
    assert re.fullmatch(rf"sessions/{session.pk}/[0-9a-f]{{32}}\.png", photo.image.name)
    for url in (
        f"/pendampingan/sesi/{session.pk}/foto/{photo.pk}/",
        f"/api/v1/mentoring/sessions/{session.pk}/photos/{photo.pk}",
    ):
        got = mentor.get(url)
        assert got.status_code == 200 and got["Content-Type"] == "image/png"
        assert got["X-Content-Type-Options"] == "nosniff"
        assert html not in b"".join(got.streaming_content)
