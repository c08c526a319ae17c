"""Writes of the letters app: issuing and voiding a letter, saving an office's template.

Issuing is one transaction: the record is read through the actor's scope and its step checked
(``content``), the office's counter row for the year is locked and advanced, the letter row is
written with both files, and the audit event goes with it. Two officers issuing at once wait on
the counter row, so they get consecutive numbers; a number once given stays with its letter,
voided or not (the counter never goes back), so no number is ever given twice.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.core.errors import Conflict, Forbidden, InvalidInput, require_permission
from sinergi.core.events import snapshot
from sinergi.core.models import AuditEvent
from sinergi.core.scoping import access, user_area
from sinergi.core.uploads import PHOTO_TYPES, clean_upload
from sinergi.engines.wilayah import in_area
from sinergi.letters import content, documents, events, kinds, selectors
from sinergi.letters.models import Counter, Kind, Letter, LetterStatus, LetterTemplate

# Fields of a template an office edits (the form's and the snapshot's).
TEMPLATE_FIELDS = [
    "letterhead",
    "title",
    "recipient",
    "subject",
    "body",
    "copies",
    "place",
    "signatory_name",
    "signatory_nip",
    "signatory_position",
    "number_pattern",
    "classification_code",
    "office_abbreviation",
]
# Text fields where {placeholders} are filled in.
TEXT_FIELDS = [
    "letterhead",
    "title",
    "recipient",
    "subject",
    "body",
    "copies",
    "place",
    "signatory_position",
]
_NIP = re.compile(r"[0-9 ]{8,30}")
LOGO_MAX_BYTES = 1_000_000


def template_problems(kind: str, values: dict[str, Any]) -> dict[str, str]:
    """Each field's problem, in the reader's language: an unknown placeholder (named, with the
    allowed ones), a numbering scheme that cannot number, a NIP that is not one."""
    problems = {}
    for name in TEXT_FIELDS:
        unknown = kinds.unknown_placeholders(kind, str(values.get(name) or ""))
        if unknown:
            problems[name] = kinds.unknown_message(kind, unknown)
    pattern = kinds.pattern_problem(str(values.get("number_pattern") or ""))
    if pattern:
        problems["number_pattern"] = pattern
    nip = str(values.get("signatory_nip") or "")
    if nip and not _NIP.fullmatch(nip):
        problems["signatory_nip"] = _("A NIP is 18 digits (spaces allowed).")
    return problems


def may_edit_office(actor: Any, office_code: str) -> bool:
    """The national admin edits every office's templates and the national ones; an officer
    her own office's only."""
    area = user_area(actor)
    return area is None or office_code == area


@transaction.atomic
def template_save(
    *, actor: Any, kind: str, office_code: str, values: dict[str, Any], logo: Any = None
) -> LetterTemplate:
    """Save ``office_code``'s template of ``kind`` (created from the one in use on first save);
    refused, naming the field, if a text holds an unknown placeholder."""
    require_permission(actor, "letters.change_lettertemplate")
    if kind not in Kind.values:
        raise InvalidInput(_("Unknown kind of letter."), field="kind")
    if not may_edit_office(actor, office_code):
        raise Forbidden(_("You may edit only your own office's letter templates."))
    problems = template_problems(kind, values)
    if problems:
        name, message = next(iter(problems.items()))
        raise InvalidInput(message, field=name)
    template = (
        LetterTemplate.objects.select_for_update()
        .filter(kind=kind, office_code=office_code)
        .first()
    )
    if template is None:
        base = selectors.template_for(kind, office_code)
        template = LetterTemplate(
            kind=kind,
            office_code=office_code,
            **{name: getattr(base, name) for name in TEMPLATE_FIELDS},
            logo=base.logo.name if base.logo else "",
        )
        before = None
    else:
        before = snapshot(template, *TEMPLATE_FIELDS)
    for name in TEMPLATE_FIELDS:
        if name in values:
            setattr(template, name, str(values[name] or "").strip())
    if logo is not None:
        clean = clean_upload(
            logo,
            kinds=PHOTO_TYPES,
            max_bytes=LOGO_MAX_BYTES,
            missing=_("The logo is missing or larger than 1 MB."),
            wrong_kind=_("The logo must be a PNG or JPEG picture."),
            field="logo",
        )
        template.logo.save(clean.name or "logo.png", clean, save=False)
    template.updated_by = actor
    template.save()
    AuditEvent.record(
        events.TEMPLATE_CHANGED,
        actor=actor,
        obj=template,
        area_code=office_code,
        data={"kind": kind, "office": office_code},
        before=before,
        after=snapshot(template, *TEMPLATE_FIELDS),
    )
    return template


def _next_seq(office_code: str, kind: str, year: int) -> int:
    """The next number of (office, kind, year), under the counter row's lock until commit."""
    counter, _created = Counter.objects.select_for_update().get_or_create(
        office_code=office_code, kind=kind, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _place(template: LetterTemplate, values: dict[str, str]) -> str:
    if template.place.strip():
        return template.place.strip()
    region = values.get("office_region", "")
    for prefix in ("Provinsi ", "Kabupaten ", "Kota "):
        region = region.removeprefix(prefix)
    return region


def layout(
    template: LetterTemplate, subject: content.Subject, number: str, day: datetime.date
) -> documents.Layout:
    """The letter ``template`` makes of ``subject``: placeholders filled, parts laid out."""
    from sinergi.letters.words import long_date, weekday

    values = {
        **subject.values,
        "number": number,
        "date": long_date(day),
        "weekday": weekday(day),
        "year": str(day.year),
        "signatory_name": template.signatory_name,
        "signatory_nip": template.signatory_nip,
    }
    values["signatory_position"] = _fill(template.signatory_position, values)
    values["place"] = _fill(_place(template, values), values)

    def lines(text: str) -> list[str]:
        return [line.strip() for line in _fill(text, values).splitlines() if line.strip()]

    body = [p.strip() for p in re.split(r"\n\s*\n", _fill(template.body, values)) if p.strip()]
    is_letter = bool(template.recipient.strip() or template.subject.strip())
    header = []
    if is_letter:
        header = [
            ("Nomor", number),
            ("Sifat", "Biasa"),
            ("Lampiran", "1 (satu) berkas" if subject.table else "-"),
            ("Perihal", _fill(template.subject, values)),
        ]
    decree = subject.kind == Kind.KUBE_DECREE
    place_date = (
        [f"Ditetapkan di {values['place']}", f"pada tanggal {values['date']}"]
        if decree
        else [f"{values['place']}, {values['date']}"]
    )
    logo = None
    if template.logo:
        try:
            with template.logo.open("rb") as handle:
                logo = handle.read(2_000_000)
        except OSError:
            logo = None
    return documents.Layout(
        letterhead=lines(template.letterhead),
        number=number,
        title=[
            line.strip()
            for line in _title_fill(template.title, values).splitlines()
            if line.strip()
        ],
        header=header,
        recipient=lines(template.recipient),
        body=body,
        place_date=place_date,
        signatory_position=values["signatory_position"],
        signatory_name=template.signatory_name,
        signatory_nip=template.signatory_nip,
        counterpart=subject.counterpart,
        copies=lines(template.copies),
        table_title=subject.table_title,
        table=subject.table,
        logo=logo,
    )


def _fill(text: str, values: dict[str, str]) -> str:
    return kinds.PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _title_fill(text: str, values: dict[str, str]) -> str:
    """A title in capitals, as official titles are, except the letter's number, which is
    printed exactly as it is recorded."""
    parts = kinds.PLACEHOLDER.split(text)
    out = []
    for index, part in enumerate(parts):
        if index % 2 == 0:
            out.append(part.upper())
        elif part == "number":
            out.append(values["number"])
        else:
            out.append(values.get(part, "{" + part + "}").upper())
    return "".join(out)


def letter_issue(*, actor: Any, kind: str, object_id: int, office_code: str = "") -> Letter:
    """Issue a letter of ``kind`` about record ``object_id`` (a cycle, for the proposal
    letters, with the proposing office): numbered, written as PDF and DOCX, audited."""
    require_permission(actor, "letters.add_letter")
    if kind not in Kind.values:
        raise InvalidInput(_("Unknown kind of letter."), field="kind")
    written: list[Any] = []
    try:
        with transaction.atomic():
            return _issue(actor, kind, object_id, office_code, written)
    except BaseException:
        # The row went with the rollback; its files must not outlive it.
        for stored in written:
            stored.storage.delete(stored.name)
        raise


def _issue(actor: Any, kind: str, object_id: int, office_code: str, written: list[Any]) -> Letter:
    subject = content.BUILDERS[kind](actor, object_id, office_code)
    if not in_area(subject.office_code, user_area(actor)):
        raise Forbidden(_("This office is outside your area."))
    template = selectors.template_for(kind, subject.office_code)
    if not (template.signatory_name.strip() and template.signatory_nip.strip()):
        raise Conflict(
            _(
                "The letter template has no signatory yet: set the signatory's name and NIP "
                "under Letters → Templates, then issue the letter."
            )
        )
    now = timezone.now()
    day = timezone.localdate(now)
    seq = _next_seq(subject.office_code, kind, day.year)
    number = kinds.format_number(
        template.number_pattern,
        seq=seq,
        code=template.classification_code,
        kind=kinds.KINDS[kind].code,
        office=template.office_abbreviation,
        month=day.month,
        year=day.year,
    )
    made = layout(template, subject, number, day)
    letter = Letter.objects.create(
        kind=kind,
        office_code=subject.office_code,
        year=day.year,
        seq=seq,
        number=number[:160],
        object_id=subject.object_id,
        area_code=subject.area_code,
        kube=subject.kube,
        mentor=subject.mentor,
        about=subject.about[:300],
        signatory=f"{template.signatory_name}, NIP {template.signatory_nip}, "
        f"{made.signatory_position}"[:400],
        issued_at=now,
        issued_by=actor,
    )
    base = f"{day.year}/{subject.office_code or 'pusat'}/{kind}-{seq:05d}"
    letter.pdf.save(f"{base}.pdf", ContentFile(documents.pdf(made)), save=False)
    written.append(letter.pdf)
    letter.docx.save(f"{base}.docx", ContentFile(documents.docx(made)), save=False)
    written.append(letter.docx)
    letter.save(update_fields=["pdf", "docx"])
    AuditEvent.record(
        events.LETTER_ISSUED,
        actor=actor,
        obj=letter,
        area_code=letter.area_code,
        data={"kind": kind, "number": number, "object_id": subject.object_id},
    )
    return letter


@transaction.atomic
def letter_void(*, actor: Any, letter_id: int, reason: str) -> Letter:
    """Void an issued letter: the row, its files and its number stay, with the reason."""
    require_permission(actor, "letters.void_letter")
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise InvalidInput(_("Say why the letter is void (at least 5 characters)."), field="reason")
    if len(reason) > 300:
        raise InvalidInput(_("The reason is at most 300 characters."), field="reason")
    letter = access(
        Letter.objects, actor=actor, lock=True, permission="letters.void_letter", pk=letter_id
    )
    if letter.status == LetterStatus.VOID:
        raise Conflict(_("This letter is already void."))
    before = snapshot(letter, "status", "void_reason")
    letter.status = LetterStatus.VOID
    letter.void_reason = reason
    letter.voided_at = timezone.now()
    letter.voided_by = actor
    letter.save(update_fields=["status", "void_reason", "voided_at", "voided_by", "updated_at"])
    AuditEvent.record(
        events.LETTER_VOIDED,
        actor=actor,
        obj=letter,
        area_code=letter.area_code,
        reason=reason,
        data={"number": letter.number},
        before=before,
        after=snapshot(letter, "status", "void_reason"),
    )
    return letter
