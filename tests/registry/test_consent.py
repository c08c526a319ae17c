"""Consent that is enforced: where the basis of a purpose is consent (LegalBasis), the action is
refused without a recorded, current consent; a withdrawal takes effect at once; a child's
consent is a parent's or guardian's. Officers record and withdraw consents (page and API),
audited; partner and facilitator roles cannot."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core.errors import InvalidInput
from sinergi.core.models import AuditEvent
from sinergi.kube.models import Membership, Status
from sinergi.mentoring.models import Assignment, AssignmentStatus, Session
from sinergi.mentoring.services import session_photo_add
from sinergi.registry import consent, services
from sinergi.registry.models import (
    ConsentGiver,
    ConsentPurpose,
    ConsentRecord,
    LegalBasis,
    LegalBasisKind,
)
from tests import samples
from tests.factories import (
    ConsentFactory,
    KubeFactory,
    MentorFactory,
    PersonFactory,
    ProductFactory,
)

PHOTO = ConsentPurpose.MENTORING_PHOTO
PHONE = ConsentPurpose.OFFICER_PHONE


def _child() -> Any:
    born = timezone.localdate() - datetime.timedelta(days=365 * 10)
    return PersonFactory(birth_date=born, relation="anak", is_head=False)


def test_the_basis_is_read_from_legal_basis_per_purpose(db: Any) -> None:
    # Seeded by the migration: consent for session photos and for sharing the chair's phone.
    assert consent.needs_consent(PHOTO) and consent.needs_consent(PHONE)
    LegalBasis.objects.create(
        category="contact",
        purpose=PHONE,
        basis=LegalBasisKind.CONTRACT,
        valid_from=timezone.localdate(),
    )
    assert not consent.needs_consent(PHONE)  # a newer row for the purpose decides
    assert consent.needs_consent(PHONE, on=timezone.localdate() - datetime.timedelta(days=1))
    person: Any = PersonFactory(phone="081234567890")
    assert consent.shared_phone(person) == "081234567890"  # no consent needed under a contract


@pytest.fixture
def session(db: Any, make_user: Callable[..., User]) -> dict[str, Any]:
    """A Bandung group with an adult chair and a child member, mentored; a session both came to."""
    kube: Any = KubeFactory(status=Status.ACTIVE)
    adult: Any = PersonFactory(phone="081298765432")
    child = _child()
    today = timezone.localdate()
    for person, role in ((adult, "ketua"), (child, "anggota")):
        Membership.objects.create(kube=kube, person=person, role=role, start_date=today)
    mentor: Any = MentorFactory()
    Assignment.objects.create(
        kube=kube, mentor=mentor, status=AssignmentStatus.ACCEPTED, start_date=today
    )
    user = make_user(Role.MENTOR, "32.73")
    user.mentor = mentor
    user.save(update_fields=["mentor"])
    meeting = Session.objects.create(
        kube=kube, mentor=mentor, held_on=today, place="Balai desa", topics="Pembukuan"
    )
    meeting.present.set(Membership.objects.filter(kube=kube))
    return {
        "kube": kube,
        "adult": adult,
        "child": child,
        "mentor": User.objects.get(pk=user.pk),
        "session": meeting,
    }


def _add_photo(world: dict[str, Any]) -> Any:
    return session_photo_add(
        actor=world["mentor"],
        session_id=world["session"].pk,
        photo=SimpleUploadedFile("foto.png", samples.png(), "image/png"),
    )


def test_a_session_photo_needs_everyone_present_to_consent_and_a_child_a_guardian(
    session: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    adult, child = session["adult"], session["child"]
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        _add_photo(session)
    assert refused.value.field == "photos"
    assert adult.name in refused.value.message and child.name in refused.value.message
    assert "No current consent" in refused.value.message
    with translation.override("id"), pytest.raises(InvalidInput) as refused_id:
        _add_photo(session)
    assert "Belum ada persetujuan" in refused_id.value.message

    ConsentFactory(person=adult, purpose=PHOTO)
    ConsentFactory(person=child, purpose=PHOTO, given_by=ConsentGiver.SELF)  # not valid: a child
    with pytest.raises(InvalidInput) as still:
        _add_photo(session)
    assert child.name in still.value.message and adult.name not in still.value.message

    ConsentFactory(person=child, purpose=PHOTO, given_by=ConsentGiver.GUARDIAN, guardian_name="Ibu")
    assert _add_photo(session).photos.count() == 1

    # A withdrawal takes effect at once.
    record = ConsentRecord.objects.get(person=adult, purpose=PHOTO)
    record.withdrawn_at = timezone.now()
    record.save()
    with pytest.raises(InvalidInput):
        _add_photo(session)
    assert session["session"].photos.count() == 1


def test_the_chair_phone_is_shown_to_buyers_and_mentors_only_with_consent(
    session: dict[str, Any],
    officer_bandung: User,
    make_user: Callable[..., User],
    client_for: Callable[..., Client],
) -> None:
    product: Any = ProductFactory(kube=session["kube"])
    buyer = client_for(make_user(Role.BUYER, None))
    mentor = client_for(session["mentor"])
    phone = "081298765432"
    product_page = f"/pasar/produk/{product.pk}/"
    group_page = f"/pendampingan/kelompok/{session['kube'].pk}/"
    assert buyer.get(product_page).status_code == 200
    assert phone not in buyer.get(product_page).content.decode()
    assert phone not in mentor.get(group_page).content.decode()

    record = services.consent_record(
        actor=officer_bandung,
        person_id=session["adult"].pk,
        purpose=PHONE,
        notice_version="2024-10",
    )
    assert phone in buyer.get(product_page).content.decode()
    assert phone in mentor.get(group_page).content.decode()
    assert phone not in client_for(None).get(product_page).content.decode()  # anonymous

    services.consent_withdraw(actor=officer_bandung, consent_id=record.pk, note="by phone")
    assert phone not in buyer.get(product_page).content.decode()
    assert phone not in mentor.get(group_page).content.decode()


def test_the_service_refuses_a_childs_own_consent_and_audits_what_it_records(
    officer_bandung: User,
) -> None:
    child = _child()
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        services.consent_record(
            actor=officer_bandung, person_id=child.pk, purpose=PHOTO, notice_version="2024-10"
        )
    assert refused.value.field == "given_by" and "parent or guardian" in refused.value.message
    with pytest.raises(InvalidInput) as nameless:
        services.consent_record(
            actor=officer_bandung,
            person_id=child.pk,
            purpose=PHOTO,
            notice_version="2024-10",
            given_by=ConsentGiver.GUARDIAN,
        )
    assert nameless.value.field == "guardian_name"
    record = services.consent_record(
        actor=officer_bandung,
        person_id=child.pk,
        purpose=PHOTO,
        notice_version="2024-10",
        given_by=ConsentGiver.GUARDIAN,
        guardian_name="Siti Aminah",
    )
    assert record.category == "photo" and record.recorded_by == officer_bandung
    assert consent.consented_ids([child.pk], PHOTO) == {child.pk}
    event = AuditEvent.objects.get(event_type="registry.consent.recorded")
    assert event.data == {"person": child.pk, "purpose": PHOTO, "given_by": "guardian"}
    assert "Siti" not in str(event.data)  # the guardian's name is not copied to the trail
    services.consent_withdraw(actor=officer_bandung, consent_id=record.pk)
    assert consent.consented_ids([child.pk], PHOTO) == set()
    with pytest.raises(InvalidInput):
        services.consent_withdraw(actor=officer_bandung, consent_id=record.pk)
    assert AuditEvent.objects.filter(event_type="registry.consent.withdrawn").count() == 1


def test_officers_record_and_withdraw_consent_on_the_person_page_and_the_api(
    officer_bandung: User,
    officer_bogor: User,
    facilitator_bandung: User,
    make_user: Callable[..., User],
    client_for: Callable[..., Client],
) -> None:
    person: Any = PersonFactory()
    officer = client_for(officer_bandung)
    page = officer.get(f"/registri/orang/{person.pk}/", HTTP_ACCEPT_LANGUAGE="id")
    assert page.status_code == 200 and "Catat persetujuan" in page.content.decode()
    posted = officer.post(
        f"/registri/orang/{person.pk}/persetujuan/",
        {
            "purpose": PHONE,
            "given_on": timezone.localdate().isoformat(),
            "given_by": "self",
            "notice_version": "2024-10",
            "evidence": "map 12",
        },
    )
    assert posted.status_code == 302, posted.content.decode()[:2000]
    record = ConsentRecord.objects.get(person=person)
    assert record.purpose == PHONE and record.withdrawn_at is None
    refused = officer.post(
        f"/registri/orang/{person.pk}/persetujuan/",
        {"purpose": PHONE, "given_on": "2026-01-01", "given_by": "self", "notice_version": ""},
    )
    assert refused.status_code == 400 and ConsentRecord.objects.count() == 1

    withdrawn = officer.post(f"/registri/persetujuan/{record.pk}/tarik/", {"note": "surat"})
    assert withdrawn.status_code == 302
    record.refresh_from_db()
    assert record.withdrawn_at is not None and record.withdrawal_note == "surat"

    api = officer.post(
        f"/api/v1/registry/persons/{person.pk}/consents",
        {"purpose": PHOTO, "notice_version": "2024-10"},
        content_type="application/json",
    )
    assert api.status_code == 201 and api.json()["current"] is True
    listed = officer.get(f"/api/v1/registry/persons/{person.pk}/consents").json()
    assert [c["current"] for c in listed] == [True, False]
    gone = officer.post(
        f"/api/v1/registry/consents/{api.json()['id']}/withdraw",
        {"note": ""},
        content_type="application/json",
    )
    assert gone.status_code == 200 and gone.json()["current"] is False

    # Outside the area it is absent; facilitators and partners may not.
    assert client_for(officer_bogor).get(f"/registri/orang/{person.pk}/").status_code == 404
    for user in (facilitator_bandung, make_user(Role.MENTOR, "32.73")):
        client = client_for(user)
        assert (
            client.post(
                f"/api/v1/registry/persons/{person.pk}/consents",
                {"purpose": PHOTO, "notice_version": "2024-10"},
                content_type="application/json",
            ).status_code
            == 403
        )
    assert ConsentRecord.objects.count() == 2
