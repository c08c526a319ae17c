"""The Django admin's policy: domain rows are read-only there (their writes go through the
services, with their audit events); programmes are saved through the aid services; reference
data is kept in the admin and every change of it is audited with old and new values."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from sinergi.accounts.models import User
from sinergi.aid.models import Cycle, Programme
from sinergi.core.models import AuditEvent
from sinergi.market.models import Category
from sinergi.wilayah.models import Region

pytestmark = pytest.mark.django_db


def test_reference_data_changed_in_the_admin_is_audited_with_old_and_new(
    admin_user: User, client_for: Callable[..., Client]
) -> None:
    admin = client_for(admin_user)
    region = Region.objects.get(code="32.73.01.1001")
    old_name = region.name
    changed = admin.post(
        f"/admin/wilayah/region/{region.pk}/change/",
        {"name": "Sukarasa Baru", "decree": region.decree, "replaced_by": ""},
    )
    assert changed.status_code == 302, changed.content.decode()[:2000]
    event = AuditEvent.objects.get(event_type="core.reference.changed")
    assert event.actor == admin_user and event.object_type == "wilayah.region"
    assert event.data["changes"] == {"name": [old_name, "Sukarasa Baru"]}
    assert event.area_code == "32.73.01.1001"

    added = admin.post(
        "/admin/market/category/add/",
        {
            "code": "uji_anyaman",
            "name": "Anyaman Uji",
            "name_en": "Weaving",
            "unit": "pcs",
            "active": "on",
        },
    )
    assert added.status_code == 302, [
        line for line in added.content.decode().splitlines() if "errorlist" in line
    ]
    category = Category.objects.get(code="uji_anyaman")
    event = AuditEvent.objects.get(event_type="core.reference.added")
    assert event.object_id == str(category.pk)
    assert event.data["changes"]["name"] == [None, "Anyaman Uji"]


def test_domain_rows_are_read_only_in_the_admin(
    admin_user: User, client_for: Callable[..., Client]
) -> None:
    admin = client_for(admin_user)
    for model in ("mentoring/organisation", "mentoring/unit", "registry/consentrecord"):
        assert admin.get(f"/admin/{model}/").status_code == 200
        assert admin.get(f"/admin/{model}/add/").status_code == 403


def test_programmes_are_saved_through_the_aid_services(
    admin_user: User, client_for: Callable[..., Client]
) -> None:
    admin = client_for(admin_user)
    data = {
        "name": "Bantuan Stimulan 2027",
        "year": "2027",
        "funding_source": "apbn",
        "amount_rule": "per_member",
        "amount": "2000000",
        "cap": "20000000",
        "budget_ceiling": "100000000",
        "area_code": "",
        "max_desil": "",
        "cycles-TOTAL_FORMS": "0",
        "cycles-INITIAL_FORMS": "0",
    }
    refused = admin.post("/admin/aid/programme/add/", {**data, "area_code": "32.73.01.1001"})
    assert refused.status_code == 200 and not Programme.objects.exists()
    saved = admin.post("/admin/aid/programme/add/", data)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    programme = Programme.objects.get()
    created = AuditEvent.objects.get(event_type="aid.programme.created")
    assert created.object_id == str(programme.pk) and created.actor == admin_user
    opened = admin.post(
        "/admin/aid/programme/",
        {"action": "open_next_cycle", "_selected_action": [programme.pk]},
    )
    assert opened.status_code == 302
    assert Cycle.objects.get(programme=programme).number == 1
    assert AuditEvent.objects.filter(event_type="aid.cycle.created").count() == 1
    assert admin.get(f"/admin/aid/programme/{programme.pk}/delete/").status_code == 403
