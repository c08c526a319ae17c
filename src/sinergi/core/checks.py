"""Start-up checks: refuse to run with personal data encrypted under a key this server lacks.

Registered as a system check, so ``check``, ``runserver``, ``migrate`` and ``db_worker`` stop
with the message; the WSGI entry point and the demo call ``refuse_without_keys`` themselves
(gunicorn and a ``call_command`` runserver skip system checks).
"""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from sinergi.core import crypto


def key_problems() -> list[str]:
    try:
        missing = crypto.missing_key_ids()
    except ImproperlyConfigured as exc:
        return [str(exc)]
    return [crypto.missing_key_message(kid) for kid in missing]


@register()
def personal_data_keys(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    return [Error(problem, id="sinergi.E001") for problem in key_problems()]


def refuse_without_keys() -> None:
    """Raise ImproperlyConfigured (the process does not start) when a key is missing."""
    problems = key_problems()
    if problems:
        raise ImproperlyConfigured(" ".join(problems))
