"""Ship the poverty lines DOMAIN.md gives and a provisional class rubric and graduation rule.

The BPS lines are those stated by the BPS head (Antara): national March and September 2025, and
the province examples quoted. The rubric is marked provisional: no official KUBE class criteria
were found; an admin replaces it by adding a rubric with a later valid-from date.
"""

from datetime import date

from django.db import migrations
from django.utils import timezone

SOURCE = "BPS, statement of the BPS head (Antara)"
LINES = [
    ("", 2025, 1, "total", 609_160),
    ("", 2025, 1, "urban", 629_561),
    ("", 2025, 1, "rural", 580_349),
    ("", 2025, 2, "total", 641_443),
    ("31", 2025, 1, "total", 852_768),
    ("33", 2024, 1, "total", 507_001),
    ("35", 2024, 1, "total", 536_122),
]

# metric, weight, [[threshold, points], ...]
INDICATORS = [
    ("turnover", 20, [[0, 0], [1_000_000, 30], [3_000_000, 60], [6_000_000, 100]]),
    ("reporting", 15, [[0, 0], [50, 50], [80, 100]]),
    ("margin", 15, [[0, 0], [5, 40], [15, 70], [25, 100]]),
    ("savings", 10, [[0, 0], [100_000, 40], [300_000, 70], [600_000, 100]]),
    ("iks", 10, [[0, 0], [50, 50], [80, 100]]),
    ("sessions", 10, [[0, 0], [2, 50], [4, 100]]),
    ("sales", 10, [[0, 0], [1_000_000, 50], [5_000_000, 100]]),
    ("above_line", 10, [[0, 0], [25, 40], [50, 70], [75, 100]]),
]


def seed(apps, schema_editor):
    PovertyLine = apps.get_model("monitoring", "PovertyLine")
    History = apps.get_model("monitoring", "HistoricalPovertyLine")
    for province, year, semester, area, amount in LINES:
        line, created = PovertyLine.objects.get_or_create(
            province_code=province,
            year=year,
            semester=semester,
            area_type=area,
            defaults={"amount": amount, "source": SOURCE},
        )
        if created:
            # The shipped value starts the history, so a later load shows what it replaced.
            History.objects.create(
                id=line.pk,
                province_code=province,
                year=year,
                semester=semester,
                area_type=area,
                amount=amount,
                source=SOURCE,
                history_date=timezone.now(),
                history_type="+",
            )
    Rubric = apps.get_model("monitoring", "Rubric")
    Indicator = apps.get_model("monitoring", "RubricIndicator")
    rubric, created = Rubric.objects.get_or_create(
        valid_from=date(2020, 1, 1),
        defaults={
            "name": "Rubrik sementara Sinergi",
            "provisional": True,
            "note": "Provisional defaults (DOMAIN.md: no official criteria found)",
            "window_months": 6,
            "berkembang_from": 45,
            "maju_from": 70,
        },
    )
    if created:
        for metric, weight, bands in INDICATORS:
            Indicator.objects.create(rubric=rubric, metric=metric, weight=weight, bands=bands)
    GraduationRule = apps.get_model("monitoring", "GraduationRule")
    GraduationRule.objects.get_or_create(
        valid_from=date(2020, 1, 1), defaults={"consecutive_months": 6, "margin_basis_points": 0}
    )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
