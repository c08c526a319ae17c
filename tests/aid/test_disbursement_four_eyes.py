"""Four eyes on money out: whoever approved a cycle cannot record its transfers, on the
service, the API (403 with the reason) and the pages (the step disabled, saying why)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client

from sinergi.accounts.models import User
from sinergi.aid import services
from sinergi.aid.models import Cycle, Disbursement
from sinergi.core.errors import Forbidden
from sinergi.kube.models import Kube
from tests.aid.conftest import JUTA, approved

pytestmark = pytest.mark.django_db

REASON_EN = "You approved this cycle; another person must record its transfers."
REASON_ID = "Anda menyetujui tahap ini; orang lain yang harus mencatat transfernya."


def test_the_approver_cannot_record_a_transfer_of_her_cycle(
    cycle: Cycle,
    active_kube: Kube,
    officer_bandung: User,
    officer_jabar: User,
    admin_user: User,
    client_for: Callable[..., Client],
) -> None:
    proposal = approved(active_kube, cycle, officer_bandung, officer_jabar, admin_user)
    with pytest.raises(Forbidden):
        services.disbursement_record(
            actor=admin_user, proposal_id=proposal.pk, amount=JUTA, day=date(2026, 11, 2),
            reference="TRX1",
        )  # fmt: skip
    admin = client_for(admin_user)
    api = admin.post(
        f"/api/v1/aid/proposals/{proposal.pk}/disbursements",
        {"amount": JUTA, "day": "2026-11-02", "reference": "TRX1"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert api.status_code == 403
    assert api.json()["code"] == "forbidden" and api.json()["detail"] == REASON_EN
    # The pages: the step is there but disabled, with the reason; a POST all the same is 403.
    cycle_page = admin.get(f"/bantuan/tahap/{cycle.pk}/").content.decode()
    assert REASON_ID in cycle_page
    assert f"/bantuan/usulan/{proposal.pk}/transfer/" not in cycle_page
    url = f"/bantuan/usulan/{proposal.pk}/transfer/"
    page = admin.get(url)
    assert page.status_code == 200
    assert REASON_ID in page.content.decode()
    assert 'disabled aria-describedby="disburse-refusal"' in page.content.decode()
    posted = admin.post(url, {"amount": "1.000.000", "day": "2026-11-02", "reference": "TRX2"})
    assert posted.status_code == 403 and REASON_ID in posted.content.decode()
    assert not Disbursement.objects.exists()
    # Another person records it.
    officer = client_for(officer_bandung)
    assert REASON_ID not in officer.get(url).content.decode()
    done = officer.post(
        f"/api/v1/aid/proposals/{proposal.pk}/disbursements",
        {"amount": JUTA, "day": "2026-11-02", "reference": "TRX1"},
        content_type="application/json",
    )
    assert done.status_code == 201
    assert Disbursement.objects.get().created_by == officer_bandung
