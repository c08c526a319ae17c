"""Django's database sessions, read with a written-out statement.

Every signed-in request reads its session first; compiling the ORM's ``get()`` for it cost
more CPU than running it. Same table, same rows, same expiry rule (``expire_date`` after now),
same answer for a missing or expired key (no session, a new key on the next save).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        rows = list(
            self.model.objects.raw(
                _session_sql(),
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
        )
        if rows:
            return rows[0]
        self._session_key = None
        return None


@cache
def _session_sql() -> str:
    from django.contrib.sessions.models import Session

    quote = connection.ops.quote_name
    # Names from the model, never from a request.
    return (
        f"SELECT {quote('session_key')}, {quote('session_data')}, {quote('expire_date')}"  # noqa: S608
        f" FROM {quote(Session._meta.db_table)}"
        f" WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s"
    )
