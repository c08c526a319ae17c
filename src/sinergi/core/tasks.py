"""What every background task shares: a failure that can always be recorded."""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from typing import ParamSpec, TypeVar

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
            raise TaskFailed(text) from None

    return run
