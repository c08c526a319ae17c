"""Keyed hashes are looked up whole, never by prefix: PostgreSQL's extra pattern index beside
each hash's unique index (and the historical tables' plain one) is dropped, one index fewer to
keep up for every person and household an import writes."""

from django.db import migrations

from sinergi.core.migration_ops import no_prefix_index


class Migration(migrations.Migration):
    dependencies = [("registry", "0009_import_profiles")]

    operations = [
        no_prefix_index(
            ("registry_person", "nik_hash"),
            ("registry_household", "kk_hash"),
            ("registry_historicalperson", "nik_hash"),
            ("registry_historicalhousehold", "kk_hash"),
        )
    ]
