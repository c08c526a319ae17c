"""The list pages' per-row shortcuts (core.templatetags.fast_lists) give what Django gives."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.template import engines
from django.test import Client
from django.urls import reverse
from django.utils import translation

from sinergi.accounts.models import User
from sinergi.kube.models import Kube, Status
from sinergi.market.models import Sale

NAMES = [
    "kube:kube_detail",
    "registry:household_detail",
    "registry:duplicate_review",
    "aid:cycle_detail",
    "mentoring:group_detail",
    "mentoring:mentor_edit",
    "mentoring:agreement_detail",
    "mentoring:unit_edit",
    "mentoring:offer_respond",
    "market:demand_detail",
    "market:product_detail",
    "market:product_photo",
]


def render(text: str, **context: object) -> str:
    return engines["django"].from_string("{% load fast_lists %}" + text).render(context)


@pytest.mark.parametrize("name", NAMES)
def test_row_url_is_the_reversed_address(name: str) -> None:
    for pk in (1, 7, 42, 918273, 2**40):
        assert render("{% row_url name pk %}", name=name, pk=pk) == reverse(name, args=[pk])


def test_row_url_follows_the_script_prefix() -> None:
    from django.urls import set_script_prefix

    set_script_prefix("/sinergi/")
    try:
        assert render("{% row_url 'kube:kube_detail' 5 %}") == "/sinergi/kube/5/"
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize("language", ["id", "en"])
def test_label_of_is_the_display_in_the_reader_language(language: str) -> None:
    with translation.override(language):
        for value in Status.values:
            kube = Kube(status=value)
            assert render('{{ k|label_of:"status" }}', k=kube) == kube.get_status_display()
        kube = Kube(status="unknown")  # a value outside the choices shows as itself
        assert render('{{ k|label_of:"status" }}', k=kube) == "unknown"
        for value, _ in Sale._meta.get_field("buyer_type").flatchoices:
            sale = Sale(buyer_type=value)
            assert render('{{ s|label_of:"buyer_type" }}', s=sale) == sale.get_buyer_type_display()
    with translation.override("id"):
        indonesian = render('{{ k|label_of:"status" }}', k=Kube(status=Status.ACTIVE))
    with translation.override("en"):
        english = render('{{ k|label_of:"status" }}', k=Kube(status=Status.ACTIVE))
    assert indonesian != english


def test_menu_cache_gives_the_rendered_menu_per_language_and_section(
    client: Client, admin_user: User
) -> None:
    from sinergi.core.templatetags import fragments

    client.force_login(admin_user)
    pages = {}
    for language in ("id", "en"):
        for path in ("/kube/", "/registri/"):
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            fragments._rendered.clear()
            fresh = client.get(path).content.decode()
            cached = client.get(path).content.decode()
            assert _menu(cached) == _menu(fresh)
            pages[language, path] = _menu(cached)
    assert 'aria-current="page">KUBE' in pages["id", "/kube/"]
    assert 'aria-current="page">KUBE' not in pages["id", "/registri/"]
    assert pages["id", "/kube/"] != pages["en", "/kube/"]
    assert len(set(pages.values())) == 4


def test_menu_cache_keys_on_the_menu_it_draws_not_the_entries_behind_it() -> None:
    """A page that draws no menu though its entries are known (the offline page) once found a
    signed-in menu cached under its key and showed it; the key is now what is drawn."""
    from django.template import Context, Template

    from sinergi.core.templatetags import fragments

    fragments._rendered.clear()
    page = Template(
        "{% load fragments %}{% menu_cache nav_menu %}"
        "{% for e in nav_menu %}<a href='{{ e.url }}'>{{ e.count }}</a>{% endfor %}"
        "{% endmenu_cache %}"
    )
    entry = {"url": "/tugas/", "active": False, "count": 3}
    entries = [entry]
    drawn = page.render(Context({"nav_items": entries, "nav_menu": entries}))
    assert drawn == "<a href='/tugas/'>3</a>"
    assert page.render(Context({"nav_items": entries, "nav_menu": []})) == ""
    grouped = [{"group": "market", "active": False, "entries": [entry]}]
    assert page.render(Context({"nav_items": entries, "nav_menu": grouped})) == ("<a href=''></a>")
    entry_now = {**entry, "count": 4}
    assert "4" in page.render(Context({"nav_items": [entry_now], "nav_menu": [entry_now]}))


def _menu(html: str) -> str:
    start = html.index('<nav class="nav-desktop"')
    return html[start : html.index('<form class="site-search"')]


def test_offline_head_is_rendered_once_per_language_with_each_users_number(
    client: Client, make_user: Any
) -> None:
    import json
    import re

    from sinergi.offline.templatetags import offline_tags

    offline_tags._forget()
    first, second = (make_user("social_officer", "32.73") for _ in range(2))
    heads = {}
    for language in ("id", "en"):
        for user in (first, second, None):
            client.logout()
            if user is not None:
                client.force_login(user)
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            html = client.get("/kube/" if user else reverse("accounts:login")).content.decode()
            head = html[html.index('<link rel="manifest"') : html.index("</head>")]
            found = re.search(r'"application/json">(.*?)</script>', head, re.S)
            assert found
            config = json.loads(found.group(1))
            assert next(iter(config)) == "user" and config["user"] == (user.pk if user else None)
            with translation.override(language):
                assert config["strings"] == (offline_tags.strings() if user else {})
            heads[language, user.pk if user else None] = head.replace(found.group(1), "")
    # Around the config, the head is the same for every user of a language.
    assert heads["id", first.pk] == heads["id", second.pk] == heads["id", None]
    assert len(set(heads.values())) == 1  # nothing in the links depends on the language
