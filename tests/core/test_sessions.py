"""core.sessions reads what Django's database sessions read, by the same expiry rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from sinergi.core.sessions import SessionStore


@pytest.mark.django_db
def test_the_store_reads_a_live_session_and_nothing_else() -> None:
    assert settings.SESSION_ENGINE == "sinergi.core.sessions"
    saved = SessionStore()
    saved["answer"] = 42
    saved.save()
    key = saved.session_key
    assert SessionStore(key).load() == DjangoStore(key).load() == {"answer": 42}

    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None

    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))
    expired = SessionStore(key)
    assert expired.load() == DjangoStore(key).load() == {}
    assert expired.session_key is None
    assert SessionStore(None).load() == {}
