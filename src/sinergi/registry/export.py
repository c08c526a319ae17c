"""Export of an area's households and persons in Sinergi's own import format.

One row per person in the 14 columns the import reads (``engines.registry_rows.COLUMNS``), the
household's columns repeated on each member's row, so the file goes back through the import
unchanged: a round trip stores nothing twice (every NIK is already there). Households without
a single (unmerged) member have no row; merged persons are left out, as on every list.

NIK and KK numbers are the stored masks unless the export states its purpose (at least
``REASON_MIN`` characters) and the person holds ``registry.reveal_identifier``; a masked file
cannot be imported again, which is the point. The decile is blanked for roles that may not see
welfare data. Every export is a ``registry.export`` job seen only by its requester, written by
the one spreadsheet writer (``core.exports``: formulas neutralised) into the default storage,
reading the persons in chunks, so memory stays flat whatever the size of the area. The audit
event (``registry.households.exported``, with the row count and the purpose) also writes the
access-log entry (``access_log.log_export_event``); each download is audited again.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from sinergi.core import crypto, jobs
from sinergi.core.errors import Forbidden, InvalidInput
from sinergi.core.exports import FORMATS, write_table
from sinergi.core.models import AuditEvent, Job
from sinergi.core.scoping import area_q, user_area
from sinergi.engines.registry_rows import COLUMNS
from sinergi.engines.wilayah import in_area
from sinergi.registry import events, selectors
from sinergi.registry.jobs import EXPORT
from sinergi.registry.models import Person

EXPORT_PERMISSION = "registry.export_person"
REVEAL_PERMISSION = "registry.reveal_identifier"
REASON_MIN = 10
REASON_MAX = 200
# Persons read per database round trip: enough to keep the round trips few, small enough that
# memory does not grow with the area (each row is a few hundred bytes with its household).
CHUNK = 2000

_FIELDS = (
    "id",
    "household_id",
    "source_id",
    "nik_mask",
    "name",
    "sex",
    "birth_place",
    "birth_date",
    "relation",
    "is_head",
    "phone",
    "area_code",
    "household__id",
    "household__kk_mask",
    "household__address",
    "household__area_code",
    "household__desil",
    "household__desil_date",
)


def export_persons(*, actor: Any, area: str = "") -> QuerySet[Person]:
    """The persons an export of ``area`` (empty: the actor's whole area) holds, in the
    order of their households: scoped by the export permission, never a partner's."""
    qs = Person.objects.for_user(actor, "export").filter(merged_into__isnull=True)
    if area:
        qs = qs.filter(area_q("area_code", area, by_range=True))
    return qs.select_related("household").order_by("area_code", "household_id", "id")


def check_request(*, actor: Any, fmt: str, reveal: bool, purpose: str, area: str = "") -> str:
    """Refuse what the export may not do, in the person's words; returns the area exported."""
    if not actor.has_perm(EXPORT_PERMISSION):
        raise Forbidden(_("Your role may not export the registry."))
    if fmt not in FORMATS:
        raise InvalidInput(_("Choose CSV or XLSX."), field="format")
    purpose = purpose.strip()
    if len(purpose) > REASON_MAX:
        raise InvalidInput(
            _("Say the purpose in at most %(n)s characters.") % {"n": REASON_MAX}, field="purpose"
        )
    if reveal:
        if not actor.has_perm(REVEAL_PERMISSION):
            raise Forbidden(
                _("Your role may not see full NIK or KK numbers; export them masked instead.")
            )
        if len(purpose) < REASON_MIN:
            raise InvalidInput(
                _(
                    "Full NIK and KK numbers are exported only for a stated purpose: say why "
                    "you need them (at least %(n)s characters)."
                )
                % {"n": REASON_MIN},
                field="purpose",
            )
    own = user_area(actor)
    if area and not in_area(area, own):
        raise InvalidInput(
            _("%(code)s is outside your area; choose a region inside it.") % {"code": area},
            field="area",
        )
    return area or own or ""


@transaction.atomic
def export_start(
    *, actor: Any, fmt: str, reveal: bool = False, purpose: str = "", area: str = ""
) -> Job:
    """Queue an export of the actor's area (or of ``area`` inside it); the worker writes it."""
    code = check_request(actor=actor, fmt=fmt, reveal=reveal, purpose=purpose, area=area)
    # Files of personal data are not kept longer than their requesters need them: besides the
    # nightly run (monitoring.summaries.refresh_all), each new export clears the old ones.
    jobs.prune(EXPORT.code, days=settings.SINERGI_EXPORT_KEEP_DAYS)
    total = export_persons(actor=actor, area=code).count()
    if not total:
        raise InvalidInput(_("There is nobody to export in this area."), field="area")
    return jobs.start(
        EXPORT.code,
        actor=actor,
        area_code=code,
        total=total,
        params={
            "fmt": fmt,
            "reveal": bool(reveal),
            "purpose": purpose.strip(),
            "language": translation.get_language() or "",
        },
    )


def export_rows(*, actor: Any, area: str, reveal: bool) -> Iterator[Sequence[object]]:
    """The file's rows in ``COLUMNS`` order, read ``CHUNK`` persons at a time."""
    welfare = selectors.sees_welfare(actor)
    qs = export_persons(actor=actor, area=area).only(*_FIELDS)
    if reveal:
        qs = qs.only(*_FIELDS, "nik_cipher", "household__kk_cipher")
    household_id, kk = None, ""
    for person in qs.iterator(chunk_size=CHUNK):
        household = person.household
        if reveal:
            if household.pk != household_id:  # members follow each other: one decryption each
                household_id, kk = household.pk, crypto.decrypt(household.kk_cipher, field="kk")
            nik = crypto.decrypt(person.nik_cipher, field="nik")
        else:
            kk, nik = household.kk_mask, person.nik_mask
        desil = household.desil if welfare else None
        yield [
            person.source_id or f"sinergi-{person.pk}",
            kk,
            nik,
            person.name,
            person.sex,
            person.birth_place,
            person.birth_date,
            person.relation,
            "1" if person.is_head else "0",
            household.address,
            household.area_code,
            desil,
            household.desil_date if desil is not None else None,
            person.phone,
        ]


def file_name(area: str, fmt: str, reveal: bool) -> str:
    return f"registri-{area or 'ID'}{'' if reveal else '-tersamar'}.{fmt}"


def run_export(job: Job) -> None:
    """The worker's part: write the file (progress every 1,000 rows) into an unnamed temporary
    file, hand it to the storage, then put the export on the audit trail and the access log."""
    actor = job.created_by
    if actor is None:
        raise jobs.JobError(_("The person who asked for this export no longer exists."))
    params = job.params
    fmt, reveal, purpose = params["fmt"], bool(params.get("reveal")), params.get("purpose", "")
    # Permissions are asked again: a role changed while the job waited counts.
    check_request(actor=actor, fmt=fmt, reveal=reveal, purpose=purpose, area=job.area_code)
    jobs.progress(job, 0, export_persons(actor=actor, area=job.area_code).count())
    with (
        translation.override(params.get("language") or settings.LANGUAGE_CODE),
        tempfile.TemporaryFile() as fh,
    ):
        done = write_table(
            fh,
            COLUMNS,
            export_rows(actor=actor, area=job.area_code, reveal=reveal),
            fmt,
            sheet_name="registri",
            progress=lambda rows: jobs.progress(job, rows),
        )
        fh.seek(0)
        jobs.save_result(job, File(fh), download_name=file_name(job.area_code, fmt, reveal))
    with transaction.atomic():
        AuditEvent.record(
            events.REGISTRY_EXPORTED,
            actor=actor,
            area_code=job.area_code,
            reason=purpose,
            data={"rows": done, "format": fmt, "revealed": reveal, "job": job.pk},
        )
        jobs.progress(job, done, done)
        jobs.succeed(job, result={"rows": done, "revealed": reveal})


def audit_download(actor: Any, job: Job) -> None:
    """Each fetch of the file, beside the export itself (the access log holds the export)."""
    AuditEvent.record(
        events.REGISTRY_EXPORT_DOWNLOADED,
        actor=actor,
        area_code=job.area_code,
        data={"rows": job.progress_done, "job": job.pk, "revealed": bool(job.params.get("reveal"))},
    )
