"""An import's core.Job: the batch's lease step keeps its column under the name ``step``, and
each batch (existing ones too) gets a Job mirroring its status, progress and error."""

import django.db.models.deletion
from django.db import migrations, models

JOB_STATUS = {
    "queued": "queued",
    "checking": "running",
    "checked": "succeeded",
    "committing": "running",
    "committed": "succeeded",
    "failed": "failed",
    "cancelled": "cancelled",
}


def forwards(apps, schema_editor):
    Job = apps.get_model("core", "Job")
    ImportBatch = apps.get_model("registry", "ImportBatch")
    for batch in ImportBatch.objects.filter(job__isnull=True).iterator():
        status = JOB_STATUS.get(batch.status, "failed")
        job = Job.objects.create(
            kind="registry.import",
            status=status,
            progress_done=batch.progress_done,
            progress_total=batch.progress_total,
            error=batch.file_error if status == "failed" else "",
            created_by_id=batch.uploaded_by_id,
            area_code=batch.area_code,
            started_at=batch.created_at if status != "queued" else None,
            finished_at=batch.updated_at if status not in ("queued", "running") else None,
        )
        Job.objects.filter(pk=job.pk).update(created_at=batch.created_at)
        ImportBatch.objects.filter(pk=batch.pk).update(job=job)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_import_chunks"),
        ("core", "0003_jobs"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField("importbatch", "job", "step"),
                migrations.AlterField(
                    model_name="importbatch",
                    name="step",
                    field=models.CharField(
                        blank=True, db_column="job", editable=False, max_length=8
                    ),
                ),
            ]
        ),
        migrations.AddField(
            model_name="importbatch",
            name="job",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="import_batch",
                to="core.job",
                verbose_name="job",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
