"""Exports and figure refreshes become core.Job rows (kinds monitoring.export / .summary).

Existing rows are carried over: an export's file stays where it is (``exports/<name>`` in the
default storage, which is where the old code wrote it under MEDIA_ROOT), a refresh keeps its
times, seconds and KPI progress. The "refresh figures" permission moves to RegencyFigures, so
the roles holding it keep it.
"""

from django.db import migrations

EXPORT_STATUS = {"queued": "queued", "running": "running", "done": "succeeded", "failed": "failed"}
REFRESH_STATUS = {"running": "running", "done": "succeeded", "failed": "failed"}


def forwards(apps, schema_editor):
    Job = apps.get_model("core", "Job")
    ExportJob = apps.get_model("monitoring", "ExportJob")
    SummaryRun = apps.get_model("monitoring", "SummaryRun")
    for old in ExportJob.objects.all().iterator():
        job = Job.objects.create(
            kind="monitoring.export",
            status=EXPORT_STATUS.get(old.status, "failed"),
            progress_done=old.rows_done,
            progress_total=old.rows_total,
            error=old.error,
            result_file=f"exports/{old.file_path}" if old.file_path else "",
            result_name=(f"{old.kind}-{old.area_code or 'ID'}.{old.fmt}" if old.file_path else ""),
            params={
                "export": old.kind,
                "fmt": old.fmt,
                "language": old.language,
                "personal": old.personal_data,
            },
            result={"rows": old.rows_done},
            created_by_id=old.requested_by_id,
            area_code=old.area_code,
            started_at=old.created_at,
            finished_at=old.updated_at if old.status in ("done", "failed") else None,
        )
        # auto_now_add set it to now; the age decides when the nightly run deletes it.
        Job.objects.filter(pk=job.pk).update(created_at=old.created_at)
    for old in SummaryRun.objects.all().iterator():
        job = Job.objects.create(
            kind="monitoring.summary",
            status=REFRESH_STATUS.get(old.status, "failed"),
            error=old.error,
            result={"kpis": old.kpis, "seconds": old.seconds},
            started_at=old.started_at,
            finished_at=old.finished_at,
        )
        Job.objects.filter(pk=job.pk).update(created_at=old.started_at)
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    figures, _ = ContentType.objects.get_or_create(app_label="monitoring", model="regencyfigures")
    Permission.objects.filter(
        content_type__app_label="monitoring",
        content_type__model="summaryrun",
        codename="refresh_summary",
    ).update(content_type=figures)


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0002_defaults"),
        ("core", "0003_jobs"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.DeleteModel(name="ExportJob"),
        migrations.DeleteModel(name="SummaryRun"),
        migrations.AlterModelOptions(
            name="regencyfigures",
            options={
                "permissions": [("refresh_summary", "Can refresh the dashboard figures")],
                "verbose_name": "regency figures",
                "verbose_name_plural": "regency figures",
            },
        ),
    ]
