"""Mentoring steps end to end through the services: match, offer, answer, sessions, reports."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core.errors import Forbidden, InvalidInput
from sinergi.engines.matching import Weights
from sinergi.kube.models import Kube, Membership
from sinergi.mentoring import selectors, services
from sinergi.mentoring.models import (
    ActionItem,
    Agreement,
    AgreementKind,
    Assignment,
    AssignmentStatus,
    Indicator,
    Kpi,
    MatchRunStatus,
    Mentor,
    ReportStatus,
)
from tests import samples
from tests.factories import consent_to
from tests.mentoring.conftest import offer_and_accept

pytestmark = pytest.mark.django_db
PNG = samples.png()


def test_run_proposes_the_optimal_pairs_with_reasons(
    group_in, make_mentor, coordinator: User
) -> None:
    food = group_in("32.73.01.1001", "makanan_minuman", "KUBE Bandung Makanan")
    craft = group_in("32.01.01.1001", "kerajinan", "KUBE Bogor Kerajinan")
    rina = make_mentor("Rina", "32.73", ["makanan_minuman"], capacity=1)
    lilis = make_mentor("Lilis", "32.73", ["kerajinan"], capacity=1)
    make_mentor("Sri", "33.74", ["makanan_minuman", "kerajinan"], capacity=5)  # other province
    run = services.match_run(actor=coordinator)
    rows = {a.kube_id: a for a in run.assignments.all()}
    assert (run.groups_count, run.assigned_count, run.total_cost) == (2, 2, 40)
    assert (rows[food.pk].mentor_id, rows[food.pk].cost) == (rina.pk, 0)
    assert rows[food.pk].reasons == ["same_regency", "sector_match"]
    assert (rows[craft.pk].mentor_id, rows[craft.pk].cost) == (lilis.pk, 40)
    assert rows[craft.pk].reasons == ["other_regency", "sector_match"]
    assert all(a.status == AssignmentStatus.PROPOSED for a in rows.values())


def test_run_counts_open_load_and_unavailable_mentors(
    group_in, make_mentor, coordinator: User, account_for
) -> None:
    first = group_in("32.73.01.1001")
    rina = make_mentor("Rina", "32.73", ["makanan_minuman"], capacity=1)
    make_mentor(
        "Away", "32.73", ["makanan_minuman"], capacity=5,
        available_until=timezone.localdate() - timedelta(days=1),
    )  # fmt: skip
    offer_and_accept(coordinator, account_for)
    assert Assignment.objects.get(kube=first, status=AssignmentStatus.ACCEPTED).mentor == rina
    second = group_in("32.73.01.1002")
    run = services.match_run(actor=coordinator)
    # Rina is full; the other mentor's availability ended yesterday: nobody takes the group.
    assert [(a.kube_id, a.mentor_id) for a in run.assignments.all()] == [(second.pk, None)]


def test_a_narrower_area_and_an_outside_one(group_in, make_mentor, coordinator: User) -> None:
    group_in("32.73.01.1001")
    group_in("32.01.01.1001")
    make_mentor("Rina", "32.73", ["makanan_minuman"], capacity=5)
    run = services.match_run(actor=coordinator, area="3273")
    assert run.area_code == "32.73" and run.groups_count == 1
    with pytest.raises(InvalidInput, match="outside your own"):
        services.match_run(actor=coordinator, area="33")
    with pytest.raises(InvalidInput, match="province or a regency"):
        services.match_run(actor=coordinator, area="32.73.01")


def test_a_new_run_discards_the_previous_proposal(group_in, make_mentor, coordinator) -> None:
    group_in("32.73.01.1001")
    make_mentor("Rina", "32.73", ["makanan_minuman"])
    first = services.match_run(actor=coordinator)
    second = services.match_run(actor=coordinator)
    first.refresh_from_db()
    assert first.status == MatchRunStatus.DISCARDED
    assert set(first.assignments.values_list("status", flat=True)) == {"discarded"}
    with pytest.raises(InvalidInput, match="sent or discarded"):
        services.run_send(actor=coordinator, run_id=first.pk)
    assert services.run_send(actor=coordinator, run_id=second.pk) == {"sent": 1, "skipped": 0}


def test_editing_a_proposal_recomputes_and_respects_capacity_and_province(
    group_in, make_mentor, coordinator: User
) -> None:
    one = group_in("32.73.01.1001")
    two = group_in("32.73.01.1002")
    rina = make_mentor("Rina", "32.73", ["makanan_minuman"], capacity=2)
    euis = make_mentor("Euis", "32.01", ["pertanian"], capacity=1)
    run = services.match_run(actor=coordinator)
    row_one = run.assignments.get(kube=one)
    changed = services.proposal_change(
        actor=coordinator, assignment_id=row_one.pk, mentor_id=euis.pk
    )
    assert (changed.mentor_id, changed.cost, changed.edited) == (euis.pk, 65, True)
    assert changed.reasons == ["other_regency", "sector_mismatch"]
    run.refresh_from_db()
    assert (run.assigned_count, run.total_cost) == (2, 65)
    row_two = run.assignments.get(kube=two)
    with pytest.raises(InvalidInput, match="no room left"):
        services.proposal_change(actor=coordinator, assignment_id=row_two.pk, mentor_id=euis.pk)
    cleared = services.proposal_change(actor=coordinator, assignment_id=row_two.pk, mentor_id=None)
    assert cleared.mentor is None and cleared.cost is None
    assert rina.pk not in run.assignments.values_list("mentor_id", flat=True)


def test_a_mentor_of_another_province_cannot_be_chosen(
    group_in, make_mentor, coordinator: User, admin_user: User
) -> None:
    group_in("32.73.01.1001")
    make_mentor("Rina", "32.73", ["makanan_minuman"])
    run = services.match_run(actor=admin_user, area="32")
    row = run.assignments.get()
    sri = make_mentor("Sri", "33.74", ["makanan_minuman"])
    with pytest.raises(InvalidInput, match="own province"):
        services.proposal_change(actor=admin_user, assignment_id=row.pk, mentor_id=sri.pk)
    # The coordinator of Jawa Barat does not even see her.
    with pytest.raises(InvalidInput, match="active mentor of your area"):
        services.proposal_change(actor=coordinator, assignment_id=row.pk, mentor_id=sri.pk)


def test_offers_answers_and_what_the_mentor_sees(
    group_in, make_mentor, coordinator: User, account_for
) -> None:
    mine = group_in("32.73.01.1001")
    other = group_in("32.73.01.1002", "jasa")
    rina = make_mentor("Rina", "32.73", ["makanan_minuman"], capacity=1)
    yanti = make_mentor("Yanti", "32.73", ["jasa"], capacity=1)
    rina_user, yanti_user = account_for(rina), account_for(yanti)
    run = services.match_run(actor=coordinator)
    services.run_send(actor=coordinator, run_id=run.pk)
    offer = Assignment.objects.get(kube=mine, status=AssignmentStatus.OFFERED)
    # Before accepting, Rina sees the offer but not the group's sessions page.
    assert list(selectors.offers_for(rina_user)) == [offer]
    assert not services.mentoring_groups(rina_user).exists()
    # Another mentor's offer does not exist for Yanti.
    with pytest.raises(Http404):
        services.assignment_respond(actor=yanti_user, assignment_id=offer.pk, accept=True)
    with pytest.raises(InvalidInput, match="Say why"):
        services.assignment_respond(actor=rina_user, assignment_id=offer.pk, accept=False)
    services.assignment_respond(actor=rina_user, assignment_id=offer.pk, accept=True)
    assert list(services.mentoring_groups(rina_user)) == [mine]
    with pytest.raises(InvalidInput, match="already been answered"):
        services.assignment_respond(actor=rina_user, assignment_id=offer.pk, accept=False)
    declined = Assignment.objects.get(kube=other, status=AssignmentStatus.OFFERED)
    services.assignment_respond(
        actor=yanti_user, assignment_id=declined.pk, accept=False, reason="Jadwal penuh"
    )
    assert not services.mentoring_groups(yanti_user).exists()
    # A declined group waits again; an accepted one does not.
    assert list(services.waiting_groups(coordinator, None)) == [other]


def test_ending_an_assignment_keeps_history_and_hides_the_group(
    group_in, make_mentor, coordinator: User, account_for
) -> None:
    kube = group_in("32.73.01.1001")
    rina = make_mentor("Rina", "32.73", ["jasa"])
    rina_user = account_for(rina)
    offer_and_accept(coordinator, account_for)
    row = Assignment.objects.get(kube=kube, status=AssignmentStatus.ACCEPTED)
    with pytest.raises(InvalidInput, match="Choose why"):
        services.assignment_end(actor=coordinator, assignment_id=row.pk, reason="bosan")
    with pytest.raises(Forbidden, match="does not allow"):
        services.assignment_end(actor=rina_user, assignment_id=row.pk, reason="completed")
    services.assignment_end(
        actor=coordinator, assignment_id=row.pk, reason="completed", note="Satu tahun"
    )
    row.refresh_from_db()
    assert (row.status, row.end_reason, row.end_date) == (
        AssignmentStatus.ENDED,
        "completed",
        timezone.localdate(),
    )
    assert not services.mentoring_groups(rina_user).exists()
    # The next run remembers the pair: continuity lowers its cost by 10 (25 - 10).
    run = services.match_run(actor=coordinator)
    again = run.assignments.get(kube=kube)
    assert (again.mentor_id, again.cost, again.reasons) == (
        rina.pk,
        15,
        ["same_regency", "sector_mismatch", "history"],
    )


def test_a_mentor_leaving_ends_her_assignments(
    group_in, make_mentor, coordinator: User, account_for
) -> None:
    kube = group_in("32.73.01.1001")
    rina = make_mentor("Rina", "32.73", ["makanan_minuman"])
    offer_and_accept(coordinator, account_for)
    services.mentor_leave(actor=coordinator, mentor_id=rina.pk, note="Pindah ke Jakarta")
    row = Assignment.objects.get(kube=kube)
    assert (row.status, row.end_reason) == (AssignmentStatus.ENDED, "mentor_left")
    rina.refresh_from_db()
    assert not rina.active and not rina.available
    assert services.match_run(actor=coordinator).assigned_count == 0


def test_a_group_that_graduates_ends_its_assignment(
    group_in, make_mentor, coordinator: User, account_for, officer_bandung: User
) -> None:
    from sinergi.kube.services import kube_transition

    kube = group_in("32.73.01.1001")
    rina = make_mentor("Rina", "32.73", ["makanan_minuman"])
    offer_and_accept(coordinator, account_for)
    kube_transition(
        actor=officer_bandung, kube_id=kube.pk, to_status="graduated", reason="Usaha mandiri"
    )
    row = Assignment.objects.get(kube=kube, mentor=rina)
    assert (row.status, row.end_reason, row.end_note) == ("ended", "group_closed", "Usaha mandiri")
    assert not services.mentoring_groups(User.objects.get(mentor=rina)).exists()


def test_two_runs_offering_one_group_give_one_offer(
    group_in, make_mentor, coordinator: User, admin_user: User
) -> None:
    kube = group_in("32.73.01.1001")
    make_mentor("Rina", "32.73", ["makanan_minuman"])
    national = services.match_run(actor=admin_user)
    regional = services.match_run(actor=coordinator, area="32.73")
    assert services.run_send(actor=coordinator, run_id=regional.pk) == {"sent": 1, "skipped": 0}
    assert services.run_send(actor=admin_user, run_id=national.pk) == {"sent": 0, "skipped": 1}
    assert Assignment.objects.filter(kube=kube, status="offered").count() == 1


def test_mentor_profiles_are_checked(make_mentor, coordinator: User, unit_jabar) -> None:
    def save(**changes) -> Mentor:
        data = {
            "name": "Rina",
            "unit_id": unit_jabar.pk,
            "base_regency": "32.73",
            "sectors": ["jasa"],
            "capacity": 2,
        }
        data.update(changes)
        return services.mentor_save(actor=coordinator, data=services.MentorData(**data))

    for changes, message in [
        ({"name": " "}, "name"),
        ({"base_regency": "32.73.01"}, "Not a regency code"),
        ({"base_regency": "32.99"}, "No such regency"),
        ({"base_regency": "33.74"}, "outside your area"),
        ({"sectors": []}, "at least one sector"),
        ({"sectors": ["jasa", "sulap"]}, "Unknown sector code"),
        ({"capacity": -1}, "Capacity"),
        ({"capacity": 31}, "Capacity"),
        ({"unit_id": 999999}, "partner unit"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            save(**changes)
    assert not Mentor.objects.exists()
    mentor = save(base_regency="3273")
    assert mentor.area_code == "32.73"
    assert [s.code for s in mentor.sectors.all()] == ["jasa"]


def _accepted(group_in, make_mentor, coordinator, account_for) -> tuple[Kube, User]:
    kube = group_in("32.73.01.1001")
    rina = make_mentor("Rina", "32.73", ["makanan_minuman"])
    offer_and_accept(coordinator, account_for)
    return kube, User.objects.get(mentor=rina)


def test_a_session_with_attendance_photos_and_action_items(
    group_in, make_mentor, coordinator: User, account_for
) -> None:
    kube, mentor = _accepted(group_in, make_mentor, coordinator, account_for)
    members = list(
        Membership.objects.filter(kube=kube, end_date__isnull=True).values_list("pk", flat=True)
    )
    today = timezone.localdate()
    consent_to(m.person for m in Membership.objects.filter(pk__in=members[:4]))
    first = services.session_log(
        actor=mentor,
        kube_id=kube.pk,
        held_on=today - timedelta(days=30),
        place="Rumah ketua",
        topics="Pembukuan",
        present=members[:4],
        photos=[SimpleUploadedFile("a.png", PNG)],
        new_items=[
            services.NewItem("Buku kas", "Bendahara", today - timedelta(days=20)),
            services.NewItem("Izin P-IRT", "Ketua", today - timedelta(days=2)),
        ],
    )
    assert first.present.count() == 4 and first.photos.count() == 1
    book, pirt = ActionItem.objects.filter(kube=kube).order_by("id")
    assert book.overdue_on(today) and pirt.overdue_on(today)
    second = services.session_log(
        actor=mentor,
        kube_id=kube.pk,
        held_on=today,
        place="Balai desa",
        topics="Kemasan",
        reviews=[services.Review(book.pk, "done", "Sudah dipakai")],
    )
    book.refresh_from_db()
    assert (book.status, book.reviewed_in, book.closed_on) == ("done", second, today)
    view = selectors.group_view(mentor, kube.pk)
    # Open and overdue first; the closed one last.
    assert [i.pk for i in view.items] == [pirt.pk, book.pk]
    assert [s.pk for s in view.sessions] == [second.pk, first.pk]
    row = selectors.group_list(coordinator).queryset.get(pk=kube.pk)
    assert (row.mentor_name, row.open_items, row.overdue_items) == ("Rina", 1, 1)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"held_on": date(2099, 1, 1)}, "future"),
        ({"place": " "}, "where"),
        ({"topics": ""}, "about"),
        ({"present": [10**9]}, "not a member"),
        ({"photos": [SimpleUploadedFile("a.gif", b"GIF89a....")]}, "JPEG or PNG"),
        ({"photos": [SimpleUploadedFile("a.png", PNG)] * 7}, "At most 6"),
        ({"new_items": [services.NewItem("", "Ketua", date(2099, 1, 1))]}, "Action item 1"),
        ({"new_items": [services.NewItem("X", "Ketua", date(2000, 1, 1))]}, "before the session"),
        ({"reviews": [services.Review(10**9, "done")]}, "not an open item"),
    ],
)
def test_a_bad_session_is_refused_whole(
    group_in, make_mentor, coordinator: User, account_for, changes, message
) -> None:
    kube, mentor = _accepted(group_in, make_mentor, coordinator, account_for)
    data = {
        "actor": mentor,
        "kube_id": kube.pk,
        "held_on": timezone.localdate(),
        "place": "Balai desa",
        "topics": "Pemasaran",
        "new_items": [services.NewItem("Foto produk", "Sekretaris", date(2099, 1, 1))],
    }
    data.update(changes)
    with pytest.raises(InvalidInput, match=message):
        services.session_log(**data)
    assert not kube.sessions.exists() and not ActionItem.objects.exists()


def test_only_the_groups_mentor_logs_sessions(
    group_in, make_mentor, coordinator: User, account_for, make_user, facilitator_bandung
) -> None:
    kube, _mentor = _accepted(group_in, make_mentor, coordinator, account_for)
    other = account_for(make_mentor("Yanti", "32.73", ["jasa"]))
    for actor in (other, facilitator_bandung, coordinator):
        with pytest.raises((InvalidInput, Forbidden)):  # not her group, or not her role
            services.session_log(
                actor=actor,
                kube_id=kube.pk,
                held_on=timezone.localdate(),
                place="x",
                topics="y",
            )


def test_monthly_report_is_prefilled_and_final_once_submitted(
    group_in, make_mentor, coordinator: User, account_for, facilitator_bandung, make_user
) -> None:
    kube, mentor = _accepted(group_in, make_mentor, coordinator, account_for)
    today = timezone.localdate()
    first_of_month = today.replace(day=1)
    services.session_log(
        actor=mentor,
        kube_id=kube.pk,
        held_on=first_of_month,
        place="Balai",
        topics="Pemasaran daring",
        present=list(Membership.objects.filter(kube=kube).values_list("pk", flat=True)[:5]),
        new_items=[services.NewItem("Akun marketplace", "Sekretaris", first_of_month)],
    )
    month = f"{today:%Y-%m}"
    facts = services.month_facts(kube, first_of_month)
    assert facts["sessions"] == [
        {"date": first_of_month.isoformat(), "topics": "Pemasaran daring", "present": 5}
    ]
    assert (facts["members"], facts["items_raised"]) == (6, 1)
    assert "Pemasaran daring (5 present)" in services.draft_activities(facts)
    with pytest.raises(InvalidInput, match="YYYY-MM"):
        services.report_save(actor=facilitator_bandung, kube_id=kube.pk, month="11/2026",
                             activities="x")  # fmt: skip
    with pytest.raises(InvalidInput, match="not started"):
        services.report_save(actor=facilitator_bandung, kube_id=kube.pk, month="2099-01",
                             activities="x")  # fmt: skip
    facilitator_bogor = make_user(Role.FACILITATOR, "32.01")
    with pytest.raises(Http404):
        services.report_save(actor=facilitator_bogor, kube_id=kube.pk, month=month, activities="x")
    report = services.report_save(
        actor=facilitator_bandung, kube_id=kube.pk, month=month, activities="Sesi", submit=True
    )
    assert report.status == ReportStatus.SUBMITTED and report.facts["items_raised"] == 1
    with pytest.raises(InvalidInput, match="already submitted"):
        services.report_save(
            actor=facilitator_bandung, kube_id=kube.pk, month=month, activities="Ubah"
        )


def test_kpi_progress_counts_the_organisations_work_in_area_and_period(
    group_in, make_mentor, coordinator: User, account_for, unit_jabar, admin_user
) -> None:
    kube, mentor = _accepted(group_in, make_mentor, coordinator, account_for)
    today = timezone.localdate()
    session = services.session_log(
        actor=mentor,
        kube_id=kube.pk,
        held_on=today,
        place="Balai",
        topics="Harga",
        new_items=[services.NewItem("Daftar harga", "Ketua", today)],
    )
    services.action_item_update(actor=mentor, item_id=session.new_items.get().pk, status="done")

    def agreement(area: str | None, start: date, end: date) -> Agreement:
        from sinergi.wilayah.models import Region

        a = Agreement.objects.create(
            organisation=unit_jabar.organisation,
            kind=AgreementKind.PKS,
            number=f"PKS/{area}/{start.year}/{end.year}",
            title="Uji",
            signing_unit=unit_jabar,
            ministry_party="Dinsos",
            ministry_signatory="A",
            partner_signatory="B",
            signed_on=start,
            valid_from=start,
            valid_until=end,
            scope="Uji",
            area=Region.objects.get(code=area) if area else None,
        )
        for indicator in Indicator.values:
            Kpi.objects.create(agreement=a, indicator=indicator, target=4)
        return a

    current = agreement("32", today - timedelta(days=30), today + timedelta(days=30))
    values = {p.kpi.indicator: (p.value, p.percent) for p in selectors.agreement_progress(current)}
    assert values == {
        "kube_mentored": (1, 25),
        "sessions_held": (1, 25),
        "mentors_active": (1, 25),
        "action_items_done": (1, 25),
    }
    elsewhere = agreement("33", today - timedelta(days=30), today + timedelta(days=30))
    past = agreement(None, date(2015, 1, 1), date(2016, 1, 1))
    for other in (elsewhere, past):
        assert {p.value for p in selectors.agreement_progress(other)} == {0}


def test_weights_from_the_form_change_the_objective(
    group_in, make_mentor, coordinator: User
) -> None:
    group_in("32.73.01.1001", "kerajinan")
    near = make_mentor("Near", "32.73", ["jasa"], capacity=1)
    far = make_mentor("Far", "32.01", ["kerajinan"], capacity=1)
    default = services.match_run(actor=coordinator).assignments.get()
    assert (default.mentor_id, default.cost) == (near.pk, 25)
    sector_first = services.match_run(
        actor=coordinator, weights=Weights(other_regency=10, sector_mismatch=50)
    ).assignments.get()
    assert (sector_first.mentor_id, sector_first.cost) == (far.pk, 10)


def test_partner_roles_hold_no_registry_or_kube_permission(make_user) -> None:
    for role in (Role.PARTNER_COORDINATOR, Role.MENTOR):
        user = make_user(role, "32")
        assert not [
            p for p in user.get_all_permissions() if p.split(".")[0] in {"registry", "kube"}
        ]
