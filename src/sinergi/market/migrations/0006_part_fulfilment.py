"""Order parts carry their own fulfilment status: each group moves its own part.

Until now the order's status said how far production, shipping, delivery and payment had gone
for every group at once. Each accepted part now takes the step its order had reached, and the
accepted parts of a cancelled order are cancelled with it; the order's own status stays as it
was (it is derived from the parts from now on and agrees with them).
"""

from django.db import migrations, models

FULFILMENT = ("in_production", "shipped", "delivered", "paid", "cancelled")
CHOICES = [
    ("proposed", "Waiting for the group"),
    ("accepted", "Accepted"),
    ("declined", "Declined"),
    ("withdrawn", "Withdrawn"),
    ("in_production", "In production"),
    ("shipped", "Shipped"),
    ("delivered", "Delivered"),
    ("paid", "Paid"),
    ("cancelled", "Cancelled"),
]


def forward(apps, schema_editor):
    OrderPart = apps.get_model("market", "OrderPart")
    for status in FULFILMENT:
        OrderPart.objects.filter(order__status=status, status="accepted").update(status=status)


def backward(apps, schema_editor):
    OrderPart = apps.get_model("market", "OrderPart")
    OrderPart.objects.filter(status__in=FULFILMENT).update(status="accepted")


class Migration(migrations.Migration):
    dependencies = [("market", "0005_sale_day_order")]

    operations = [
        migrations.AlterField(
            model_name="orderpart",
            name="status",
            field=models.CharField(
                choices=CHOICES, default="proposed", max_length=14, verbose_name="status"
            ),
        ),
        migrations.AlterField(
            model_name="historicalorderpart",
            name="status",
            field=models.CharField(
                choices=CHOICES, default="proposed", max_length=14, verbose_name="status"
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
