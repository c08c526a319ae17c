"""What every background task shares: a failure that can always be recorded."""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import connections

from sinergi.core.text import storable

P = ParamSpec("P")
T = TypeVar("T")


class TaskFailed(Exception):
    """A task's failure, its text made storable (see ``recordable_failure``)."""


def recordable_failure(func: Callable[P, T]) -> Callable[P, T]:
    """Re-raise any failure as ``TaskFailed`` with storable text and no chained exception.

    The database worker stores the traceback of a failed task; a message holding a NUL (from
    a file, say) made that write fail too, and the worker process exited. The original
    traceback is kept as text, cleaned, so nothing is lost for whoever investigates.
    """

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            text = storable("".join(traceback.format_exception(exc)), 20_000)
            _drop_broken_connections()
            raise TaskFailed(text) from None

    return run


def _drop_broken_connections() -> None:
    """Close a database connection the failure left unusable (the server restarted, or ended
    it), so the database worker records the failure on a new one instead of dying on the
    old one; inside a transaction the caller owns the connection, so it is left alone."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()
