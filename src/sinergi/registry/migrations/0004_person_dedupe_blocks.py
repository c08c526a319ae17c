"""The duplicate check's block indexes and the NIK-prefix key, filled in for stored persons."""

from typing import Any

from django.db import migrations, models

BATCH = 5000


def fill_prefix_keys(apps: Any, schema_editor: Any) -> None:
    """Decrypt each stored NIK once to key its prefix, in committed batches (resumable)."""
    from sinergi.core import crypto
    from sinergi.registry.dedupe import nik_prefix_key

    Person = apps.get_model("registry", "Person")
    last = 0
    while True:
        rows = list(
            Person.objects.filter(pk__gt=last, nik_prefix_key="")
            .order_by("pk")
            .values_list("pk", "nik_cipher")[:BATCH]
        )
        if not rows:
            return
        changed = [
            Person(pk=pk, nik_prefix_key=nik_prefix_key(crypto.decrypt(cipher, field="nik")))
            for pk, cipher in rows
        ]
        Person.objects.bulk_update(changed, ["nik_prefix_key"], batch_size=BATCH)
        last = rows[-1][0]


class Migration(migrations.Migration):
    atomic = False  # a national registry is filled batch by batch, each committed

    dependencies = [
        ("registry", "0003_import_lease_and_sealed_files"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalperson",
            name="nik_prefix_key",
            field=models.CharField(blank=True, editable=False, max_length=16),
        ),
        migrations.AddField(
            model_name="person",
            name="nik_prefix_key",
            field=models.CharField(blank=True, editable=False, max_length=16),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["birth_date", "area_code"], name="person_birth_area"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["nik_prefix_key"], name="person_nik_prefix"),
        ),
        migrations.RunPython(fill_prefix_keys, migrations.RunPython.noop, elidable=False),
    ]
