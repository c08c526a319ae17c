"""The national letter templates, one per kind, in Bahasa Indonesia (sinergi.letters.kinds).

Each office starts from these and saves its own copy (letterhead, signatory, numbering) on the
templates page; the signatory is left empty, so no letter goes out unsigned by mistake.
"""

from django.db import migrations


def create(apps, schema_editor):
    from sinergi.letters.kinds import DEFAULTS, default_fields

    LetterTemplate = apps.get_model("letters", "LetterTemplate")
    for kind in DEFAULTS:
        LetterTemplate.objects.get_or_create(
            kind=kind, office_code="", defaults=default_fields(kind)
        )


class Migration(migrations.Migration):
    dependencies = [("letters", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
