"""Every file goes through the storage API: with ``STORAGES["default"]`` somewhere else, an
import, an export and a photo upload run end to end and nothing is written under MEDIA_ROOT.

A web machine and a worker machine share files only through the storage (docs/scaling.md); a
path built from MEDIA_ROOT would work on one machine and fail on two, so this test moves the
storage to a second location and watches the first one stay empty.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.core.models import Job, JobStatus
from sinergi.engines.registry_rows import COLUMNS
from sinergi.kube.models import Kube
from sinergi.market import services as market_services
from sinergi.market.models import Product
from sinergi.registry.models import ImportBatch, ImportStatus
from sinergi.synthetic.registry import RegistryGenerator
from tests import samples
from tests.monitoring.test_monitoring import bandung, file_report, month  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(tmp_path: Path, settings: Any) -> tuple[Path, Path]:
    media, elsewhere = tmp_path / "media", tmp_path / "elsewhere"
    media.mkdir()
    settings.MEDIA_ROOT = str(media)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(elsewhere)},
        },
    }
    return media, elsewhere


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_import_export_and_photo_use_only_the_storage(
    places: tuple[Path, Path],
    tmp_path: Path,
    bandung: Kube,  # noqa: F811
    officer_bandung: User,
    facilitator_bandung: User,
    make_user: Callable[..., User],
    client_for: Callable[..., Client],
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    media, elsewhere = places
    client = client_for(officer_bandung)

    # An import: the sealed upload is in the storage while it waits to be saved.
    upload = tmp_path / "impor.csv"
    with upload.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(RegistryGenerator(5, areas=["32.73"]).rows(3))
    with django_capture_on_commit_callbacks(execute=True), upload.open("rb") as handle:
        client.post("/registri/impor/", {"file": handle})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.CHECKED
    assert default_storage.exists(batch.file_path)
    assert (elsewhere / batch.file_path).is_file()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/registri/impor/{batch.pk}/simpan/")
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED and batch.rows_committed > 0
    assert batch.job is not None and batch.job.status == JobStatus.SUCCEEDED

    # An export written by the worker, downloaded from the storage.
    settings.SINERGI_EXPORT_INLINE_MAX = 0
    file_report(facilitator_bandung, bandung, month(1))
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/pantau/wilayah/32.73/ekspor/kelompok.csv")
    job = Job.objects.get(kind="monitoring.export")
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (elsewhere / job.result_file.name).is_file()
    download = client.get(f"/pekerjaan/{job.pk}/berkas")
    assert b"KUBE Mawar" in b"".join(download.streaming_content)  # type: ignore[attr-defined]

    # A product photo, cleaned and stored by the service a product form calls, served back.
    officer = make_user(Role.KUBE_OFFICER, "32.73")
    officer.kube = bandung
    officer.save(update_fields=["kube"])
    officer = User.objects.get(pk=officer.pk)
    product = market_services.product_save(
        actor=officer,
        data=market_services.ProductData(bandung.pk, "makanan_ringan", "Kripik", "kg", 20_000, 5),
        photo=SimpleUploadedFile("kripik.png", samples.png(), "image/png"),
    )
    product = Product.objects.get(pk=product.pk)
    assert product.photo and (elsewhere / product.photo.name).is_file()
    assert Client().get(f"/pasar/produk/{product.pk}/foto/").status_code == 200

    assert _files(media) == []  # nothing of any of it under MEDIA_ROOT
    assert job.result_file.name in _files(elsewhere)
