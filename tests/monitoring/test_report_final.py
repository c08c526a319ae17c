"""A group's monthly report: a partial save keeps what it did not send, a submitted report is
final on every path (service, page, API), and only the social office returns it for correction,
with a reason, after which the group corrects and submits it again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from django.utils import translation

from sinergi.accounts.models import User
from sinergi.core.errors import Forbidden, InvalidInput
from sinergi.core.models import AuditEvent
from sinergi.kube.models import Kube
from sinergi.monitoring import events, services
from sinergi.monitoring.models import GroupReport, ReportStatus
from tests.monitoring.test_monitoring import bandung, month  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

FIGURES = {
    "turnover": 5_000_000,
    "costs": 3_500_000,
    "assets": 10_000_000,
    "savings": 2_400_000,
    "iks_paid": 150_000,
    "active_members": 6,
    "problems": "Kemasan terlambat",
}
KEPT = ("costs", "assets", "savings", "iks_paid", "active_members", "problems")


def save(actor: User, kube: Kube, *, submit: bool = False, **figures: Any) -> GroupReport:
    return services.save_report(
        actor=actor,
        kube_id=kube.pk,
        period=month(1),
        figures=figures or FIGURES,
        incomes={},
        submit=submit,
    )


def state(report: GroupReport) -> dict[str, Any]:
    report.refresh_from_db()
    return {name: getattr(report, name) for name in ("status", "turnover", "profit", *KEPT)}


@pytest.fixture
def en(client_for: Callable[..., Client]) -> Callable[..., Client]:
    def make(user: User, language: str = "en") -> Client:
        client = client_for(user)
        client.cookies["sinergi_language"] = language
        return client

    return make


def test_a_save_with_only_the_turnover_keeps_every_other_figure(
    bandung: Kube,  # noqa: F811
    facilitator_bandung: User,
    en: Callable[..., Client],
) -> None:
    report = save(facilitator_bandung, bandung)
    save(facilitator_bandung, bandung, turnover=6_000_000)
    after = state(report)
    assert {name: after[name] for name in KEPT} == {name: FIGURES[name] for name in KEPT}
    assert (after["turnover"], after["profit"]) == (6_000_000, 2_500_000)
    # The same through the API and through a page post that carries only the turnover.
    api = f"/api/v1/monitoring/groups/{bandung.pk}/reports/{month(1):%Y-%m}"
    client = en(facilitator_bandung)
    answer = client.put(api, {"turnover": 7_000_000}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["costs"] == 3_500_000
    page = f"/pantau/kube/{bandung.pk}/laporan/{month(1):%Y-%m}/"
    assert client.post(page, {"turnover": "8.000.000", "action": "save"}).status_code == 302
    after = state(report)
    assert {name: after[name] for name in KEPT} == {name: FIGURES[name] for name in KEPT}
    assert (after["turnover"], after["profit"]) == (8_000_000, 4_500_000)


def test_a_submitted_report_is_final_on_every_path(
    bandung: Kube,  # noqa: F811
    facilitator_bandung: User,
    en: Callable[..., Client],
) -> None:
    report = save(facilitator_bandung, bandung, submit=True)
    final = state(report)
    events_before = AuditEvent.objects.count()
    with (
        translation.override("en"),
        pytest.raises(InvalidInput, match="already submitted and final"),
    ):
        save(facilitator_bandung, bandung, turnover=1)
    with pytest.raises(InvalidInput):
        save(facilitator_bandung, bandung, submit=True, turnover=1)
    api = f"/api/v1/monitoring/groups/{bandung.pk}/reports/{month(1):%Y-%m}"
    answer = en(facilitator_bandung, "id").put(
        api, {"turnover": 1}, content_type="application/json"
    )
    assert answer.status_code == 400 and "sudah dikirim" in answer.json()["detail"]
    page = f"/pantau/kube/{bandung.pk}/laporan/{month(1):%Y-%m}/"
    client = en(facilitator_bandung)
    shown = client.get(page).content.decode()
    assert "this report is final" in shown and "<fieldset disabled>" in shown
    assert 'name="action" value="submit"' not in shown
    refused = client.post(page, {"turnover": "1", "action": "save"})
    assert refused.status_code == 400
    assert "already submitted and final" in refused.content.decode()
    assert state(report) == final
    assert AuditEvent.objects.count() == events_before


def test_the_social_office_returns_it_with_a_reason_and_the_group_resubmits(
    bandung: Kube,  # noqa: F811
    facilitator_bandung: User,
    officer_bandung: User,
    officer_bogor: User,
    en: Callable[..., Client],
) -> None:
    report = save(facilitator_bandung, bandung, submit=True)
    page = f"/pantau/kube/{bandung.pk}/laporan/{month(1):%Y-%m}/"
    api = f"/api/v1/monitoring/groups/{bandung.pk}/reports/{month(1):%Y-%m}/return"
    why = {"reason": "Biaya tidak sesuai nota"}
    # Who files does not return: no button, 403 on the page, the API and in the service.
    group = en(facilitator_bandung)
    assert "Return for correction" not in group.get(page).content.decode()
    assert group.post(page, {"return": "1", **why}).status_code == 403
    assert group.post(api, why, content_type="application/json").status_code == 403
    with pytest.raises(Forbidden):
        services.return_report(
            actor=facilitator_bandung, kube_id=bandung.pk, period=month(1), reason="x"
        )
    # Another regency's office does not see the group at all.
    with pytest.raises(Http404):
        services.return_report(actor=officer_bogor, kube_id=bandung.pk, period=month(1), reason="x")
    office = en(officer_bandung)
    shown = office.get(page).content.decode()
    assert "Return for correction" in shown and 'name="reason"' in shown
    empty = office.post(page, {"return": "1", "reason": " "})
    assert empty.status_code == 400 and state(report)["status"] == ReportStatus.SUBMITTED
    assert office.post(page, {"return": "1", **why}).status_code == 302
    report.refresh_from_db()
    assert (report.status, report.return_reason) == (ReportStatus.RETURNED, why["reason"])
    event = AuditEvent.objects.filter(event_type=events.GROUP_REPORT_RETURNED.code).get()
    assert event.actor == officer_bandung and event.reason == why["reason"]
    assert event.data["changes"]["status"] == ["submitted", "returned"]
    # Returned once is not returned twice; the group sees why, corrects and submits again.
    again = office.post(api, why, content_type="application/json")
    assert again.status_code == 400
    shown = group.get(page).content.decode()
    assert why["reason"] in shown and 'name="action" value="submit"' in shown
    assert group.post(page, {"costs": "3.000.000", "action": "submit"}).status_code == 302
    after = state(report)
    assert (after["status"], after["costs"], after["turnover"]) == (
        "submitted",
        3_000_000,
        5_000_000,
    )
    # And the API return works the same, in the user's language for its refusals.
    done = office.post(api, why, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "returned"
    assert done.json()["return_reason"] == why["reason"]


def test_who_filed_the_report_may_not_return_it(
    bandung: Kube,  # noqa: F811
    officer_bandung: User,
    en: Callable[..., Client],
) -> None:
    save(officer_bandung, bandung, submit=True)
    with translation.override("en"), pytest.raises(Forbidden, match="someone else"):
        services.return_report(
            actor=officer_bandung, kube_id=bandung.pk, period=month(1), reason="Salah hitung"
        )
    # The page says why instead of offering the form; a post anyway is refused the same way.
    page = f"/pantau/kube/{bandung.pk}/laporan/{month(1):%Y-%m}/"
    client = en(officer_bandung)
    shown = client.get(page).content.decode()
    assert "someone else must return it" in shown and 'name="reason"' not in shown
    assert client.post(page, {"return": "1", "reason": "Salah hitung"}).status_code == 403
    assert GroupReport.objects.get().status == ReportStatus.SUBMITTED
