"""Uploads are re-made from their content, stored under a generated name and served by type.

Also the browser-side limits: the Content-Security-Policy and Permissions-Policy on pages, and
no template holding inline script, handler or style the policy would block.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile
from django.test import Client
from django.utils import translation
from PIL import Image

import sinergi
from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.aid import services as aid_services
from sinergi.aid.models import Cycle, LpjItem
from sinergi.core.errors import InvalidInput
from sinergi.core.headers import CONTENT_SECURITY_POLICY
from sinergi.core.uploads import DOCUMENT_TYPES, PHOTO_TYPES, clean_upload, serve_upload
from sinergi.kube.models import Kube
from sinergi.market import services as market_services
from sinergi.market.models import Product
from tests import samples
from tests.aid.conftest import JUTA, active_kube, cycle  # noqa: F401
from tests.aid.conftest import approved as _approved
from tests.mentoring.conftest import make_active_group

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: Any) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def _clean(name: str, content: bytes, kinds: tuple[str, ...] = DOCUMENT_TYPES) -> ContentFile:
    return clean_upload(
        SimpleUploadedFile(name, content),
        kinds=kinds,
        max_bytes=5 * 1024 * 1024,
        missing="missing",
        wrong_kind="wrong kind",
        field="file",
    )


def _refusal(name: str, content: bytes, language: str = "en") -> str:
    with translation.override(language), pytest.raises(InvalidInput) as refused:
        _clean(name, content)
    assert refused.value.field == "file"
    return str(refused.value)


def _decoded(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture


@pytest.mark.parametrize("name", ["x.html", "x.svg", "x.png.html", "../../x.htm"])
def test_a_png_under_any_name_is_stored_as_a_new_png_under_a_generated_name(name: str) -> None:
    cleaned = _clean(name, samples.png())
    assert re.fullmatch(r"[0-9a-f]{32}\.png", cleaned.name or "")
    assert _decoded(cleaned.read()).format == "PNG"


def test_a_polyglot_loses_everything_after_the_picture() -> None:
    original = samples.png((20, 10))
    cleaned = _clean("x.html", original + HTML).read()
    assert b"<script" not in cleaned and b"<html" not in cleaned
    picture = _decoded(cleaned)
    assert picture.size == (20, 10) and picture.getpixel((3, 3)) == (200, 40, 40)


def test_exif_location_is_stripped_after_turning_the_photo_upright() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was held sideways
    exif[0x010F] = "KameraHP"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "S", 2: (6.0, 54.0, 51.0), 3: "E", 4: (107.0, 36.0, 35.0)})
    original = samples.jpeg((40, 20), exif=exif)
    assert _decoded(original).getexif().get_ifd(0x8825)  # the sample really carries a position

    cleaned = _clean("rumah.jpg", original)
    assert cleaned.name.endswith(".jpg") is False and cleaned.name.endswith(".jpeg")
    picture = _decoded(cleaned.read())
    assert picture.format == "JPEG"
    assert picture.size == (20, 40)  # turned by the orientation before the tag was dropped
    assert not picture.getexif() and "exif" not in picture.info


def test_a_large_photo_is_shrunk() -> None:
    picture = _decoded(_clean("besar.png", samples.png((5000, 100))).read())
    assert picture.size == (2560, 51)


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [9_000, 30_000])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(side: int) -> None:
    bomb = _png_header_only(side, side)
    assert len(bomb) < 200
    english = _refusal("bom.png", bomb)
    assert "too large" in english and "60 megapixels" in english
    assert "terlalu besar" in _refusal("bom.png", bomb, "id")


def test_other_formats_and_damaged_images_are_refused() -> None:
    assert _refusal("a.gif", b"GIF89a" + b"\x00" * 40) == "wrong kind"
    assert _refusal("a.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>") == "wrong kind"
    assert "could not be read" in _refusal("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 40)
    assert "could not be read" in _refusal("a.jpg", samples.jpeg()[:60])
    with pytest.raises(InvalidInput, match="wrong kind"):
        _clean("nota.pdf", samples.pdf(), kinds=PHOTO_TYPES)


def test_a_real_pdf_is_kept_as_it_is() -> None:
    document = samples.pdf()
    cleaned = _clean("perjanjian.html", document)
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", cleaned.name or "")
    assert cleaned.read() == document
    assert _clean("plain.pdf", samples.pdf_by_hand()).name.endswith(".pdf")


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n" + HTML,
        b"%PDF-1.4\n" + HTML + b"\n%%EOF\n",
        samples.pdf()[:-300],
    ],
    ids=["html", "html-with-eof", "truncated"],
)
def test_a_fake_or_broken_pdf_is_refused(content: bytes) -> None:
    assert "not a real PDF" in _refusal("nota.pdf", content)
    assert "bukan PDF yang sebenarnya" in _refusal("nota.pdf", content, "id")


@pytest.mark.parametrize(
    "content",
    [
        samples.pdf_by_hand(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
        samples.pdf_by_hand(b"/OpenAction << /S /J#61vaScript /JS (app.alert(1)) >>"),
        samples.pdf_by_hand(b"/OpenAction << /S /Launch /F (cmd.exe) >>"),
        samples.pdf_by_hand(b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>"),
        samples.pdf_by_hand(
            extra_objects=(samples.flate_stream(b"4 0 << /S /JavaScript /JS (x) >>"),)
        ),
    ],
    ids=["javascript", "escaped-name", "launch", "embedded-file", "inside-object-stream"],
)
def test_a_pdf_with_active_content_is_refused(content: bytes) -> None:
    assert "scripts, actions or embedded files" in _refusal("nota.pdf", content)
    assert "skrip, aksi, atau berkas sisipan" in _refusal("nota.pdf", content, "id")


def _stored(name: str, content: bytes) -> FieldFile:
    """A file saved under its uploaded name, as rows made before the checks hold them."""
    saved = default_storage.save(name, ContentFile(content))
    return FieldFile(None, Product._meta.get_field("photo"), saved)


@pytest.mark.parametrize(
    ("content", "content_type", "disposition"),
    [
        (samples.png() + HTML, "image/png", "inline"),
        (samples.jpeg(), "image/jpeg", "inline"),
        (samples.pdf(), "application/pdf", "attachment"),
        (HTML, "application/octet-stream", "attachment"),
    ],
)
def test_old_files_are_served_by_their_content_never_their_name(
    content: bytes, content_type: str, disposition: str
) -> None:
    response = serve_upload(_stored("products/x.html", content), download_name="foto")
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith(disposition)
    assert ".html" not in response["Content-Disposition"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == content  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_a_product_photo_named_html_is_served_as_a_png(
    officer_bandung: User, make_user: Callable[..., User]
) -> None:
    kube = make_active_group(officer_bandung, "32.73.01.1001", name="KUBE Foto")
    officer = make_user(Role.KUBE_OFFICER, "32.73")
    officer.kube = kube
    officer.save(update_fields=["kube"])
    officer = User.objects.get(pk=officer.pk)
    product = market_services.product_save(
        actor=officer,
        data=market_services.ProductData(kube.pk, "makanan_ringan", "Kripik", "kg", 20_000, 5),
    )
    client = Client()
    client.force_login(officer)
    for name in ("x.html", "x.svg"):
        client.post(
            f"/pasar/produk-kelompok/{product.pk}/foto/",
            {"photo": SimpleUploadedFile(name, samples.png() + HTML, "text/html")},
        )
        product.refresh_from_db()
        assert re.fullmatch(r"products/[0-9a-f]{32}\.png", product.photo.name)
        public = Client().get(f"/pasar/produk/{product.pk}/foto/")
        assert public.status_code == 200
        assert public["Content-Type"] == "image/png"
        assert public["X-Content-Type-Options"] == "nosniff"
        body = b"".join(public.streaming_content)  # type: ignore[attr-defined]
        assert b"<script" not in body and _decoded(body).format == "PNG"


@pytest.mark.django_db
def test_an_lpj_receipt_named_html_is_served_as_a_png_and_a_fake_pdf_is_refused(
    active_kube: Kube,  # noqa: F811
    cycle: Cycle,  # noqa: F811
    officer_bandung: User,
    officer_jabar: User,
    admin_user: User,
    make_user: Callable[..., User],
) -> None:
    proposal = _approved(active_kube, cycle, officer_bandung, officer_jabar, admin_user)
    Kube.objects.filter(pk=active_kube.pk).update(bank_account="0123")
    aid_services.disbursement_record(
        actor=officer_bandung,
        proposal_id=proposal.pk,
        amount=12 * JUTA,
        day=date(2026, 11, 2),
        reference="TRX1",
    )
    ketua = Client()
    ketua.force_login(make_user(Role.KUBE_OFFICER, "32.73"))
    url = f"/api/v1/aid/proposals/{proposal.pk}/lpj/items"

    def add(name: str, content: bytes, language: str = "en") -> Any:
        form = {"description": "Kain", "amount": JUTA, "day": "2026-11-05"}
        return ketua.post(
            url,
            {**form, "receipt": SimpleUploadedFile(name, content, "text/html")},
            HTTP_ACCEPT_LANGUAGE=language,
        )

    fake = b"%PDF-1.4\n" + HTML
    for language, words in (("en", "not a real PDF"), ("id", "bukan PDF yang sebenarnya")):
        refused = add("nota.pdf", fake, language)
        assert refused.status_code == 400 and refused.json()["field"] == "receipt"
        assert words in refused.json()["detail"]
    assert add("x.html", samples.png() + HTML).status_code == 201
    item = LpjItem.objects.get(lpj__proposal=proposal)
    assert re.fullmatch(rf"lpj/{item.lpj_id}/[0-9a-f]{{32}}\.png", item.receipt.name)
    got = ketua.get(f"/api/v1/aid/proposals/{proposal.pk}/lpj/items/{item.pk}/receipt")
    assert got.status_code == 200 and got["Content-Type"] == "image/png"
    assert got["X-Content-Type-Options"] == "nosniff"
    assert b"<script" not in b"".join(got.streaming_content)  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_pages_carry_the_content_security_and_permissions_policies() -> None:
    page = Client().get("/akun/masuk/")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    policy = dict(part.split(" ", 1) for part in page["Content-Security-Policy"].split("; "))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'self'" and policy["form-action"] == "'self'"
    assert "unsafe" not in page["Content-Security-Policy"]
    assert page["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    permissions = page["Permissions-Policy"]
    for denied in ("geolocation=()", "microphone=()", "payment=()", "usb=()"):
        assert denied in permissions
    # File inputs use capture="environment", so only the site itself may ask for the camera.
    assert "camera=(self)" in permissions
    assert '"includeIndicatorStyles":false' in page.content.decode()


# What the policy blocks in markup: a script element without src (JSON data blocks aside), an
# on...= handler, hx-on, a javascript: URL, a style attribute or a style element.
_BLOCKED = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I), "inline script"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"\bhx-on", re.I), "hx-on handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style\b", re.I), "style element"),
]


def test_no_template_holds_what_the_policy_would_block() -> None:
    root = Path(sinergi.__file__).parent
    templates = sorted(root.rglob("templates/**/*.html"))
    assert len(templates) > 50
    found = [
        f"{path.relative_to(root)}:{text[: m.start()].count(chr(10)) + 1}: {what}"
        for path in templates
        for text in [path.read_text(encoding="utf-8")]
        for pattern, what in _BLOCKED
        for m in pattern.finditer(text)
    ]
    assert found == []


@pytest.mark.django_db
def test_agreements_are_read_only_in_the_admin(admin_user: User) -> None:
    """A signed document enters through the agreement page or the API only (the mentoring
    service checks and re-makes it); the admin shows agreements without a way to add one."""
    admin = Client()
    admin.force_login(admin_user)
    assert admin.get("/admin/mentoring/agreement/add/").status_code == 403
    assert admin.get("/admin/mentoring/agreement/").status_code == 200


@pytest.mark.django_db
def test_the_media_folder_is_not_served_directly() -> None:
    stored = default_storage.save("products/x.html", ContentFile(samples.png() + HTML))
    assert Client().get(f"/media/{stored}").status_code == 404
