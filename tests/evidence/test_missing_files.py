"""A stored file deleted behind the app's back: every way out names it, none answers 500."""

import io
import zipfile

import pytest
from pypdf import PdfReader

from cpd_log.evidence import services
from tests import factories
from tests.evidence import samples
from tests.portfolio.builders import make_link, make_portfolio


@pytest.fixture
def lost(user):
    """An activity with a certificate, a photo and notes; the certificate and photo are then
    removed from disk, as a failed disk or an operator's mistake would."""
    activity = factories.make_activity(user, title="Risk workshop")
    certificate = samples.make_evidence(user, activity, samples.pdf_bytes("LOST CERT"), "lost.pdf")
    photo = samples.make_evidence(user, activity, samples.png_bytes(), "whiteboard.png")
    kept = samples.make_evidence(user, activity, b"my notes", "notes.txt")
    for evidence in (certificate, photo):
        services.file_path(evidence).unlink()
    return certificate, photo, kept


def test_open_file_says_the_file_is_missing(lost):
    certificate, _photo, kept = lost
    with pytest.raises(services.MissingFile, match="“lost.pdf” is missing from storage"):
        services.open_file(certificate)
    with services.open_file(kept) as stream:
        assert stream.read() == b"my notes"


def test_download_of_a_missing_file_is_a_clear_410(logged_in, lost):
    certificate, _photo, kept = lost
    response = logged_in.get(f"/evidence/{certificate.id}/download")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "lost.pdf" in page and "is missing from storage" in page
    response = logged_in.get(f"/evidence/{kept.id}/download")
    assert response.status_code == 200 and response.data == b"my notes"
    response.close()


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    data = response.get_data()
    response.close()
    return zipfile.ZipFile(io.BytesIO(data))


def test_zip_keeps_the_rest_and_names_each_missing_file(logged_in, client, user, lost):
    portfolio = make_portfolio(user)
    _link, token = make_link(portfolio)
    for archive in (
        _zip(logged_in.get(f"/portfolios/{portfolio.id}/portfolio.zip")),
        _zip(client.get(f"/shared/{token}/portfolio.zip")),
    ):
        names = archive.namelist()
        assert [n for n in names if n.startswith("evidence/")] == [
            "evidence/001-Risk workshop/E3-notes.txt"
        ]
        missing = archive.read("MISSING.txt").decode()
        assert "E1" in missing and "lost.pdf" in missing
        assert "E2" in missing and "whiteboard.png" in missing
        assert "is missing from storage" in missing and "notes.txt" not in missing
        assert "MISSING.txt" in archive.read("MANIFEST").decode()
        assert "portfolio.pdf" in names


def test_pdf_says_missing_in_the_index_and_the_appendix(logged_in, user, lost):
    portfolio = make_portfolio(user)
    response = logged_in.get(f"/portfolios/{portfolio.id}/portfolio.pdf")
    assert response.status_code == 200
    data = response.get_data()
    response.close()
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "missing from storage" in text
    assert "E1: The file “lost.pdf” is missing from storage." in text
    assert "E2: The file “whiteboard.png” is missing from storage." in text
    assert "LOST CERT" not in text
    assert not any(page.images for page in reader.pages)


def test_a_certificate_lost_during_the_render_becomes_blank_pages(user):
    """Counted, then gone before merging: the contents' page numbers must stay true."""
    from cpd_log.documents import pdf, pdf_evidence
    from cpd_log.portfolio import services as portfolio_services

    activity = factories.make_activity(user)
    certificate = samples.make_evidence(user, activity, samples.pdf_bytes("GONE", pages=2))
    content = portfolio_services.gather(make_portfolio(user))
    files = pdf_evidence.collect(content)
    assert [pages for _, _, pages, _ in files.certificates] == [2]
    services.file_path(certificate).unlink()
    laid_out = io.BytesIO()
    pages_before = pdf.render(content, laid_out)
    out = io.BytesIO()
    laid_out.seek(0)
    total = pdf_evidence.append_certificates(out, laid_out, files.certificates)
    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert total == len(reader.pages) == pages_before + 2
    assert "GONE" not in " ".join(page.extract_text() for page in reader.pages)
