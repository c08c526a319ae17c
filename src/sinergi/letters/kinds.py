"""What each kind of letter is: who signs it, what its text may name, its default wording.

Letters are written in Bahasa Indonesia whatever the reader's language (they are official
documents); the page around them follows the reader's language. The defaults below are the
national templates a fresh installation starts from (migration 0002); an office edits its own
copy.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sinergi.letters.models import Kind

PLACEHOLDER = re.compile(r"\{([^{}\s]*)\}")

REGENCY, PROVINCE = "regency", "province"


@dataclass(frozen=True)
class KindSpec:
    """``office_level``: the office that signs (the record's regency or province);
    ``code``: the kind's short name in the numbering scheme ({kind})."""

    office_level: str
    code: str
    placeholders: dict[str, Promise]


_COMMON: dict[str, Promise] = {
    "number": _("the letter's number"),
    "date": _("date of the letter (5 Januari 2026)"),
    "weekday": _("day of the week of the letter (Senin)"),
    "year": _("year of the letter"),
    "place": _("place of signing"),
    "office_region": _("the office's region (Kota Bandung)"),
    "office_region_upper": _("the office's region in capitals (KOTA BANDUNG)"),
    "province": _("the province of the office"),
    "signatory_name": _("signatory's name"),
    "signatory_nip": _("signatory's NIP"),
    "signatory_position": _("signatory's position"),
}
_GROUP: dict[str, Promise] = {
    "kube_name": _("name of the KUBE"),
    "business_type": _("business type of the KUBE"),
    "village": _("village of the KUBE"),
    "district": _("district of the KUBE"),
    "regency": _("regency of the KUBE"),
    "member_count": _("number of members"),
    "chair_name": _("name of the chair (ketua)"),
}
_PROPOSAL: dict[str, Promise] = {
    "programme": _("name of the aid programme"),
    "programme_year": _("year of the aid programme"),
    "cycle": _("cycle (tahap) number"),
    "group_count": _("number of groups proposed"),
    "total_amount": _("total amount (1.234.000)"),
    "total_amount_words": _("total amount in words"),
}

KINDS: dict[str, KindSpec] = {
    Kind.KUBE_DECREE: KindSpec(
        REGENCY, "KUBE", {**_GROUP, "formed_on": _("date the KUBE became active")}
    ),
    Kind.PROPOSAL_PROVINCE: KindSpec(REGENCY, "USUL", _PROPOSAL),
    Kind.PROPOSAL_CENTRE: KindSpec(PROVINCE, "USUL", _PROPOSAL),
    Kind.HANDOVER: KindSpec(
        REGENCY,
        "BAST",
        {
            **_GROUP,
            "programme": _("name of the aid programme"),
            "cycle": _("cycle (tahap) number"),
            "amount": _("amount transferred (1.234.000)"),
            "amount_words": _("amount transferred in words"),
            "transfer_date": _("date of the transfer"),
            "bank_reference": _("bank reference of the transfer"),
            "account": _("account number the aid went to"),
        },
    ),
    Kind.MENTORING: KindSpec(
        REGENCY,
        "ST",
        {
            **_GROUP,
            "mentor_name": _("name of the mentor"),
            "partner_unit": _("the mentor's partner unit"),
            "partner_organisation": _("the mentor's partner organisation"),
            "start_date": _("first day of the assignment"),
        },
    ),
    Kind.GRADUATION: KindSpec(
        REGENCY,
        "SERT",
        {
            "member_name": _("name of the graduating member"),
            "kube_name": _("name of the KUBE"),
            "village": _("village of the household"),
            "district": _("district of the household"),
            "regency": _("regency of the household"),
            "months": _("months in a row above the poverty line"),
            "graduation_date": _("date the graduation was confirmed"),
        },
    ),
}

# The numbering scheme's own names (Python format fields; ``{seq:03d}`` pads to three digits).
NUMBER_FIELDS: dict[str, Promise] = {
    "seq": _("the sequence number, restarting at 1 each year ({seq:03d} gives 001)"),
    "code": _("the classification code set in the template"),
    "kind": _("the kind's short name (KUBE, USUL, BAST, ST, SERT)"),
    "office": _("the office abbreviation set in the template"),
    "month_roman": _("month in Roman numerals (I-XII)"),
    "month": _("month as a number (1-12)"),
    "year": _("year (2026)"),
}
DEFAULT_PATTERN = "{seq:03d}/{code}/{kind}/{office}/{month_roman}/{year}"


def placeholders(kind: str) -> dict[str, Promise]:
    """Every placeholder a template of ``kind`` may use, with what it stands for."""
    return {**_COMMON, **KINDS[kind].placeholders}


def unknown_placeholders(kind: str, text: str) -> list[str]:
    known = placeholders(kind)
    return sorted({name for name in PLACEHOLDER.findall(text) if name not in known})


def unknown_message(kind: str, unknown: list[str]) -> str:
    return gettext("Unknown placeholder: %(names)s. Allowed placeholders: %(known)s.") % {
        "names": ", ".join("{" + n + "}" for n in unknown),
        "known": ", ".join("{" + n + "}" for n in placeholders(kind)),
    }


def pattern_problem(pattern: str) -> str:
    """Why a numbering scheme cannot be used ("" if it can): every field known, the sequence
    and the year present (else two letters could get one number), and it formats."""
    try:
        fields = [f for _t, f, _s, _c in string.Formatter().parse(pattern) if f is not None]
    except ValueError:
        return gettext("The numbering scheme has an unmatched brace.")
    unknown = sorted({f for f in fields if f not in NUMBER_FIELDS})
    if unknown:
        return gettext("Unknown placeholder: %(names)s. Allowed placeholders: %(known)s.") % {
            "names": ", ".join("{" + n + "}" for n in unknown),
            "known": ", ".join("{" + n + "}" for n in NUMBER_FIELDS),
        }
    if "seq" not in fields or "year" not in fields:
        return gettext(
            "The numbering scheme must hold {seq} and {year}, or two letters could get the "
            "same number."
        )
    try:
        format_number(pattern, seq=1, code="", kind="", office="", month=1, year=2026)
    except (ValueError, TypeError, IndexError, KeyError):
        return gettext("The numbering scheme cannot be filled in; check the format after ':'.")
    return ""


ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def format_number(
    pattern: str, *, seq: int, code: str, kind: str, office: str, month: int, year: int
) -> str:
    # Empty parts leave no doubled slashes ("001//KUBE" reads as a typing error).
    number = pattern.format(
        seq=seq,
        code=code,
        kind=kind,
        office=office,
        month_roman=ROMAN[month - 1],
        month=month,
        year=year,
    )
    return re.sub(r"/{2,}", "/", number).strip("/")


# --- Default templates (Bahasa Indonesia) -----------------------------------------------------

LETTERHEAD = "PEMERINTAH {office_region_upper}\nDINAS SOSIAL"
_SIGNATORY = "Kepala Dinas Sosial {office_region}"

DEFAULTS: dict[str, dict[str, str]] = {
    Kind.KUBE_DECREE: {
        "title": (
            "Keputusan Kepala Dinas Sosial {office_region}\nNomor {number}\nTentang\n"
            "Pembentukan Kelompok Usaha Bersama (KUBE) {kube_name}\nDesa/Kelurahan {village}"
        ),
        "body": (
            "KEPALA DINAS SOSIAL {office_region_upper},\n\n"
            "Menimbang :\n"
            "a. bahwa dalam rangka penanganan fakir miskin melalui pemberdayaan sosial perlu "
            "dibentuk Kelompok Usaha Bersama (KUBE) sebagai wadah usaha ekonomi produktif "
            "keluarga miskin;\n"
            "b. bahwa keluarga yang namanya tercantum dalam Lampiran Keputusan ini telah memenuhi "
            "kriteria dan bersepakat membentuk KUBE {kube_name} dengan jenis usaha "
            "{business_type};\n"
            "c. bahwa berdasarkan pertimbangan sebagaimana dimaksud dalam huruf a dan huruf b, "
            "perlu menetapkan Keputusan Kepala Dinas Sosial tentang Pembentukan KUBE "
            "{kube_name};\n\n"
            "Mengingat :\n"
            "1. Undang-Undang Nomor 11 Tahun 2009 tentang Kesejahteraan Sosial;\n"
            "2. Undang-Undang Nomor 13 Tahun 2011 tentang Penanganan Fakir Miskin;\n\n"
            "MEMUTUSKAN :\n\n"
            "Menetapkan : KEPUTUSAN KEPALA DINAS SOSIAL TENTANG PEMBENTUKAN KELOMPOK USAHA "
            "BERSAMA (KUBE) {kube_name}.\n\n"
            "KESATU : Membentuk Kelompok Usaha Bersama (KUBE) {kube_name} dengan jenis usaha "
            "{business_type}, berkedudukan di Desa/Kelurahan {village}, Kecamatan {district}, "
            "{regency}, beranggotakan {member_count} orang dengan susunan pengurus dan anggota "
            "sebagaimana tercantum dalam Lampiran yang merupakan bagian tidak terpisahkan dari "
            "Keputusan ini.\n\n"
            "KEDUA : KUBE {kube_name} bertugas menjalankan usaha ekonomi produktif secara "
            "bersama, mengelola bantuan yang diterima secara bertanggung jawab, dan menyisihkan "
            "Iuran Kesetiakawanan Sosial (IKS).\n\n"
            "KETIGA : Keputusan ini mulai berlaku pada tanggal ditetapkan."
        ),
        "copies": "Ketua KUBE {kube_name}\nCamat {district}\nLurah/Kepala Desa {village}",
    },
    Kind.PROPOSAL_PROVINCE: {
        "recipient": "Yth. Kepala Dinas Sosial Provinsi {province}\ndi Tempat",
        "subject": "Usulan Bantuan KUBE {programme} Tahap {cycle}",
        "body": (
            "Dalam rangka pelaksanaan program {programme} tahun {programme_year} tahap {cycle}, "
            "bersama ini kami sampaikan usulan {group_count} Kelompok Usaha Bersama (KUBE) dari "
            "{office_region} sebagai calon penerima bantuan dengan jumlah keseluruhan "
            "Rp {total_amount} ({total_amount_words} rupiah), sebagaimana tercantum dalam "
            "lampiran surat ini.\n\n"
            "Kelompok yang diusulkan telah diverifikasi dan berstatus aktif; susunan anggota "
            "setiap kelompok tercatat dalam Sinergi.\n\n"
            "Demikian usulan ini kami sampaikan untuk mendapat rekomendasi. Atas perhatian dan "
            "kerja samanya kami ucapkan terima kasih."
        ),
    },
    Kind.PROPOSAL_CENTRE: {
        "recipient": (
            "Yth. Direktur Jenderal Pemberdayaan Sosial\nKementerian Sosial Republik Indonesia\n"
            "di Jakarta"
        ),
        "subject": "Rekomendasi Usulan Bantuan KUBE {programme} Tahap {cycle}",
        "body": (
            "Menindaklanjuti usulan kabupaten/kota di wilayah {office_region} untuk program "
            "{programme} tahun {programme_year} tahap {cycle}, bersama ini kami sampaikan "
            "rekomendasi atas {group_count} Kelompok Usaha Bersama (KUBE) dengan jumlah "
            "keseluruhan Rp {total_amount} ({total_amount_words} rupiah), sebagaimana "
            "tercantum dalam lampiran surat ini.\n\n"
            "Demikian rekomendasi ini kami sampaikan untuk mendapat persetujuan. Atas perhatian "
            "dan kerja samanya kami ucapkan terima kasih."
        ),
    },
    Kind.HANDOVER: {
        "title": "Berita Acara Serah Terima Bantuan\nNomor {number}",
        "body": (
            "Pada hari ini {weekday}, tanggal {date}, bertempat di {place}, kami yang bertanda "
            "tangan di bawah ini:\n"
            "1. {signatory_name}, {signatory_position}, selanjutnya disebut PIHAK PERTAMA;\n"
            "2. {chair_name}, Ketua KUBE {kube_name}, selanjutnya disebut PIHAK KEDUA.\n\n"
            "PIHAK PERTAMA telah menyerahkan kepada PIHAK KEDUA bantuan {programme} tahap {cycle} "
            "berupa uang sebesar Rp {amount} ({amount_words} rupiah) melalui transfer ke "
            "rekening kelompok nomor {account} pada tanggal {transfer_date} dengan referensi "
            "bank {bank_reference}, dan PIHAK KEDUA telah menerimanya dengan lengkap.\n\n"
            "Bantuan tersebut digunakan untuk usaha {business_type} KUBE {kube_name} yang "
            "beranggotakan {member_count} orang sebagaimana tercantum dalam lampiran, dan "
            "dipertanggungjawabkan melalui Laporan Pertanggungjawaban (LPJ).\n\n"
            "Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan sebagaimana "
            "mestinya."
        ),
    },
    Kind.MENTORING: {
        "title": "Surat Tugas\nNomor {number}",
        "body": (
            "Yang bertanda tangan di bawah ini, {signatory_position}, menugaskan kepada:\n"
            "Nama : {mentor_name}\n"
            "Unsur : {partner_organisation} - {partner_unit}\n\n"
            "untuk melaksanakan pendampingan usaha kepada Kelompok Usaha Bersama (KUBE) "
            "{kube_name}, jenis usaha {business_type}, di Desa/Kelurahan {village}, Kecamatan "
            "{district}, {regency}, terhitung mulai tanggal {start_date}, dengan anggota "
            "kelompok sebagaimana tercantum dalam lampiran.\n\n"
            "Pendamping melaksanakan kunjungan pendampingan, mencatat hasilnya dalam Sinergi, dan "
            "melaporkan perkembangan usaha kelompok kepada Dinas Sosial.\n\n"
            "Demikian surat tugas ini dibuat untuk dilaksanakan dengan penuh tanggung jawab."
        ),
        "copies": "Koordinator {partner_organisation}\nKetua KUBE {kube_name}",
    },
    Kind.GRADUATION: {
        "title": "Sertifikat Kelulusan\nNomor {number}",
        "body": (
            "Diberikan kepada:\n\n"
            "{member_name}\n\n"
            "anggota Kelompok Usaha Bersama (KUBE) {kube_name}, Desa/Kelurahan {village}, "
            "Kecamatan {district}, {regency},\n\n"
            "sebagai keluarga yang telah lulus (graduasi) dari program pemberdayaan sosial "
            "melalui KUBE, setelah penghasilannya tercatat di atas garis kemiskinan selama "
            "{months} bulan berturut-turut, dan dinyatakan mandiri sejak {graduation_date}.\n\n"
            "Semoga keberhasilan ini menjadi awal usaha yang terus berkembang."
        ),
    },
}


def default_fields(kind: str) -> dict[str, str]:
    """The national template of ``kind`` as field values (the migration and a reset use it)."""
    text = DEFAULTS[kind]
    return {
        "letterhead": LETTERHEAD,
        "title": text.get("title", ""),
        "recipient": text.get("recipient", ""),
        "subject": text.get("subject", ""),
        "body": text["body"],
        "copies": text.get("copies", ""),
        "place": "",
        "signatory_name": "",
        "signatory_nip": "",
        "signatory_position": _SIGNATORY,
        "number_pattern": DEFAULT_PATTERN,
        "classification_code": "400.9",
        "office_abbreviation": "Dinsos",
    }
