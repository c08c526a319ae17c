from django.db import migrations

from sinergi.core.migration_ops import codes_sort_bytewise


class Migration(migrations.Migration):
    """Scoping to an area as one index range (core.scoping.area_q, by_range) for the three
    national-size lists. The registry's two tables are done here, not in a registry migration,
    so this step does not race the registry's own migration chain; it changes no model state."""

    dependencies = [
        ("kube", "0004_historicalkube_klass_kube_klass"),
        ("registry", "0002_legal_basis_defaults"),
    ]

    operations = [
        codes_sort_bytewise("registry_household"),
        codes_sort_bytewise("registry_person"),
        codes_sort_bytewise("kube_kube"),
    ]
