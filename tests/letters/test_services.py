"""Issuing, numbering, voiding letters and saving templates, through the services."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import translation

from sinergi.accounts.models import User
from sinergi.core.crypto import decrypt
from sinergi.core.errors import Conflict, Forbidden, InvalidInput
from sinergi.core.models import AuditEvent
from sinergi.kube.models import Kube
from sinergi.letters import kinds, selectors, services
from sinergi.letters.models import Counter, Kind, Letter, LetterStatus, LetterTemplate
from sinergi.letters.words import long_date, terbilang
from tests.factories import MentorFactory
from tests.letters.conftest import bound
from tests.letters.helpers import NIP, SIGNATORY, docx_text, flat, pdf_text, sign

pytestmark = pytest.mark.django_db

# The province signs the letter to the centre; the regency every other.
ISSUER: dict[str, str] = {Kind.PROPOSAL_CENTRE.value: "officer_jabar"}


def _issuer(request: Any, kind: str) -> User:
    user: User = request.getfixturevalue(ISSUER.get(kind, "officer_bandung"))
    return user


@pytest.mark.parametrize("kind", Kind.values)
def test_every_kind_is_issued_as_pdf_and_docx_naming_number_group_and_signatory(
    kind: str, records: dict[str, Any], signed: None, request: Any
) -> None:
    actor = _issuer(request, kind)
    letter = services.letter_issue(actor=actor, kind=kind, object_id=records[kind])
    kube: Kube = records["kube"]
    pdf = letter.pdf.open("rb").read()
    docx = letter.docx.open("rb").read()
    nik = decrypt(records["member"].nik_cipher, field="nik")
    for text in (flat(pdf_text(pdf)), flat(docx_text(docx))):
        assert flat(letter.number) in text
        assert flat(kube.name) in text
        assert flat(SIGNATORY) in text and NIP in text
        # Never a NIK in a letter: it leaves the office.
        assert nik not in text.replace(" ", "")
    assert letter.seq == 1 and letter.year == datetime.date.today().year
    assert letter.status == LetterStatus.ISSUED
    assert letter.office_code == ("32" if kind == Kind.PROPOSAL_CENTRE else "32.73")
    event = AuditEvent.objects.get(event_type="letters.letter.issued")
    assert event.data["number"] == letter.number and event.actor_id == actor.pk


def test_the_decree_lists_members_by_name_and_village_under_menimbang_mengingat_memutuskan(
    records: dict[str, Any], signed: None, officer_bandung: User
) -> None:
    kube = records["kube"]
    letter = services.letter_issue(actor=officer_bandung, kind=Kind.KUBE_DECREE, object_id=kube.pk)
    text = flat(docx_text(letter.docx.open("rb").read()))
    for word in ("menimbang", "mengingat", "memutuskan", "kesatu", "ditetapkan di bandung"):
        assert word in text
    assert "pemerintah kota bandung" in text and "sukarasa" in text  # letterhead, village
    for membership in kube.memberships.filter(end_date__isnull=True).select_related("person"):
        assert flat(membership.person.name) in text
    assert f"pada tanggal {flat(long_date(datetime.date.today()))}" in text


def test_numbers_follow_the_scheme_and_count_per_office_kind_and_year(
    records: dict[str, Any], signed: None, officer_bandung: User
) -> None:
    sign(
        "32.73",
        kinds=[Kind.KUBE_DECREE],
        number_pattern="{seq:03d}/{code}/KUBE/{office}/{month_roman}/{year}",
        classification_code="400.9.1",
        office_abbreviation="Dinsos-Bdg",
    )
    with time_machine.travel(datetime.datetime(2026, 12, 30, 10, tzinfo=datetime.UTC)):
        first = services.letter_issue(
            actor=officer_bandung, kind=Kind.KUBE_DECREE, object_id=records[Kind.KUBE_DECREE]
        )
        second = services.letter_issue(
            actor=officer_bandung, kind=Kind.KUBE_DECREE, object_id=records[Kind.KUBE_DECREE]
        )
        other_kind = services.letter_issue(
            actor=officer_bandung, kind=Kind.HANDOVER, object_id=records[Kind.HANDOVER]
        )
    assert first.number == "001/400.9.1/KUBE/Dinsos-Bdg/XII/2026"
    assert second.number == "002/400.9.1/KUBE/Dinsos-Bdg/XII/2026"
    assert other_kind.seq == 1  # a kind has its own series
    # A new year starts again at 1 (Asia/Jakarta's year: 1 January 00:30 WIB).
    with time_machine.travel(datetime.datetime(2026, 12, 31, 17, 30, tzinfo=datetime.UTC)):
        new_year = services.letter_issue(
            actor=officer_bandung, kind=Kind.KUBE_DECREE, object_id=records[Kind.KUBE_DECREE]
        )
    assert new_year.number == "001/400.9.1/KUBE/Dinsos-Bdg/I/2027"
    assert set(Counter.objects.values_list("year", "kind", "last")) == {
        (2026, Kind.KUBE_DECREE, 2),
        (2026, Kind.HANDOVER, 1),
        (2027, Kind.KUBE_DECREE, 1),
    }


def test_a_void_letter_keeps_its_record_and_its_number_is_not_given_again(
    records: dict[str, Any], signed: None, officer_bandung: User, officer_bogor: User
) -> None:
    issue = {"actor": officer_bandung, "kind": Kind.KUBE_DECREE, "object_id": records["kube"].pk}
    letter = services.letter_issue(**issue)
    with pytest.raises(InvalidInput) as short:
        services.letter_void(actor=officer_bandung, letter_id=letter.pk, reason="x")
    assert short.value.field == "reason"
    with pytest.raises(Http404):  # another regency's officer: the letter looks absent
        services.letter_void(actor=officer_bogor, letter_id=letter.pk, reason="Bukan wilayahnya")
    services.letter_void(actor=officer_bandung, letter_id=letter.pk, reason="Nama kelompok salah")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.VOID and letter.void_reason == "Nama kelompok salah"
    assert letter.pdf and letter.docx  # the files stay with the record
    with pytest.raises(Conflict):
        services.letter_void(actor=officer_bandung, letter_id=letter.pk, reason="Sekali lagi")
    again = services.letter_issue(**issue)
    assert again.seq == 2 and again.number != letter.number
    assert AuditEvent.objects.filter(event_type="letters.letter.voided").count() == 1


def test_a_step_not_done_or_an_unsigned_template_issues_nothing(
    records: dict[str, Any], officer_bandung: User
) -> None:
    kube = records["kube"]
    with pytest.raises(Conflict) as unsigned:  # the national template has no signatory
        services.letter_issue(actor=officer_bandung, kind=Kind.KUBE_DECREE, object_id=kube.pk)
    assert "NIP" in unsigned.value.message
    sign("32.73")
    Kube.objects.filter(pk=kube.pk).update(status="verified")
    with pytest.raises(Conflict):
        services.letter_issue(actor=officer_bandung, kind=Kind.KUBE_DECREE, object_id=kube.pk)
    assert not Letter.objects.exists() and not Counter.objects.filter(last__gt=0).exists()


def test_who_may_issue_and_who_reads(
    records: dict[str, Any],
    signed: None,
    officer_bandung: User,
    officer_bogor: User,
    facilitator_bandung: User,
    make_user: Any,
) -> None:
    with pytest.raises(Http404):  # outside the area: the record looks absent
        services.letter_issue(
            actor=officer_bogor, kind=Kind.KUBE_DECREE, object_id=records["kube"].pk
        )
    with pytest.raises(Forbidden):
        services.letter_issue(
            actor=facilitator_bandung, kind=Kind.KUBE_DECREE, object_id=records["kube"].pk
        )
    made = {
        kind: services.letter_issue(actor=officer_bandung, kind=kind, object_id=records[kind])
        for kind in Kind.values
        if kind != Kind.PROPOSAL_CENTRE
    }
    mentor = records["mentor"]
    other_mentor = bound(make_user("mentor", "32.73"), mentor=MentorFactory(name="Pak Lain"))
    coordinator = make_user("partner_coordinator", "32")
    kube_officer = bound(make_user("kube_officer", "32.73"), kube=records["kube"])
    buyer = make_user("buyer", None)
    seen = {
        name: set(selectors.letter_list(actor=user).values_list("kind", flat=True))
        for name, user in {
            "mentor": mentor,
            "other_mentor": other_mentor,
            "coordinator": coordinator,
            "kube": kube_officer,
            "buyer": buyer,
            "facilitator": facilitator_bandung,
            "bogor": officer_bogor,
        }.items()
    }
    assert seen["mentor"] == {Kind.MENTORING}
    assert seen["other_mentor"] == set()
    assert seen["coordinator"] == {Kind.MENTORING}
    # The group's officer reads the letters about the group, not the office's proposal letter.
    assert seen["kube"] == {Kind.KUBE_DECREE, Kind.HANDOVER, Kind.MENTORING, Kind.GRADUATION}
    assert seen["buyer"] == set() and seen["bogor"] == set()
    assert seen["facilitator"] == set(made)
    with pytest.raises(Http404):
        selectors.letter_get(actor=mentor, pk=made[Kind.KUBE_DECREE].pk)


def test_proposal_letters_list_the_offices_groups_and_need_an_office_at_their_level(
    records: dict[str, Any], signed: None, officer_bandung: User, admin_user: User
) -> None:
    cycle_id = records[Kind.PROPOSAL_PROVINCE]
    letter = services.letter_issue(
        actor=officer_bandung, kind=Kind.PROPOSAL_PROVINCE, object_id=cycle_id
    )
    text = flat(pdf_text(letter.pdf.open("rb").read()))
    assert "perihal" in text and "lampiran" in text and "1 (satu) berkas" in text
    assert "dua belas juta rupiah" in text  # the total in words
    with pytest.raises(InvalidInput) as no_office:
        services.letter_issue(actor=admin_user, kind=Kind.PROPOSAL_PROVINCE, object_id=cycle_id)
    assert no_office.value.field == "office_code"
    sign("")  # the national templates signed: the admin issues for a named office
    national = services.letter_issue(
        actor=admin_user, kind=Kind.PROPOSAL_CENTRE, object_id=cycle_id, office_code="32"
    )
    assert national.office_code == "32" and national.seq == 1


def test_an_unknown_placeholder_is_refused_naming_it_and_the_allowed_ones(
    officer_bandung: User,
) -> None:
    values = {**kinds.default_fields(Kind.KUBE_DECREE), "signatory_name": SIGNATORY}
    values["body"] += "\nKelompok {kube_nama}."
    for language, word in (("id", "Placeholder tidak dikenal"), ("en", "Unknown placeholder")):
        with translation.override(language), pytest.raises(InvalidInput) as refused:
            services.template_save(
                actor=officer_bandung, kind=Kind.KUBE_DECREE, office_code="32.73", values=values
            )
        assert refused.value.field == "body"
        assert word in refused.value.message
        assert "{kube_nama}" in refused.value.message and "{kube_name}" in refused.value.message
    assert not LetterTemplate.objects.filter(office_code="32.73").exists()


@pytest.mark.parametrize(
    ("pattern", "word"),
    [
        ("{year}/{office}", "{seq}"),
        ("{seq}/{tahun}", "{tahun}"),
        ("{seq:03d/{year}", "brace"),
        ("{seq:q}/{year}", "format"),
    ],
)
def test_a_numbering_scheme_that_cannot_number_is_refused(pattern: str, word: str) -> None:
    with translation.override("en"):
        problem = kinds.pattern_problem(pattern)
    assert word in problem


def test_an_officer_saves_her_office_template_audited_and_only_her_own(
    officer_bandung: User, officer_bogor: User, admin_user: User
) -> None:
    values = {
        **kinds.default_fields(Kind.HANDOVER),
        "signatory_name": SIGNATORY,
        "signatory_nip": NIP,
    }
    saved = services.template_save(
        actor=officer_bandung, kind=Kind.HANDOVER, office_code="32.73", values=values
    )
    assert saved.office_code == "32.73" and saved.updated_by == officer_bandung
    with pytest.raises(Forbidden):
        services.template_save(
            actor=officer_bogor, kind=Kind.HANDOVER, office_code="32.73", values=values
        )
    services.template_save(
        actor=admin_user,
        kind=Kind.HANDOVER,
        office_code="32.73",
        values={**values, "place": "Bandung"},
    )
    event = AuditEvent.objects.filter(event_type="letters.template.changed").latest("id")
    assert event.data["changes"]["place"] == ["", "Bandung"]
    with pytest.raises(InvalidInput) as bad_nip:
        services.template_save(
            actor=officer_bandung,
            kind=Kind.HANDOVER,
            office_code="32.73",
            values={**values, "signatory_nip": "NIP-abc"},
        )
    assert bad_nip.value.field == "signatory_nip"


def test_a_logo_is_re_encoded_and_drawn_on_both_files(
    records: dict[str, Any], signed: None, officer_bandung: User
) -> None:
    import io

    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (60, 60), (200, 30, 30)).save(picture, format="PNG")
    values = {
        name: getattr(LetterTemplate.objects.get(kind=Kind.KUBE_DECREE, office_code="32.73"), name)
        for name in services.TEMPLATE_FIELDS
    }
    services.template_save(
        actor=officer_bandung,
        kind=Kind.KUBE_DECREE,
        office_code="32.73",
        values=values,
        logo=SimpleUploadedFile("logo.png", picture.getvalue(), content_type="image/png"),
    )
    letter = services.letter_issue(
        actor=officer_bandung, kind=Kind.KUBE_DECREE, object_id=records["kube"].pk
    )
    assert b"/Subtype /Image" in letter.pdf.open("rb").read()
    assert b"word/media/" in letter.docx.open("rb").read()
    with pytest.raises(InvalidInput) as not_a_picture:
        services.template_save(
            actor=officer_bandung,
            kind=Kind.KUBE_DECREE,
            office_code="32.73",
            values=values,
            logo=SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png"),
        )
    assert not_a_picture.value.field == "logo"


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "nol"),
        (11, "sebelas"),
        (19, "sembilan belas"),
        (100, "seratus"),
        (1_000, "seribu"),
        (1_500_000, "satu juta lima ratus ribu"),
        (12_000_000, "dua belas juta"),
        (2_345_678_901, "dua miliar tiga ratus empat puluh lima juta enam ratus tujuh puluh "
         "delapan ribu sembilan ratus satu"),
    ],
)  # fmt: skip
def test_amounts_in_words(amount: int, words: str) -> None:
    assert terbilang(amount) == words


def test_a_title_is_in_capitals_but_the_number_exactly_as_recorded(
    records: dict[str, Any], signed: None, officer_bandung: User
) -> None:
    sign("32.73", kinds=[Kind.KUBE_DECREE], office_abbreviation="Dinsos-Bdg")
    letter = services.letter_issue(
        actor=officer_bandung, kind=Kind.KUBE_DECREE, object_id=records["kube"].pk
    )
    text = docx_text(letter.docx.open("rb").read())
    assert f"NOMOR {letter.number}" in text and "Dinsos-Bdg" in letter.number
    assert f"PEMBENTUKAN KELOMPOK USAHA BERSAMA (KUBE) {records['kube'].name.upper()}" in text
