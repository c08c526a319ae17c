from django.db import migrations


def seed(apps, schema_editor):
    Organisation = apps.get_model("mentoring", "Organisation")
    Unit = apps.get_model("mentoring", "Unit")
    iwapi, _ = Organisation.objects.get_or_create(
        name="Ikatan Wanita Pengusaha Indonesia",
        defaults={
            "acronym": "IWAPI",
            "description": "Association of women entrepreneurs; founded 1975 as IPWI. Units: "
            "DPP (national), DPD (province), DPC (regency), ranting (district).",
        },
    )
    Unit.objects.get_or_create(
        organisation=iwapi, level="dpp", area_code="", defaults={"name": "DPP IWAPI"}
    )


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
