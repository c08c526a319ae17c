"""People's words for the engines' stable problem codes (import report, forms, API)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PROBLEMS = {
    "required": _("This value is required."),
    "too_long": _("This value is too long."),
    "not_digits": _("Use digits only (spaces, dots and dashes between them are fine)."),
    "bad_length": _("Must have 16 digits."),
    "unknown_province": _("The first two digits are not a province code."),
    "unknown_regency": _(
        "The regency code is not in the current list (allowed: old codes stay valid)."
    ),
    "unknown_district": _(
        "The district code is not in the current list (allowed: old codes stay valid)."
    ),
    "bad_day": _("Digits 7-8 are not a day (01-31, or 41-71 for women)."),
    "bad_month": _("Digits 9-10 are not a month (01-12)."),
    "bad_date": _("Not a real date. Use YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY."),
    "future_date": _("The date in the number lies in the future."),
    "zero_serial": _("The last four digits cannot be 0000."),
    "bad_name": _("Not a name: it must contain letters and be at most 150 characters."),
    "bad_sex": _("Use L (male) or P (female)."),
    "date_out_of_range": _("The date must be between 1900 and today."),
    "bad_relation": _("Use one of: kepala, istri, suami, anak, orang_tua, lainnya."),
    "bad_flag": _("Use 1 (head of family or main earner) or 0."),
    "bad_code": _("Not a village code: use 10 digits, with or without dots."),
    "not_village": _("This is not a village code: a village code has 10 digits."),
    "unknown_village": _("No village has this code in the official list."),
    "bad_desil": _("The decile must be a whole number from 1 to 10, or empty."),
    "desil_date_required": _("Give the snapshot date of the decile."),
    "bad_phone": _("Not an Indonesian phone number (e.g. 081234567890 or +6281234567890)."),
    "cell_count": _("The row does not have 14 columns."),
    "outside_area": _("This village is outside your area."),
    "nik_exists": _("A person with this NIK is already registered."),
    "nik_repeated": _("This NIK appears on an earlier row of this file."),
    "kk_exists": _("A household with this KK number is already registered."),
    "nik_date_mismatch": _(
        "The birth date differs from the date inside the NIK (kept; please check)."
    ),
    "nik_sex_mismatch": _("The sex differs from the one inside the NIK (kept; please check)."),
    "empty": _("The file is empty."),
    "unreadable": _("The file cannot be read as CSV or XLSX."),
    "old_excel": _("Old .xls files are not supported: save the sheet as .xlsx or .csv."),
    "bad_header": _("The header row does not match the import format."),
    "bad_mapping": _(
        "The file's columns no longer match the layout chosen for it: upload it again and map "
        "its columns."
    ),
    "nul_byte": _(
        "This cell contains a NUL character, which cannot be stored: "
        "retype the value or save the sheet again as CSV UTF-8."
    ),
    "formula": _(
        "This cell starts with =, + or @ like a spreadsheet formula: "
        "type the value itself, not a formula."
    ),
    "quote_unclosed": _(
        "A quotation mark opened on this row is never closed, so the row cannot be split into "
        "columns (the rows below it were read on their own): close the quote or remove it."
    ),
    "line_too_long": _("This row is longer than 1 MB, far more than any registry row: check it."),
    "zip_bomb": _(
        "This XLSX file would unpack to far more data than any spreadsheet holds, "
        "so it is refused: save the sheet again in Excel, or as CSV."
    ),
    "file_gone": _(
        "The uploaded file is no longer kept (files are deleted after a while): upload it again."
    ),
    "worker_lost": _(
        "The background worker stopped several times while working on this file: "
        "resume it once more or ask the administrator."
    ),
    "not_resumable": _("Only an import whose work stopped can be resumed."),
    "not_cancellable": _("This import is finished and can no longer be cancelled."),
    "not_checked": _("Only a checked file can be saved."),
    "regions_missing": _("The region list is not loaded yet; ask the administrator to run:"),
    "has_errors": _(
        "All or nothing was chosen and some rows have problems: fix the file and upload it again."
    ),
}


# Why the duplicate check put a pair in the review queue (engines.dedupe ``Pair.reason``).
DUPLICATE_REASONS = {
    "same_nik": _("Same NIK on two records"),
    "nik_typo": _("NIKs differ by one digit or two swapped digits, with the same name and birth"),
    "same_name_date_village": _("Same name, birth date and village"),
    "candidate": _("Similar name, with the same birth date or a near NIK"),
}

# What each stretch of a NIK means (digit positions counted from 1), to say where two differ.
NIK_PARTS = (
    (1, 6, _("region (province, regency, district)")),
    (7, 8, _("birth day (plus 40 for women)")),
    (9, 10, _("birth month")),
    (11, 12, _("birth year")),
    (13, 16, _("serial number")),
)


def problem_text(code: str) -> str:
    # An unknown code (from a newer engine than these words) still reads as a sentence.
    known = PROBLEMS.get(code)
    return str(known) if known is not None else str(_("This value has a problem."))


def reason_text(code: str) -> str:
    known = DUPLICATE_REASONS.get(code)
    return str(known) if known is not None else str(_("Possibly the same person"))


def nik_part(position: int) -> str:
    """The meaning of the NIK digit at ``position`` (1 to 16)."""
    return next((str(label) for lo, hi, label in NIK_PARTS if lo <= position <= hi), "")
