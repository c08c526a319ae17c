"""Column-mapped import: layouts checked before anything is stored, files in the DTSEN and Kobo
layouts stored exactly as the same rows in Sinergi's own format, proposals by name and content."""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sinergi.accounts.models import User
from sinergi.engines import wilayah
from sinergi.engines.registry_rows import COLUMNS, parse_date
from sinergi.registry import mapping, profiles
from sinergi.registry.imports import import_check, import_create
from sinergi.registry.mapping import Spec
from sinergi.registry.models import ImportBatch, ImportProfile, ImportStatus, Person
from sinergi.synthetic.registry import RegistryGenerator

CANONICAL = list(RegistryGenerator(11, areas=["32.73"]).rows(12))
DTSEN_HEADER = [
    "ID_ART", "NO_KK", "NIK", "NAMA", "JNS_KEL", "TMPT_LHR", "TGL_LHR", "HUB_KEL", "STA_KAWIN",
    "KDPROV", "KDKAB", "KDKEC", "KDDESA", "NAMA_DESA", "ALAMAT", "DESIL", "TGL_PEMUTAKHIRAN",
    "NO_HP",
]  # fmt: skip
DTSEN_RELATION = {"kepala": "1", "istri": "2", "suami": "2", "anak": "3", "orang_tua": "6"}
KOBO_HEADER = [
    "start", "end", "hh/no_kk", "hh/alamat", "hh/lokasi/kode_desa", "hh/member/nik",
    "hh/member/nama", "hh/member/jenis_kelamin", "hh/member/tempat_lahir",
    "hh/member/tanggal_lahir", "hh/member/hubungan", "hh/member/kepala_keluarga",
    "hh/member/no_hp", "_id", "_uuid", "_submission_time", "_index", "_parent_index",
]  # fmt: skip


def _dmy(iso: str) -> str:
    return f"{iso[8:10]}-{iso[5:7]}-{iso[:4]}" if iso else ""


def dtsen_row(row: list[str]) -> list[str]:
    """A canonical row as a DTSEN/SIKS-NG export writes it."""
    v = dict(zip(COLUMNS, row, strict=True))
    prov, kab, kec, desa = v["kode_desa"].split(".")
    return [
        v["id_sumber"], v["no_kk"], v["nik"], v["nama"],
        {"L": "1", "P": "2"}[v["jenis_kelamin"]], v["tempat_lahir"], _dmy(v["tanggal_lahir"]),
        DTSEN_RELATION[v["hubungan_keluarga"]], "2", prov, prov + kab, kec, desa, "SUKAWARNA",
        v["alamat"], v["desil"], _dmy(v["tanggal_desil"]), v["telepon"],
    ]  # fmt: skip


def kobo_row(row: list[str], index: int) -> list[str]:
    """A canonical row as a KoboToolbox CSV export of the household survey writes it (the
    member repeat flattened to one row per member)."""
    v = dict(zip(COLUMNS, row, strict=True))
    return [
        "2026-05-01T08:00:00", "2026-05-01T08:20:00", v["no_kk"], v["alamat"],
        v["kode_desa"].replace(".", ""), v["nik"], v["nama"],
        {"L": "laki_laki", "P": "perempuan"}[v["jenis_kelamin"]], v["tempat_lahir"],
        v["tanggal_lahir"],
        {"kepala": "kepala_keluarga"}.get(v["hubungan_keluarga"], v["hubungan_keluarga"]),
        {"1": "yes", "0": "no"}[v["kepala_keluarga"]], v["telepon"], str(index), v["id_sumber"],
        "2026-05-01T09:00:00", str(index), "1",
    ]  # fmt: skip


def _write(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _stored() -> list[tuple[Any, ...]]:
    return sorted(
        (
            p.nik_mask,
            p.name,
            p.sex,
            p.birth_place,
            p.birth_date,
            p.relation,
            p.is_head,
            p.phone,
            p.area_code,
            p.household.kk_mask,
            p.household.address,
            p.household.desil,
            p.household.desil_date,
        )
        for p in Person.objects.select_related("household")
    )


def _expected(rows: list[list[str]], *, desil: bool = True) -> list[tuple[Any, ...]]:
    from sinergi.engines.nik import mask

    out = []
    for row in rows:
        v = dict(zip(COLUMNS, row, strict=True))
        out.append(
            (
                mask(v["nik"]),
                v["nama"],
                v["jenis_kelamin"],
                v["tempat_lahir"],
                date.fromisoformat(v["tanggal_lahir"]),
                v["hubungan_keluarga"],
                v["kepala_keluarga"] == "1",
                v["telepon"],
                v["kode_desa"],
                mask(v["no_kk"]),
                v["alamat"],
                int(v["desil"]) if desil else None,
                date.fromisoformat(v["tanggal_desil"]) if desil else None,
            )
        )
    return sorted(out)


def _import(actor: User | None, path: Path, profile: str) -> ImportBatch:
    layout = profiles.layout_get(actor=actor, name=profile)
    profiles.require_readable(path, layout.spec)
    batch = import_create(
        actor=actor, source=path, file_name=path.name, layout=(layout.name, layout.spec)
    )
    return import_check(batch.pk, commit=True)


# --- The whole pipeline --------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("layout", ["dtsen", "kobo", "sinergi"])
def test_a_file_in_a_known_layout_stores_what_the_own_format_stores(
    officer_bandung: User, tmp_path: Path, layout: str
) -> None:
    if layout == "dtsen":
        path = _write(tmp_path / "dtsen.csv", DTSEN_HEADER, [dtsen_row(r) for r in CANONICAL])
    elif layout == "kobo":
        rows = [kobo_row(r, i) for i, r in enumerate(CANONICAL, 1)]
        path = _write(tmp_path / "kobo.csv", KOBO_HEADER, rows, delimiter=";")
    else:  # the own columns in another order, with a column Sinergi does not read
        order = [*reversed(COLUMNS), "catatan"]
        rows = [[dict(zip(COLUMNS, r, strict=True)).get(c, "x") for c in order] for r in CANONICAL]
        path = _write(tmp_path / "own.csv", order, rows)
    batch = _import(officer_bandung, path, layout)
    assert batch.status == ImportStatus.COMMITTED, batch.file_error
    assert (batch.rows_read, batch.rows_committed, batch.rows_rejected) == (len(CANONICAL),) * 2 + (
        0,
    )
    # A household survey does not hold the decile.
    assert _stored() == _expected(CANONICAL, desil=layout != "kobo")
    assert batch.profile_name == layout and batch.mapping["columns"]
    source_ids = set(Person.objects.values_list("source_id", flat=True))
    assert source_ids == {r[0] for r in CANONICAL}


@pytest.mark.django_db
def test_the_report_of_a_mapped_file_names_the_files_own_columns(
    officer_bandung: User, tmp_path: Path
) -> None:
    rows = [dtsen_row(r) for r in CANONICAL[:3]]
    rows[1][6] = "31-02-1980"  # TGL_LHR: no such day
    path = _write(tmp_path / "dtsen.csv", DTSEN_HEADER, rows)
    batch = _import(officer_bandung, path, "dtsen")
    issues = {(i.row_number, i.column, i.code) for i in batch.issues.filter(is_warning=False)}
    assert issues == {(3, "TGL_LHR", "bad_date")}
    assert batch.rows_committed == 2


# --- Bad layouts, named before anything is checked or stored ------------------------------------
def _problems(spec: Spec, header: list[str], rows: list[list[str]]) -> list[mapping.Problem]:
    found = mapping.problems(spec, header)
    return found or mapping.unmapped_codes(spec, header, enumerate(rows, 2))


def test_a_required_field_unmapped_and_two_columns_on_one_field_are_named() -> None:
    dtsen = profiles.builtins()[1].spec
    columns = dict(dtsen.columns)
    del columns["NIK"]
    columns["NAMA_DESA"] = "nama"  # a second column on the name
    found = mapping.problems(Spec(columns, dtsen.value_maps), DTSEN_HEADER)
    assert {(p.code, p.field) for p in found} == {
        ("missing_field", "nik"),
        ("duplicate_field", "nama"),
    }
    duplicate = next(p for p in found if p.code == "duplicate_field")
    assert {c for c, _n in duplicate.items} == {"NAMA", "NAMA_DESA"}
    columns = dict(dtsen.columns)
    del columns["KDKEC"]
    found = mapping.problems(Spec(columns, dtsen.value_maps), DTSEN_HEADER)
    assert [(p.code, p.items) for p in found] == [("missing_region", (("kode_kecamatan", 0),))]


def test_codes_without_a_mapping_are_listed_with_their_counts() -> None:
    dtsen = profiles.builtins()[1].spec
    rows = [dtsen_row(r) for r in CANONICAL]
    for row in rows[:3]:
        row[7] = "9"  # HUB_KEL 9: no such code
    rows[4][4] = "L"  # JNS_KEL written as a letter: Sinergi reads it as it is
    rows[5][4] = "3"
    found = _problems(dtsen, DTSEN_HEADER, rows)
    assert [(p.code, p.field, p.items) for p in found] == [
        ("unmapped_codes", "jenis_kelamin", (("3", 1),)),
        ("unmapped_codes", "hubungan_keluarga", (("9", 3),)),
    ]


def test_transform_reads_split_region_parts_dates_and_spouse_by_sex() -> None:
    dtsen = profiles.builtins()[1].spec
    row = dtsen_row(CANONICAL[1])  # the wife, or the first child
    transform = mapping.Transform(dtsen, DTSEN_HEADER)
    out = transform(row, 3)
    dates = [COLUMNS.index(c) for c in mapping.DATE_FIELDS]
    # Day-first dates go through as they are: the own format reads them.
    assert [c for i, c in enumerate(out) if i not in dates] == [
        c for i, c in enumerate(CANONICAL[1]) if i not in dates
    ]
    assert [parse_date(out[i]) for i in dates] == [parse_date(CANONICAL[1][i]) for i in dates]
    assert mapping.region_code(("32", "3273", "1", "1001")) == "32.73.01.1001"
    assert mapping.date_text("25569", "auto") == "1970-01-01"
    assert mapping.date_text("05/31/1980", "mdy") == "1980-05-31"
    assert mapping.date_text("31.05.1980", "dmy") == "1980-05-31"
    husband = list(row)
    husband[4], husband[7] = "1", "2"
    assert transform(husband, 4)[COLUMNS.index("hubungan_keluarga")] == "suami"


@pytest.mark.django_db
def test_the_command_line_takes_a_profile_and_refuses_a_bad_one_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sinergi import cli

    rows = [dtsen_row(r) for r in CANONICAL]
    path = _write(tmp_path / "dtsen.csv", DTSEN_HEADER, rows)
    assert cli.main(["import-registry", str(path), "--profile", "dtsen"]) == 0
    assert _stored() == _expected(CANONICAL)
    rows[0][7] = "9"
    bad = _write(tmp_path / "bad.csv", DTSEN_HEADER, rows)
    before = ImportBatch.objects.count()
    assert cli.main(["import-registry", str(bad), "--profile", "dtsen"]) == 2
    err = capsys.readouterr().err
    assert "“9” (1 baris)" in err and "Hubungan dengan kepala keluarga" in err
    assert ImportBatch.objects.count() == before  # nothing stored
    assert cli.main(["import-registry", str(bad), "--profile", "tidak-ada"]) == 2
    assert "tidak-ada" in capsys.readouterr().err


# --- API -----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_api_upload_with_a_profile_and_its_refusals(
    officer_bandung: User,
    tmp_path: Path,
    client_for: Callable[..., Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = client_for(officer_bandung)
    rows = [dtsen_row(r) for r in CANONICAL]
    path = _write(tmp_path / "dtsen.csv", DTSEN_HEADER, rows)
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:
        response = client.post("/api/v1/registry/imports", {"file": handle, "profile": "dtsen"})
    assert response.status_code == 202, response.content
    assert response.json()["profile"] == "dtsen"
    batch = ImportBatch.objects.get(pk=response.json()["id"])
    assert batch.status == ImportStatus.CHECKED and batch.rows_valid == len(CANONICAL)

    rows[0][4] = "X"
    bad = _write(tmp_path / "bad.csv", DTSEN_HEADER, rows)
    with bad.open("rb") as handle:
        refused = client.post(
            "/api/v1/registry/imports",
            {"file": handle, "profile": "dtsen"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert refused.status_code == 422
    body = refused.json()
    assert body["field"] == "jenis_kelamin" and "“X” (1 row)" in body["detail"]
    with bad.open("rb") as handle:
        unknown = client.post("/api/v1/registry/imports", {"file": handle, "profile": "nope"})
    assert unknown.status_code == 400 and unknown.json()["field"] == "profile"
    assert ImportBatch.objects.count() == 1


@pytest.mark.django_db
def test_api_profiles_create_list_get_delete_in_the_office_area(
    officer_bandung: User, officer_bogor: User, client_for: Callable[..., Any]
) -> None:
    client = client_for(officer_bandung)
    payload = {
        "name": "Desa Sukamaju",
        "columns": {"No KK": "no_kk", "NIK": "nik", "Nama": "nama", "JK": "jenis_kelamin",
                    "Tgl Lahir": "tanggal_lahir", "Hubungan": "hubungan_keluarga",
                    "Kode Desa": "kode_desa", "Catatan": ""},
        "value_maps": {"jenis_kelamin": {"1": "L", "2": "P"}},
        "date_style": "dmy",
    }  # fmt: skip
    created = client.post("/api/v1/registry/import-profiles", payload, "application/json")
    assert created.status_code == 201, created.content
    assert created.json()["columns"]["JK"] == "jenis_kelamin" and not created.json()["builtin"]
    again = client.post("/api/v1/registry/import-profiles", payload, "application/json")
    assert again.status_code == 400 and again.json()["field"] == "name"
    broken = client.post(
        "/api/v1/registry/import-profiles",
        {**payload, "name": "Rusak", "columns": {"NIK": "nik", "NIK2": "nik"}},
        "application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert broken.status_code == 422 and broken.json()["field"] in ("nik", "no_kk")
    names = [p["name"] for p in client.get("/api/v1/registry/import-profiles").json()["items"]]
    assert names[:3] == ["sinergi", "dtsen", "kobo"] and "Desa Sukamaju" in names
    other = client_for(officer_bogor)
    # Another regency's layout looks absent.
    assert other.get("/api/v1/registry/import-profiles/Desa Sukamaju").status_code == 404
    assert other.delete("/api/v1/registry/import-profiles/Desa Sukamaju").status_code == 404
    assert client.get("/api/v1/registry/import-profiles/Desa Sukamaju").status_code == 200
    assert client.delete("/api/v1/registry/import-profiles/dtsen").status_code == 400
    assert client.delete("/api/v1/registry/import-profiles/Desa Sukamaju").status_code == 204
    assert not ImportProfile.objects.exists()


# --- Proposals -----------------------------------------------------------------------------------
def _sample_rows(rows: list[list[str]]) -> list[tuple[int, list[str]]]:
    return list(enumerate(rows, 2))


def test_proposal_by_content_alone_finds_the_numbers_the_village_the_dates_and_codes() -> None:
    index = wilayah.default_index()
    header = [f"kolom{i}" for i in range(len(DTSEN_HEADER))]
    rows = [dtsen_row(r) for r in RegistryGenerator(5, areas=["32.73"]).rows(40)]
    # One column holds the whole village code (DTSEN splits it): content finds it.
    rows = [[*r[:9], f"{r[9]}.{r[10][-2:]}.{r[11]}.{r[12]}", *r[13:]] for r in rows]
    header = header[:10] + header[13:]
    spec, columns = mapping.propose(header, _sample_rows(rows), index=index)
    fed = spec.mapped()
    assert fed["nik"] == "kolom2" and fed["no_kk"] == "kolom1"
    assert fed["kode_desa"] == "kolom9" and fed["tanggal_lahir"] == "kolom6"
    assert spec.date_style == "dmy"
    assert all("*" in s for s in columns[2].samples) and all(
        s[:6].isdigit() for s in columns[2].samples
    )
    assert not any(len(s) == 16 and s.isdigit() for c in columns for s in c.samples)


SYNONYM_CHOICES = {t: [t, *names] for t, names in mapping.SYNONYMS.items()}
OWN = list(COLUMNS)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    order=st.permutations(range(len(OWN))),
    picks=st.lists(st.integers(0, 50), min_size=len(OWN), max_size=len(OWN)),
    case=st.sampled_from(["upper", "lower", "title"]),
)
def test_a_generated_file_with_random_order_and_synonyms_maps_back(
    order: list[int], picks: list[int], case: str
) -> None:
    """Whatever the order of the columns and whichever usual name each carries, the proposal
    maps each back to its field, and the transform gives back the own-format rows."""
    names = []
    for i, column in enumerate(OWN):
        choices = SYNONYM_CHOICES[column]
        name = choices[picks[i] % len(choices)]
        names.append(getattr(name, case)())
    header = [names[i] for i in order]
    rows = [[row[i] for i in order] for row in CANONICAL]
    spec, _columns = mapping.propose(header, _sample_rows(rows), index=wilayah.default_index())
    assert spec.mapped() == {OWN[i]: names[i] for i in range(len(OWN))}
    assert not mapping.problems(spec, header)
    transform = mapping.Transform(spec, header)
    assert [transform(r, n) for n, r in enumerate(rows, 2)] == CANONICAL


def test_a_coded_column_gets_its_value_map_proposed() -> None:
    proposed = mapping.propose_value_map("hubungan_keluarga", ["1", "2", "3", "anak", "9"])
    assert proposed == {"1": "kepala", "2": "pasangan", "3": "anak"}
    assert mapping.propose_value_map("jenis_kelamin", ["L", "Perempuan", "1"]) == {
        "Perempuan": "P",
        "1": "L",
    }


@pytest.mark.django_db
def test_a_saved_layout_is_recognised_for_the_next_file(
    officer_bandung: User, tmp_path: Path
) -> None:
    header = ["Nomor KK", "NIK", "Nama Lengkap", "JK", "Tgl Lahir", "Hub", "Desa"]
    spec = Spec(
        dict(zip(header, ["no_kk", "nik", "nama", "jenis_kelamin",
                          "tanggal_lahir", "hubungan_keluarga", "kode_desa"], strict=True)),
        {"jenis_kelamin": {"1": "L", "2": "P"}},
    )  # fmt: skip
    assert profiles.layout_for_header(actor=officer_bandung, header=header) is None
    profiles.profile_save(actor=officer_bandung, name="Sukamaju", spec=spec, header=header)
    found = profiles.layout_for_header(actor=officer_bandung, header=list(reversed(header)))
    assert found is not None and found.name == "Sukamaju"
    assert profiles.layout_for_header(actor=officer_bandung, header=DTSEN_HEADER).name == "dtsen"  # type: ignore[union-attr]
    random.seed(1)


# --- The pages -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_an_unknown_layout_is_mapped_once_and_the_next_file_needs_no_mapping(
    officer_bandung: User,
    tmp_path: Path,
    client_for: Callable[..., Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = client_for(officer_bandung)
    # A sheet of its own: other names, no row id, relation words and sex as 1/2.
    header = ["Nomor KK", "NIK", "Nama", "JK", "Tgl Lahir", "Hubungan", "Desa", "Catatan"]
    source = [dtsen_row(r) for r in CANONICAL]
    rows = [[r[1], r[2], r[3], r[4], r[6], r[7], f"{r[9]}{r[10][-2:]}{r[11]}{r[12]}", "-"]
            for r in source]  # fmt: skip
    rows[0][5] = "9"
    path = _write(tmp_path / "desa.csv", header, rows)
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:
        response = client.post("/registri/impor/", {"file": handle, "profile": "auto"})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"].endswith("/kolom/")
    assert batch.status == ImportStatus.MAPPING
    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200 and "Nomor KK" in text
    assert CANONICAL[0][2] not in text and CANONICAL[0][2][:6] + "*" * 10 in text
    fields = {f"col_{i}": t for i, t in enumerate(
        ["no_kk", "nik", "nama", "jenis_kelamin", "tanggal_lahir", "hubungan_keluarga",
         "kode_desa", ""])}  # fmt: skip
    assert all(f'value="{t}" selected' in text for t in fields.values() if t)
    form = {**fields, "date_style": "dmy", "save_as": "Sheet desa"}
    codes = {"code_jenis_kelamin_0": "L", "code_jenis_kelamin_1": "P"}
    both = client.post(response["Location"], {**form, **codes, "col_7": "nama"})
    assert both.status_code == 400 and "Catatan" in both.content.decode()
    codes.update({f"code_hubungan_keluarga_{j}": v for j, v in enumerate(
        ["kepala", "pasangan", "anak", "orang_tua"])})  # fmt: skip
    refused = client.post(response["Location"], {**form, **codes})
    assert refused.status_code == 400
    assert "“9” (1 baris)" in refused.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.MAPPING and not ImportProfile.objects.exists()
    codes["code_hubungan_keluarga_4"] = "lainnya"  # the 9, offered once it was named
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(response["Location"], {**form, **codes})
    assert done.status_code == 302, done.content.decode()[:3000]
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED and batch.rows_valid == len(CANONICAL)
    assert ImportProfile.objects.get().name == "Sheet desa"
    # The next file in the same layout: recognised, checked without a mapping step.
    again = _write(tmp_path / "desa2.csv", header, rows)
    with django_capture_on_commit_callbacks(execute=True), again.open("rb") as handle:
        second = client.post("/registri/impor/", {"file": handle, "profile": "auto"})
    assert second.status_code == 302 and not second["Location"].endswith("/kolom/")
    newest = ImportBatch.objects.order_by("-created_at").first()
    assert newest is not None and newest.profile_name == "Sheet desa"
    listing = client.get("/registri/impor/tata-letak/")
    assert listing.status_code == 200 and "Sheet desa" in listing.content.decode()
    profile = ImportProfile.objects.get()
    client.post(f"/registri/impor/tata-letak/{profile.pk}/hapus/")
    assert not ImportProfile.objects.exists()


def test_a_header_below_title_rows_is_read_with_the_sheets_row_numbers(tmp_path: Path) -> None:
    from sinergi.engines.tabular import open_table

    dtsen = profiles.builtins()[1].spec
    path = tmp_path / "judul.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        out.write("DATA DTSEN KOTA BANDUNG\nDiunduh 2026-05-01\n")
        writer = csv.writer(out)
        writer.writerow(DTSEN_HEADER)
        writer.writerows(dtsen_row(r) for r in CANONICAL[:2])
    with pytest.raises(profiles.LayoutRefused):
        profiles.require_readable(path, dtsen)  # the title is not a header
    spec = Spec(dtsen.columns, dtsen.value_maps, dtsen.date_style, header_row=3)
    assert profiles.require_readable(path, spec) == DTSEN_HEADER
    table = open_table(path, header_row=3)
    rows = list(mapping.Transform(spec, table.header).rows(table.rows))
    assert [n for n, _cells in rows] == [4, 5]
    assert [cells[2] for _n, cells in rows] == [r[2] for r in CANONICAL[:2]]
