"""The letters pages, the record pages' "Letters" sections, and the API, in both languages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sinergi.accounts.models import User
from sinergi.letters import kinds
from sinergi.letters.models import Kind, Letter, LetterStatus, LetterTemplate
from tests.letters.helpers import NIP, SIGNATORY, docx_text, flat, pdf_text

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _client(user: User, language: str = "id") -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    client.cookies["sinergi_language"] = language
    return client


@pytest.mark.parametrize(("language", "button"), [("id", "Buat surat"), ("en", "Issue letter")])
def test_the_kube_page_offers_the_decree_and_issuing_it_lists_it_there_and_on_surat(
    records: dict[str, Any], signed: None, officer_bandung: User, language: str, button: str
) -> None:
    kube = records["kube"]
    client = _client(officer_bandung, language)
    page = client.get(reverse("kube:kube_detail", args=[kube.pk])).content.decode()
    assert button in page
    token = (
        page.split('name="submit_token" value="')[1].split('"')[0] if "submit_token" in page else ""
    )
    answer = client.post(
        reverse("letters:letter_issue"),
        {"kind": Kind.KUBE_DECREE, "object_id": kube.pk, "submit_token": token},
    )
    letter = Letter.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "letters:letter_detail", args=[letter.pk]
    )
    again = client.get(reverse("kube:kube_detail", args=[kube.pk])).content.decode()
    assert letter.number in again and f"{button}:" not in again  # issued: no second button
    listing = client.get(reverse("letters:letter_list")).content.decode()
    assert letter.number in listing
    assert ("Surat resmi" if language == "id" else "Official letters") in listing
    detail = client.get(reverse("letters:letter_detail", args=[letter.pk])).content.decode()
    assert ("Unduh PDF" if language == "id" else "Download PDF") in detail


@pytest.mark.parametrize(("fmt", "content_type"), [("pdf", "application/pdf"), ("docx", DOCX)])
def test_files_are_served_as_downloads_with_their_true_type(
    records: dict[str, Any], signed: None, officer_bandung: User, fmt: str, content_type: str
) -> None:
    from sinergi.letters.services import letter_issue

    letter = letter_issue(actor=officer_bandung, kind=Kind.HANDOVER, object_id=records["handover"])
    answer = _client(officer_bandung).get(reverse("letters:letter_file", args=[letter.pk, fmt]))
    assert answer.status_code == 200 and answer["Content-Type"] == content_type
    assert answer["Content-Disposition"].startswith("attachment;")
    assert answer["X-Content-Type-Options"] == "nosniff"
    body = b"".join(answer.streaming_content)  # type: ignore[attr-defined]
    text = flat(pdf_text(body) if fmt == "pdf" else docx_text(body))
    assert flat(letter.number) in text and "berita acara serah terima" in text
    assert _client(officer_bandung).get(f"/surat/{letter.pk}/berkas.exe").status_code == 404


def test_void_through_the_page_keeps_the_letter_and_says_why(
    records: dict[str, Any], signed: None, officer_bandung: User
) -> None:
    from sinergi.letters.services import letter_issue

    letter = letter_issue(
        actor=officer_bandung, kind=Kind.KUBE_DECREE, object_id=records["kube"].pk
    )
    client = _client(officer_bandung, "en")
    refused = client.post(reverse("letters:letter_void", args=[letter.pk]), {"reason": "no"})
    assert refused.status_code == 400
    assert Letter.objects.get().status == LetterStatus.ISSUED
    done = client.post(
        reverse("letters:letter_void", args=[letter.pk]), {"reason": "Nama kelompok salah ketik"}
    )
    assert done.status_code == 302
    page = client.get(reverse("letters:letter_detail", args=[letter.pk])).content.decode()
    assert "Nama kelompok salah ketik" in page and "The number is not given again" in page
    download = client.get(reverse("letters:letter_file", args=[letter.pk, "pdf"]))
    assert 'filename="BATAL-' in download["Content-Disposition"]


@pytest.mark.parametrize(
    ("language", "words"),
    [("id", "Placeholder tidak dikenal"), ("en", "Unknown placeholder")],
)
def test_the_template_page_refuses_an_unknown_placeholder_by_name(
    officer_bandung: User, language: str, words: str
) -> None:
    client = _client(officer_bandung, language)
    url = reverse("letters:template_edit", args=[Kind.GRADUATION])
    assert client.get(url).status_code == 200
    values = {**kinds.default_fields(Kind.GRADUATION), "signatory_name": SIGNATORY}
    values["signatory_nip"] = NIP
    values["title"] = "Sertifikat {nama_anggota}"
    answer = client.post(url, values)
    page = answer.content.decode()
    assert answer.status_code == 400
    assert words in page and "{nama_anggota}" in page and "{member_name}" in page
    assert not LetterTemplate.objects.filter(office_code="32.73").exists()
    values["title"] = "Sertifikat Kelulusan\nNomor {number}"
    assert client.post(url, values).status_code == 302
    saved = LetterTemplate.objects.get(office_code="32.73", kind=Kind.GRADUATION)
    assert saved.signatory_name == SIGNATORY
    listing = client.get(reverse("letters:template_list")).content.decode()
    assert SIGNATORY in listing


def test_the_api_issues_lists_reads_downloads_and_voids(
    records: dict[str, Any], signed: None, officer_bandung: User, officer_bogor: User
) -> None:
    client = _client(officer_bandung, "en")
    made = client.post(
        "/api/v1/letters/",
        {"kind": "mentoring", "object_id": records[Kind.MENTORING]},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["kind"] == "mentoring" and body["seq"] == 1 and body["status"] == "issued"
    listed = client.get("/api/v1/letters/?kind=mentoring").json()
    assert listed["count"] == 1 and listed["items"][0]["number"] == body["number"]
    assert client.get(f"/api/v1/letters/{body['id']}").json()["about"] == body["about"]
    download = client.get(body["docx_url"])
    assert download.status_code == 200 and download["Content-Type"] == DOCX
    bad = client.post(
        f"/api/v1/letters/{body['id']}/void", {"reason": "x"}, content_type="application/json"
    )
    assert bad.status_code == 422
    outside = _client(officer_bogor, "en").post(
        f"/api/v1/letters/{body['id']}/void",
        {"reason": "Bukan wilayah saya"},
        content_type="application/json",
    )
    assert outside.status_code == 404
    voided = client.post(
        f"/api/v1/letters/{body['id']}/void",
        {"reason": "Mentor berganti"},
        content_type="application/json",
    )
    assert voided.status_code == 200 and voided.json()["status"] == "void"
    not_ready = client.post(
        "/api/v1/letters/",
        {"kind": "kube_decree", "object_id": 999_999},
        content_type="application/json",
    )
    assert not_ready.status_code == 404 and set(not_ready.json()) >= {"detail", "code"}


def test_a_mentor_reads_her_assignment_letter_and_nothing_else(
    records: dict[str, Any], signed: None, officer_bandung: User
) -> None:
    from sinergi.letters.services import letter_issue

    mine = letter_issue(actor=officer_bandung, kind=Kind.MENTORING, object_id=records["mentoring"])
    decree = letter_issue(
        actor=officer_bandung, kind=Kind.KUBE_DECREE, object_id=records["kube"].pk
    )
    client = _client(records["mentor"], "en")
    listed = client.get("/api/v1/letters/").json()
    assert [row["id"] for row in listed["items"]] == [mine.pk]
    assert client.get(f"/api/v1/letters/{decree.pk}").status_code == 404
    assert client.get(reverse("letters:letter_file", args=[mine.pk, "pdf"])).status_code == 200
    page = client.get(reverse("letters:letter_list")).content.decode()
    assert mine.number in page and decree.number not in page
    assert client.get(reverse("letters:letter_issue")).status_code == 403


def test_record_pages_offer_the_letter_of_their_step(
    records: dict[str, Any], signed: None, officer_bandung: User, officer_jabar: User
) -> None:
    cycle_url = reverse("aid:cycle_detail", args=[records[Kind.PROPOSAL_PROVINCE]])
    regency = _client(officer_bandung, "en").get(cycle_url).content.decode()
    assert "Issue letter: Aid proposal letter to the province" in regency
    assert "Issue letter: Aid handover record" in regency and "TRX1" in regency
    assert "proposal letter to the centre" not in regency  # the province's step
    province = _client(officer_jabar, "en").get(cycle_url).content.decode()
    assert "Issue letter: Aid proposal letter to the centre" in province
    graduation_url = reverse("monitoring:graduation_decide", args=[records[Kind.GRADUATION]])
    page = _client(officer_bandung, "id").get(graduation_url).content.decode()
    assert "Buat surat: Sertifikat kelulusan" in page
    group_url = reverse("mentoring:group_detail", args=[records["kube"].pk])
    mentor_page = _client(records["mentor"], "en").get(group_url).content.decode()
    assert "Letters" in mentor_page and "Issue letter" not in mentor_page
