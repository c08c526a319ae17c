from datetime import date

from django.db import migrations

TYPES = [
    ("makanan_minuman", "Makanan dan minuman"),
    ("kerajinan", "Kerajinan"),
    ("jasa", "Jasa"),
    ("pertanian", "Pertanian"),
    ("peternakan", "Peternakan"),
]


def seed(apps, schema_editor):
    BusinessType = apps.get_model("kube", "BusinessType")
    for code, name in TYPES:
        BusinessType.objects.get_or_create(code=code, defaults={"name": name})
    FormationPolicy = apps.get_model("kube", "FormationPolicy")
    FormationPolicy.objects.get_or_create(
        valid_from=date(2019, 3, 6),
        defaults={"note": "Permensos 2/2019 (size, heads of family) and local practice (age, "
                          "decile); replace with the official Juknis values"},
    )


class Migration(migrations.Migration):
    dependencies = [("kube", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
