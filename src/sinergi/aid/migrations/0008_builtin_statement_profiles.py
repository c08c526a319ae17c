"""The bank statement layouts Sinergi ships (engines/statements.py ``BUILTIN``), as rows an admin
can correct. Written out here so the migration does not change when the code's defaults do."""

from typing import Any

from django.db import migrations

NOTE = (
    "Modelled on public descriptions of the bank's export, not on a real file: check it "
    "against a statement from your bank and correct it here where it differs."
)
PROFILES: list[dict[str, Any]] = [
    {
        "name": "sinergi",
        "label": "Sinergi (reference,account,amount,date)",
        "kind": "csv",
        "delimiter": ",",
        "reference_column": "reference",
        "account_column": "account",
        "amount_column": "amount",
        "date_column": "date",
        "date_style": "dmy",
        "amount_style": "id",
        "direction": "any",
    },
    {
        "name": "bri",
        "label": "BRI — internet banking CSV",
        "kind": "csv",
        "delimiter": ";",
        "skip_rows": 4,
        "debit_column": "Debet",
        "credit_column": "Kredit",
        "date_column": "Tanggal Transaksi",
        "description_column": "Uraian Transaksi",
        "reference_pattern": "\\b(?:REF|NOREF|BERITA)[:\\s]*([A-Z0-9][A-Z0-9/-]{3,40})",
        "account_pattern": "\\b(?:KE|REK)[:\\s]*(\\d[\\d\\s.-]{6,24}\\d)",
        "date_style": "dmy",
        "amount_style": "id",
        "direction": "debit",
    },
    {
        "name": "mandiri",
        "label": "Bank Mandiri — Mandiri Internet Business CSV",
        "kind": "csv",
        "delimiter": ",",
        "reference_column": "Reference No.",
        "debit_column": "Debit",
        "credit_column": "Credit",
        "date_column": "Date",
        "description_column": "Description",
        "account_pattern": "\\b(?:KE|TO)\\s*(\\d[\\d\\s.-]{6,24}\\d)",
        "date_style": "dmy",
        "amount_style": "en",
        "direction": "debit",
    },
    {
        "name": "bni",
        "label": "BNI — BNI Direct CSV",
        "kind": "csv",
        "delimiter": ",",
        "skip_rows": 1,
        "reference_column": "Journal No.",
        "amount_column": "Amount",
        "date_column": "Post Date",
        "description_column": "Description",
        "account_pattern": "\\b(?:TO|KE)\\s*(\\d[\\d\\s.-]{6,24}\\d)",
        "date_style": "dmy",
        "amount_style": "id",
        "direction": "debit",
    },
    {
        "name": "bca",
        "label": "BCA — KlikBCA Bisnis CSV",
        "kind": "csv",
        "delimiter": ",",
        "skip_rows": 5,
        "amount_column": "Jumlah",
        "date_column": "Tanggal Transaksi",
        "description_column": "Keterangan",
        "reference_pattern": "\\b(?:REF|BERITA)[:\\s]*([A-Z0-9][A-Z0-9/-]{3,40})",
        "account_pattern": "\\bKE\\s*(\\d[\\d\\s.-]{6,24}\\d)",
        "date_style": "dmy",
        "amount_style": "en",
        "direction": "debit",
    },
    {
        "name": "mt940",
        "label": "MT940 (SWIFT)",
        "kind": "mt940",
        "delimiter": ",",
        "account_pattern": "\\b(?:KE|TO|REK)[:\\s]*(\\d[\\d\\s.-]{6,24}\\d)",
        "date_style": "dmy",
        "amount_style": "id",
        "direction": "debit",
    },
]


def add(apps: Any, schema_editor: Any) -> None:
    profile = apps.get_model("aid", "StatementProfile")
    for row in PROFILES:
        notes = "" if row["name"] == "sinergi" else NOTE
        profile.objects.update_or_create(
            name=row["name"], defaults={**row, "builtin": True, "notes": notes}
        )


def remove(apps: Any, schema_editor: Any) -> None:
    apps.get_model("aid", "StatementProfile").objects.filter(builtin=True).delete()


class Migration(migrations.Migration):
    dependencies = [("aid", "0007_statement_profiles")]
    operations = [migrations.RunPython(add, remove)]
