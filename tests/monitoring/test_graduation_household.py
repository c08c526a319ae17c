"""A confirmed graduation is recorded on the household: its registry page and API say when, from
which group and why, to who may see the household, and to no one else."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core.models import AuditEvent
from sinergi.kube.models import Kube
from sinergi.monitoring import services
from sinergi.monitoring.models import Graduation
from sinergi.registry.models import Household
from tests.monitoring.test_monitoring import bandung, file_report, month  # noqa: F401
from tests.samples import main_of

pytestmark = pytest.mark.django_db


def test_the_household_page_and_api_say_it_graduated(
    bandung: Kube,  # noqa: F811
    facilitator_bandung: User,
    officer_bandung: User,
    officer_bogor: User,
    make_user: Callable[..., User],
    client_for: Callable[..., Client],
) -> None:
    for back in range(6, 0, -1):
        file_report(facilitator_bandung, bandung, month(back), income=2_000_000)
    graduating, kept = Graduation.objects.filter(kube=bandung).order_by("pk")[:2]
    page = f"/registri/kk/{graduating.household_id}/"
    api = f"/api/v1/registry/households/{graduating.household_id}"
    office = client_for(officer_bandung)
    office.cookies["sinergi_language"] = "en"
    assert "Graduated" not in office.get(page).content.decode()
    assert office.get(api).json()["graduation"] is None

    services.decide_graduation(
        actor=officer_bandung, pk=graduating.pk, confirm=True, reason="Warung laris"
    )
    services.decide_graduation(actor=officer_bandung, pk=kept.pk, confirm=False, reason="Sekali")
    today = timezone.localdate()
    household = Household.objects.get(pk=graduating.household_id)
    assert (household.graduated_on, household.graduated_from, household.graduation_reason) == (
        today,
        "KUBE Mawar",
        "Warung laris",
    )
    assert Household.objects.get(pk=kept.household_id).graduated_on is None
    event = AuditEvent.objects.get(event_type="registry.household.graduated")
    assert event.data["changes"]["graduated_on"] == [None, f"{today:%Y-%m-%d}"]

    shown = office.get(page).content.decode()
    assert f"On {today:%Y-%m-%d} the household left KUBE Mawar" in shown
    assert "Warung laris" in shown
    office.cookies["sinergi_language"] = "id"
    assert "rumah tangga ini keluar dari KUBE Mawar" in office.get(page).content.decode()
    assert office.get(api).json()["graduation"] == {
        "on": f"{today:%Y-%m-%d}",
        "group": "KUBE Mawar",
        "note": "Warung laris",
    }
    assert "keluar dari" not in main_of(
        office.get(f"/registri/kk/{kept.household_id}/").content.decode()
    )
    # Who may not see the household sees nothing of it: another regency, a partner role.
    assert client_for(officer_bogor).get(page).status_code == 404
    assert client_for(officer_bogor).get(api).status_code == 404
    mentor = client_for(make_user(Role.MENTOR, "32.73"))
    assert mentor.get(page).status_code in (403, 404)
    assert mentor.get(api).status_code in (403, 404)
