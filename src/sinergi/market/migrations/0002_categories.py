from django.db import migrations

CATEGORIES = [
    ("makanan_ringan", "Makanan ringan (kripik, kerupuk)", "kg"),
    ("kue", "Kue dan roti", "kotak"),
    ("sambal_bumbu", "Sambal dan bumbu", "botol"),
    ("minuman", "Minuman (kopi, teh, jamu)", "kg"),
    ("olahan_ikan", "Olahan ikan", "kg"),
    ("madu_gula", "Madu dan gula aren", "kg"),
    ("batik_tenun", "Batik dan tenun", "lembar"),
    ("busana", "Busana dan jahitan", "pcs"),
    ("anyaman", "Anyaman dan kerajinan", "pcs"),
    ("hasil_tani", "Hasil tani segar", "kg"),
    ("ternak", "Ternak dan telur", "ekor"),
    ("jasa", "Jasa (katering, cuci, servis)", "paket"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("market", "Category")
    for code, name, unit in CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name": name, "unit": unit})


class Migration(migrations.Migration):
    dependencies = [("market", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
