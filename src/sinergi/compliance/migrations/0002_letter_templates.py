"""The default notification letters (UU PDP Art. 46), in Bahasa Indonesia and English; the
national admin edits them in the admin (letter templates)."""

from django.db import migrations

AUTHORITY_ID = """Kepada Yth.
{authority}

Dengan hormat,

Sesuai Pasal 46 Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi, {controller} selaku Pengendali Data Pribadi memberitahukan secara tertulis terjadinya kegagalan pelindungan data pribadi sebagai berikut.

Nomor insiden: {reference}
Perihal: {title}
Wilayah: {area}
Waktu kejadian: {occurred_at}
Waktu diketahui: {discovered_at}
Data pribadi yang terungkap: {categories}
Perkiraan jumlah subjek data terdampak: {affected_count}

Uraian kejadian (kapan dan bagaimana data terungkap):
{description}

Upaya penanganan dan pemulihan yang telah dilakukan:
{measures}

Untuk keterangan lebih lanjut dapat menghubungi {contact}.

Jakarta, {today}
Hormat kami,
{controller}
"""

AUTHORITY_EN = """To:
{authority}

Under Article 46 of Law No. 27 of 2022 on Personal Data Protection, {controller}, as personal data controller, gives written notice of a failure of personal data protection.

Incident number: {reference}
Subject: {title}
Region: {area}
When it happened: {occurred_at}
When it was discovered: {discovered_at}
Personal data exposed: {categories}
Estimated number of data subjects affected: {affected_count}

What happened (when and how the data were exposed):
{description}

Measures taken to contain it and recover:
{measures}

For further information please contact {contact}.

Jakarta, {today}
Yours faithfully,
{controller}
"""

SUBJECTS_ID = """Kepada Yth.
Bapak/Ibu penerima manfaat program di {area}

Dengan hormat,

Sesuai Pasal 46 Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi, kami memberitahukan bahwa telah terjadi kegagalan pelindungan data pribadi yang mungkin menyangkut data Bapak/Ibu.

Data yang terungkap: {categories}
Waktu kejadian: {occurred_at}
Waktu diketahui: {discovered_at}

Apa yang terjadi:
{description}

Apa yang telah kami lakukan:
{measures}

Bapak/Ibu berhak memperoleh informasi lebih lanjut, meminta akses, perbaikan, atau penghapusan data pribadi Bapak/Ibu. Silakan menghubungi {contact} dengan menyebutkan nomor insiden {reference}.

{today}
{controller}
"""

SUBJECTS_EN = """To the programme beneficiaries in {area}

Under Article 46 of Law No. 27 of 2022 on Personal Data Protection, we inform you that a failure of personal data protection has occurred that may concern your data.

Data exposed: {categories}
When it happened: {occurred_at}
When it was discovered: {discovered_at}

What happened:
{description}

What we have done:
{measures}

You may ask for more information, and for access to, correction or erasure of your personal data. Please contact {contact}, quoting incident number {reference}.

{today}
{controller}
"""

DEFAULTS = [
    ("authority", "id", "Pemberitahuan kegagalan pelindungan data pribadi {reference}", AUTHORITY_ID),
    ("authority", "en", "Notice of a personal data protection failure {reference}", AUTHORITY_EN),
    ("subjects", "id", "Pemberitahuan tentang data pribadi Anda ({reference})", SUBJECTS_ID),
    ("subjects", "en", "Notice about your personal data ({reference})", SUBJECTS_EN),
]


def seed(apps, schema_editor):
    LetterTemplate = apps.get_model("compliance", "LetterTemplate")
    for recipient, language, subject, body in DEFAULTS:
        LetterTemplate.objects.get_or_create(
            recipient=recipient, language=language, defaults={"subject": subject, "body": body}
        )


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
