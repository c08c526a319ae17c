"""The audit trail shows each change in words: field names, choices and dates as a person
reads them, even when the event is about one row and the change about another."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from sinergi.core.events import snapshot
from sinergi.core.models import AuditEvent
from sinergi.kube.events import MEMBER_LEFT
from sinergi.kube.models import Membership
from tests.factories import KubeFactory, PersonFactory


@pytest.mark.django_db
def test_a_membership_change_recorded_on_its_group_names_the_membership_fields() -> None:
    kube = KubeFactory()
    person = PersonFactory()
    membership = Membership.objects.create(
        kube=kube, person=person, role="anggota", start_date=datetime.date(2026, 1, 5)
    )
    before = snapshot(membership, "end_date", "role")
    membership.end_date, membership.role = datetime.date(2026, 11, 29), "ketua"
    event = AuditEvent.record(
        MEMBER_LEFT, obj=kube, before=before, after=snapshot(membership, "end_date", "role")
    )
    event.refresh_from_db()
    with translation.override("en"):
        rows = event.change_rows
    labels = {label for label, _old, _new in rows}
    assert labels == {"Until", "Role"}, rows
    until = next(r for r in rows if r[0] == "Until")
    assert until[1] == "—" and "2026" in until[2] and "-11-29" not in until[2]
    role = next(r for r in rows if r[0] == "Role")
    assert role[1:] == ("Member", "Chair (ketua)"), role


@pytest.mark.django_db
def test_an_event_about_its_own_row_keeps_no_pointer() -> None:
    kube = KubeFactory()
    before = snapshot(kube, "status")
    kube.status = "submitted"
    event = AuditEvent.record(MEMBER_LEFT, obj=kube, before=before, after=snapshot(kube, "status"))
    assert "changes_of" not in event.data
    assert event.changes == {"status": ["draft", "submitted"]}


def test_an_undeclared_event_type_is_refused() -> None:
    with pytest.raises(ValueError, match="not declared"):
        AuditEvent.record("kube.kube.misspelt")
