"""Transactions that the database may abort to break a lock cycle, run again from the start.

PostgreSQL ends one transaction of a deadlock (``40P01``) or of a serialization conflict
(``40001``) and expects the client to try again. Retrying is only safe for the whole
transaction: everything it did was rolled back, so running the function again re-reads and
re-checks everything. Between attempts it waits a few random milliseconds, so that the
transaction the database let through finishes before this one takes its first lock again
(right away, the two can meet in the same cycle). Inside a caller's transaction the abort
belongs to the caller, so there the function runs once, in a savepoint, and the error goes up.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from django.db import OperationalError, transaction

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# SQLSTATE codes PostgreSQL asks the client to retry.
RETRYABLE = frozenset({"40001", "40P01"})
ATTEMPTS = 3
PAUSE = 0.05  # seconds, the most the first pause takes; doubled for each later one


def is_retryable(exc: BaseException) -> bool:
    """True when the database aborted the transaction for a deadlock or serialization failure."""
    return getattr(exc.__cause__, "sqlstate", None) in RETRYABLE


def atomic_retrying(func: Callable[P, R]) -> Callable[P, R]:
    """``transaction.atomic``, plus up to ``ATTEMPTS`` runs when the outermost one is aborted."""

    @wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                return func(*args, **kwargs)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with transaction.atomic():
                    return func(*args, **kwargs)
            except OperationalError as exc:
                if attempt == ATTEMPTS or not is_retryable(exc):
                    raise
                logger.warning(
                    "%s aborted by the database (%s), attempt %d of %d; running it again",
                    func.__qualname__,
                    getattr(exc.__cause__, "sqlstate", ""),
                    attempt,
                    ATTEMPTS,
                )
                time.sleep(random.uniform(0, PAUSE * 2 ** (attempt - 1)))  # noqa: S311 - jitter
        raise AssertionError("unreachable")  # the loop returns or raises

    return run
