from datetime import date

from django.db import migrations

DEFAULTS = [
    ("identity", "public_task", "UU 27/2022 Pasal 20 ayat (2) huruf e; Permensos 2/2019"),
    ("demographic", "public_task", "UU 27/2022 Pasal 20 ayat (2) huruf e; Permensos 2/2019"),
    ("contact", "public_task", "UU 27/2022 Pasal 20 ayat (2) huruf e"),
    ("welfare", "public_task", "UU 27/2022 Pasal 20 ayat (2) huruf e; Inpres 4/2025 (DTSEN)"),
]


def seed(apps, schema_editor):
    LegalBasis = apps.get_model("registry", "LegalBasis")
    for category, basis, reference in DEFAULTS:
        LegalBasis.objects.get_or_create(
            category=category, valid_from=date(2024, 10, 17),
            defaults={"basis": basis, "reference": reference},
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
