"""Images at upload: a pixel budget read from the header, and one rendition for the PDF."""

import io
import struct
import zlib

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from cpd_log import create_app
from cpd_log.app import MIGRATIONS_DIR
from cpd_log.evidence import images, services
from cpd_log.extensions import db
from cpd_log.models import Evidence
from tests import factories
from tests.database import scratch_database
from tests.evidence import samples
from tests.evidence.conftest import stored_files
from tests.portfolio.builders import make_portfolio

RENDITIONS = "de1c80a55790"  # the migration that added Evidence.rendition_sha256


def _upload(client, activity, data: bytes, name: str):
    form = {"file": (io.BytesIO(data), name), "title": "", "url": ""}
    return client.post(
        f"/evidence/activity/{activity.id}/new", data=form, content_type="multipart/form-data"
    )


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def claimed_png(width: int, height: int) -> bytes:
    """A few hundred bytes that claim width × height pixels: a decompression bomb's header."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )


@pytest.fixture
def activity(user):
    return factories.make_activity(user, title="Site visit")


@pytest.mark.parametrize(
    ("width", "height", "message"),
    [
        (8000, 7000, "8,000 × 7,000 pixels; images can have at most 50 megapixels"),
        (10_000, 10_000, "too many pixels"),  # Pillow's own warning, above 89 MP
        (100_000, 100_000, "too many pixels"),  # Pillow's own error, above 179 MP
    ],
)
def test_an_image_over_the_pixel_budget_is_refused_at_the_field(
    logged_in, activity, upload_dir, width, height, message
):
    response = _upload(logged_in, activity, claimed_png(width, height), "scan.png")
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Evidence.id))) == 0
    assert stored_files(upload_dir) == []


def test_the_pixel_budget_is_configurable(app_factory, user, tmp_path, login_as):
    app = app_factory(UPLOAD_DIR=str(tmp_path), EVIDENCE_MAX_PIXELS=1000)
    client = app.test_client()
    with app.app_context():
        activity = factories.make_activity(user)
        login_as(client, user)
        page = _upload(client, activity, samples.png_bytes((40, 30)), "a.png").get_data(True)
        assert "40 × 30 pixels; images can have at most 0.001 megapixels" in page
        assert _upload(client, activity, samples.png_bytes((30, 30)), "b.png").status_code == 302


def test_a_large_image_gets_one_rendition_and_keeps_its_original(
    logged_in, user, activity, upload_dir
):
    original = samples.png_bytes((2600, 1300), colour=(0, 90, 160))
    assert _upload(logged_in, activity, original, "wide.png").status_code == 302
    evidence = db.session.scalar(select(Evidence))
    assert evidence.rendition_sha256 and evidence.rendition_sha256 != evidence.sha256
    with services.open_file(evidence, rendition=True) as stream, Image.open(stream) as copy:
        assert (copy.format, copy.size) == ("JPEG", (2000, 1000))
    response = logged_in.get(f"/evidence/{evidence.id}/download")
    assert response.data == original  # evidence stays what the user uploaded
    response.close()
    assert len(stored_files(upload_dir)) == 2

    reader = PdfReader(io.BytesIO(_pdf(logged_in, make_portfolio(user))))
    placed = [image for page in reader.pages for image in page.images]
    assert [image.image.size for image in placed] == [(2000, 1000)]

    assert logged_in.post(f"/evidence/{evidence.id}/delete").status_code == 302
    assert stored_files(upload_dir) == []


def _pdf(client, portfolio) -> bytes:
    response = client.get(f"/portfolios/{portfolio.id}/portfolio.pdf")
    assert response.status_code == 200
    data = response.get_data()
    response.close()
    return data


def test_a_small_image_is_placed_as_it_is(user, activity):
    evidence = samples.make_evidence(user, activity, samples.png_bytes((300, 200)), "small.png")
    assert evidence.rendition_sha256 is None


def test_the_rendition_stays_while_another_row_uses_it(logged_in, user, activity, upload_dir):
    data = samples.png_bytes((2100, 100))
    first = samples.make_evidence(user, activity, data, "a.png")
    second = samples.make_evidence(user, factories.make_activity(user), data, "b.png")
    assert first.rendition_sha256 == second.rendition_sha256
    assert len(stored_files(upload_dir)) == 2
    logged_in.post(f"/evidence/{first.id}/delete")
    assert len(stored_files(upload_dir)) == 2
    logged_in.post(f"/evidence/{second.id}/delete")
    assert stored_files(upload_dir) == []


def test_transparent_images_are_flattened_onto_white():
    image = Image.new("RGBA", (3000, 10), (255, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    copy = Image.open(io.BytesIO(images.rendition(buffer.getvalue(), 50_000_000)))
    assert copy.mode == "RGB" and copy.getpixel((10, 2))[0] > 240


def test_the_migration_gives_images_already_stored_their_rendition(tmp_path):
    """Data step of migration de1c80a55790: downgrade drops the renditions (the older code would
    never remove them), upgrade makes them again from the originals on disk."""
    below = ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(RENDITIONS).down_revision
    folder = tmp_path / "uploads"
    with scratch_database(tmp_path) as url:
        overrides = {"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": str(folder)}
        app = create_app("testing", overrides=overrides)
        with app.app_context():
            upgrade()
            user = factories.make_user()
            activity = factories.make_activity(user)
            wide = samples.make_evidence(user, activity, samples.png_bytes((2400, 600)), "w.png")
            samples.make_evidence(user, activity, samples.png_bytes((40, 30)), "small.png")
            evidence_id, copy = wide.id, services.file_path(wide).with_name(wide.rendition_sha256)
            db.session.close()
            downgrade(revision=below)
            assert not copy.exists() and len(stored_files(folder)) == 2
            upgrade()
            assert db.session.get(Evidence, evidence_id).rendition_sha256 == copy.name
            assert copy.exists() and len(stored_files(folder)) == 3
            db.session.close()
            db.engine.dispose()


def test_the_pdf_copy_of_a_phone_photo_stands_upright():
    """A phone stores a portrait photo landscape with EXIF Orientation 6 ("turn it 90°"); the
    PDF's copy is turned as the note says, as every photo viewer shows it."""
    photo = Image.new("RGB", (2400, 1200), "navy")
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    out = io.BytesIO()
    photo.save(out, "JPEG", exif=exif)
    copy = images.rendition(out.getvalue(), max_pixels=50_000_000)
    with Image.open(io.BytesIO(copy)) as placed:
        assert placed.size == (1000, 2000)
