"""Job kinds: what each app's background jobs are called and who may see them.

Each app declares its kinds in ``<app>/jobs.py`` with :func:`job_kind`; ``CoreConfig.ready``
loads those modules (as it does ``events``), so ``core`` names no domain app. The work itself
is named by its dotted path and imported only when a worker runs it: a service that starts a
job never imports the module that does the work, so no circle hides behind a function-level
import.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class JobKind:
    code: str
    label: str | Promise
    # Permission to see jobs of this kind (in one's area); each kind's own page uses the same.
    permission: str
    # "pkg.module.function" called with the Job by the worker; empty when the app queues its
    # own tasks and reports through ``core.jobs.sync`` (imports, with their chunk leases).
    run: str = ""
    queue: str = "default"
    # Only the person who asked sees the job and its file (exports of personal data).
    own_only: bool = False
    # "pkg.module.function" called with (actor, job) when its file is downloaded (the audit).
    on_download: str = ""
    # The job concerns no area (the nightly rebuild of every figure): whoever holds the
    # permission sees it, wherever she works.
    everywhere: bool = False

    def __str__(self) -> str:
        return self.code


_KINDS: dict[str, JobKind] = {}


def job_kind(
    code: str,
    label: str | Promise,
    *,
    permission: str,
    run: str = "",
    queue: str = "default",
    own_only: bool = False,
    on_download: str = "",
    everywhere: bool = False,
) -> JobKind:
    """Declare a kind; declaring a code twice with another label is a programming error."""
    known = _KINDS.get(code)
    if known is not None and str(known.label) != str(label):
        raise ValueError(f"job kind {code!r} declared twice")
    kind = JobKind(code, label, permission, run, queue, own_only, on_download, everywhere)
    _KINDS[code] = kind
    return kind


def get(code: str) -> JobKind:
    return _KINDS[code]


def all_kinds() -> list[JobKind]:
    return sorted(_KINDS.values(), key=lambda k: k.code)


def label_of(code: str) -> str:
    known = _KINDS.get(code)
    return str(known.label) if known is not None else code
