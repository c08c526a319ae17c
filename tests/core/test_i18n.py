"""Both catalogues complete and compiled; pages render in both languages."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

import polib
import pytest
from django.test import Client

from sinergi.accounts.models import User

SRC = Path(__file__).resolve().parents[2] / "src" / "sinergi"
LOCALE = SRC / "locale"
TEMPLATE_STRING = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "pgettext", "ngettext"}


def _source_strings() -> set[str]:
    found: set[str] = set()
    for template in SRC.rglob("templates/**/*.html"):
        found.update(m.group(2) for m in TEMPLATE_STRING.finditer(template.read_text()))
    for module in SRC.rglob("*.py"):
        if "migrations" in module.parts:
            continue
        for node in ast.walk(ast.parse(module.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in GETTEXT_NAMES
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


@pytest.mark.parametrize("language", ["id", "en"])
def test_catalogue_is_complete_and_compiled(language: str) -> None:
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert po.percent_translated() == 100
    assert not po.fuzzy_entries()
    ids = {e.msgid for e in po}
    missing = _source_strings() - ids
    assert not missing, f"run makemessages: {sorted(missing)[:5]}"
    mo = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    compiled = {e.msgid: e.msgstr for e in mo if not e.msgid_plural}
    assert all(compiled.get(e.msgid) == e.msgstr for e in po if not e.msgid_plural), (
        "run python3 scripts/i18n.py"
    )


@pytest.mark.django_db
def test_dashboard_in_both_languages(
    client_for: Callable[..., Client], officer_bandung: User
) -> None:
    client = client_for(officer_bandung)
    indonesian = client.get("/").content.decode()
    assert "Beranda" in indonesian and "Wilayah Anda" in indonesian
    assert client.post("/bahasa/", {"language": "en", "next": "/"}).status_code == 302
    english = client.get("/").content.decode()
    assert "Dashboard" in english and "Your area" in english and "Beranda" not in english


@pytest.mark.django_db
def test_an_unknown_language_is_refused_with_a_message(
    client_for: Callable[..., Client], officer_bandung: User
) -> None:
    client = client_for(officer_bandung)
    response = client.post("/bahasa/", {"language": "xx", "next": "/"}, follow=True)
    body = response.content.decode()
    assert "Bahasa “xx” tidak dikenal" in body
    assert '<html lang="id"' in body
    evil = client.post("/bahasa/", {"language": "xx", "next": "https://contoh.invalid/"})
    assert evil["Location"] == "/"


@pytest.mark.django_db
def test_login_page_in_english_by_cookie(client_for: Callable[..., Client]) -> None:
    client = client_for(None)
    assert "Masuk ke Sinergi" in client.get("/akun/masuk/").content.decode()
    client.cookies["sinergi_language"] = "en"
    assert "Sign in to Sinergi" in client.get("/akun/masuk/").content.decode()


@pytest.mark.django_db
def test_the_ui_stays_indonesian_for_an_english_browser(client_for: Callable[..., Client]) -> None:
    body = client_for(None).get("/akun/masuk/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Masuk ke Sinergi" in body.content.decode()
