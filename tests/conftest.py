"""Shared fixtures: the real region list loaded once per run, and a user per role and area."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.accounts.services import user_create

PASSWORD = "uji-sandi-panjang-2026"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load all 91,599 official regions once; tests run in transactions on top of them."""
    from sinergi.wilayah.services import regions_load

    with django_db_blocker.unblock():
        regions_load()


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Each test starts in the default language: a request in English activates English for
    the thread (Django's middleware never switches back), which made a later test that reads
    a message outside a request see English, depending on the order tests ran in."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(role: str, area_code: str | None = None, **extra: Any) -> User:
        return user_create(
            actor=None,
            username=extra.pop("username", f"{role}-{area_code or 'nas'}-{next(counter)}"),
            password=PASSWORD,
            role=role,
            area_code=area_code,
            **extra,
        )

    return make


@pytest.fixture
def admin_user(make_user: Callable[..., User]) -> User:
    return make_user(Role.NATIONAL_ADMIN, None, is_staff=True, first_name="Admin")


@pytest.fixture
def officer_bandung(make_user: Callable[..., User]) -> User:
    """Social office officer of Kota Bandung (32.73)."""
    return make_user(Role.SOCIAL_OFFICER, "32.73", first_name="Asep")


@pytest.fixture
def officer_bogor(make_user: Callable[..., User]) -> User:
    """Social office officer of Kabupaten Bogor (32.01): same province, other regency."""
    return make_user(Role.SOCIAL_OFFICER, "32.01", first_name="Ujang")


@pytest.fixture
def officer_jabar(make_user: Callable[..., User]) -> User:
    """Social office officer of the province of Jawa Barat (32)."""
    return make_user(Role.SOCIAL_OFFICER, "32", first_name="Dewi")


@pytest.fixture
def facilitator_bandung(make_user: Callable[..., User]) -> User:
    return make_user(Role.FACILITATOR, "32.73", first_name="Rina")


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    def make(user: User | None) -> Client:
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        return client

    return make
