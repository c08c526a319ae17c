"""Code lists read in the reader's language: business types and product categories."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from sinergi.kube.models import BusinessType
from sinergi.market.models import Category


@pytest.fixture(autouse=True)
def _language_kept() -> Iterator[None]:
    """A page asked in English leaves English active in this thread (LocaleMiddleware does
    not switch back); later tests expect the default language again."""
    with translation.override(translation.get_language()):
        yield


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "code", "indonesian", "english"),
    [
        (BusinessType, "makanan_minuman", "Makanan dan minuman", "Food and drink"),
        (Category, "batik_tenun", "Batik dan tenun", "Batik and woven cloth"),
    ],
)
def test_shipped_rows_are_named_in_both_languages(
    model: type, code: str, indonesian: str, english: str
) -> None:
    row = model.objects.get(code=code)
    with translation.override("id"):
        assert str(row) == indonesian
    with translation.override("en"):
        assert str(row) == english


@pytest.mark.django_db
def test_a_row_added_in_indonesian_only_shows_its_indonesian_name_in_english() -> None:
    row = BusinessType.objects.create(code="perikanan", name="Perikanan")
    with translation.override("en"):
        assert row.label == "Perikanan"


@pytest.mark.django_db
def test_business_type_choices_and_api_labels_follow_the_readers_language(
    officer_bandung, client_for
) -> None:
    client = client_for(officer_bandung)
    client.cookies["sinergi_language"] = "en"
    page = client.get("/kube/").content.decode()
    assert '<option value="makanan_minuman">Food and drink</option>' in page
    api = client.get("/api/v1/kube/business-types", HTTP_ACCEPT_LANGUAGE="en").json()
    assert {
        "code": "makanan_minuman",
        "name": "Makanan dan minuman",
        "label": "Food and drink",
    } in api["items"]
    assert api["count"] == len(api["items"])


@pytest.mark.django_db
def test_a_stale_edit_names_the_changed_business_type_in_the_readers_language(
    officer_bandung, client_for
) -> None:
    import re

    from tests.kube.test_services import _form, _heads

    kube, _ = _form(officer_bandung, _heads(officer_bandung, 5))  # kerajinan
    client = client_for(officer_bandung)
    client.cookies["sinergi_language"] = "en"
    shown = client.get(f"/kube/{kube.pk}/ubah/").content.decode()
    stamp = re.search(r'name="record_version" value="([^"]+)"', shown)
    assert stamp is not None
    changed = client.patch(
        f"/api/v1/kube/{kube.pk}", {"business_type": "jasa"}, content_type="application/json"
    )
    assert changed.status_code == 200
    refused = client.post(
        f"/kube/{kube.pk}/ubah/",
        {"name": kube.name, "business_type": "kerajinan", "record_version": stamp.group(1)},
    ).content.decode()
    assert "“Crafts” → “Services”" in refused
