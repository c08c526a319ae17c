"""Default retention periods, valid from the end of UU PDP's transition (17 Oct 2024).

Sensible starting points for a data protection officer to confirm or change in the admin (a new
row with a later valid-from date): the legal references are what the periods rest on.
"""

import datetime

from django.db import migrations

DEFAULTS = [
    ("export_files", 30, "delete", "UU PDP Art. 43: kept no longer than the purpose needs"),
    ("import_files", 180, "delete", "UU PDP Art. 43: the import's problem report, then deleted"),
    ("access_log", 730, "delete", "UU PDP Art. 31: proof of who accessed personal data"),
    (
        "former_households",
        1825,
        "anonymise",
        "UU PDP Art. 43-44: purpose met five years after graduation",
    ),
    ("closed_requests", 1825, "delete", "UU PDP Art. 31: proof that requests were answered"),
    (
        "aid_records",
        3650,
        "hold",
        "State finance records: ten years (UU 17/2003, archive retention schedule; to confirm)",
    ),
]


def seed(apps, schema_editor):
    RetentionRule = apps.get_model("pdp", "RetentionRule")
    start = datetime.date(2024, 10, 17)
    for category, days, action, reference in DEFAULTS:
        RetentionRule.objects.get_or_create(
            category=category,
            valid_from=start,
            defaults={"days": days, "action": action, "reference": reference},
        )


class Migration(migrations.Migration):
    dependencies = [("pdp", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
