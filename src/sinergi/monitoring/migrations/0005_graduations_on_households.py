"""Graduations confirmed before households recorded them: written onto the household now."""

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    Graduation = apps.get_model("monitoring", "Graduation")
    Household = apps.get_model("registry", "Household")
    confirmed = Graduation.objects.filter(status="confirmed", decided_at__isnull=False)
    for item in confirmed.select_related("kube").iterator(chunk_size=2000):
        Household.objects.filter(pk=item.household_id, graduated_on__isnull=True).update(
            graduated_on=timezone.localtime(item.decided_at).date(),
            graduated_from=item.kube.name[:150],
            graduation_reason=item.reason[:300],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0004_group_report_return"),
        ("registry", "0006_household_graduation"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
