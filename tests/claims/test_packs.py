"""The audit pack read back: every field of each body's form in the PDF and the CSV, what is still
to complete on the first page, statuses, the NMC template's sections, the ZIP's evidence folders
and MANIFEST, and owner-only, no-store downloads."""

import csv
import hashlib
import io
import zipfile
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from cpd_log.claims import services
from cpd_log.claims.cards import Status
from cpd_log.claims.choices import ClaimState
from cpd_log.claims.pack_pdf import CONFIRMATION_FIELDS, DISCUSSION_FIELDS
from cpd_log.claims.packs import NMC_QUESTIONS
from cpd_log.evidence.services import file_path
from cpd_log.extensions import db
from cpd_log.models import ActivityKind
from tests import factories
from tests.evidence.samples import make_evidence, pdf_bytes
from tests.schemes.helpers import make_enrolment

TODAY = date.today()
SLUGS = ("pmi-pmp", "apm", "peoplecert-axelos", "nmc-style", "rics-style")


def _download(client, cycle, ext: str):
    """The response, closed (a download holds its temporary file open until then)."""
    response = client.get(f"/claims/cycles/{cycle.id}/pack.{ext}")
    response.get_data()
    response.close()
    return response


def _flat(text: str) -> str:
    return " ".join(text.split())


def _pdf_text(data: bytes, pages=None) -> str:
    reader = PdfReader(io.BytesIO(data))
    chosen = reader.pages if pages is None else reader.pages[:pages]
    return _flat(" ".join(page.extract_text() for page in chosen))


def _csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _cycle(user, slug: str):
    cycle = make_enrolment(user, slug, TODAY - timedelta(days=100)).cycles[0]
    full = factories.make_activity(
        user,
        title="Risk workshop",
        kind=ActivityKind.COURSE,
        provider="Acme Training",
        description="Two days on risk registers",
        url="https://example.com/risk",
        objective="Run a risk review",
        start_date=TODAY - timedelta(days=12),
        end_date=TODAY - timedelta(days=11),
        minutes=240,
        participatory=True,
    )
    sparse = factories.make_activity(
        user, title="Reading on estimates", start_date=TODAY - timedelta(days=5), minutes=120
    )
    make_evidence(user, full)
    return cycle, full, sparse


@pytest.mark.parametrize("slug", SLUGS)
def test_every_field_of_the_body_form_is_in_the_pdf_and_the_csv(logged_in, user, slug):
    cycle, full, _sparse = _cycle(user, slug)
    cards = services.claim_list(user, cycle, TODAY).cards
    assert len(cards) == 2
    pdf = _download(logged_in, cycle, "pdf")
    assert pdf.status_code == 200
    assert pdf.headers["Cache-Control"] == "private, no-store"
    text = _pdf_text(pdf.data)
    rows = _csv(_download(logged_in, cycle, "csv").data)
    assert len(rows) == 2
    for card, row in zip(cards, rows, strict=True):  # one row per claim, in the cards' order
        for value in card.values:
            assert _flat(value.label) in text, value.label
            assert value.label in row
            assert row[value.label] == value.text
            if value.text:
                assert _flat(value.text) in text, value.text
        assert row["Status"] == "To claim"
    assert "certificate.pdf" in text  # the certificate index names the claim's file


def test_the_first_page_lists_each_missing_value_with_its_activity(logged_in, user):
    cycle, _full, _sparse = _cycle(user, "pmi-pmp")
    first = _pdf_text(_download(logged_in, cycle, "pdf").data, pages=1)
    assert "To complete" in first
    assert "Reading on estimates Provider: to complete" in first
    assert "Reading on estimates URL: to complete" in first
    assert "Risk workshop Provider: to complete" not in first


def test_the_pmi_pack_says_which_claims_are_claimed(logged_in, user):
    cycle, full, sparse = _cycle(user, "pmi-pmp")
    day = TODAY - timedelta(days=1)
    services.save_status(user, cycle, full.id, Status(ClaimState.CLAIMED, day, "CCR-42"))
    services.save_status(user, cycle, sparse.id, Status(ClaimState.REJECTED, reason="No proof"))
    db.session.commit()
    text = _pdf_text(_download(logged_in, cycle, "pdf").data)
    assert f"Claimed on {day.isoformat()} (reference CCR-42)" in text
    assert "Rejected: No proof" in text
    rows = _csv(_download(logged_in, cycle, "csv").data)
    assert {r["The body's reference"] for r in rows} == {"CCR-42", ""}


def test_the_nmc_pack_has_reflective_accounts_discussion_and_confirmation(logged_in, user):
    cycle, full, _sparse = _cycle(user, "nmc-style")
    factories.make_reflection(
        user,
        title="Handover lessons",
        activity_id=full.id,
        applied_text="Changed our handover sheet",
        applied_on=TODAY - timedelta(days=3),
        reflected_on=TODAY - timedelta(days=4),
    )
    text = _pdf_text(_download(logged_in, cycle, "pdf").data)
    assert "CPD log" in text
    assert "Reflective account 1: Handover lessons" in text
    assert "Changed our handover sheet" in text
    assert "Reflective account 5" in text  # blank accounts up to the five the NMC asks for
    assert "Handover lessons How is this relevant to the Code?: to complete" in text
    for question in (*NMC_QUESTIONS, *DISCUSSION_FIELDS, *CONFIRMATION_FIELDS):
        assert _flat(question) in text, question
    assert "Reflective discussion" in text and "Confirmation" in text


def test_peoplecert_and_apm_summaries(logged_in, user):
    people, *_ = _cycle(user, "peoplecert-axelos")
    text = _pdf_text(_download(logged_in, people, "pdf").data)
    assert "Points per category after the per-activity limits" in text
    apm = make_enrolment(user, "apm", TODAY - timedelta(days=100)).cycles[0]
    text = _pdf_text(_download(logged_in, apm, "pdf").data)
    assert "Activities in the year 2" in text
    assert "More than one activity: 2 needed, 2 counted (met)" in text


def test_csv_cells_are_spreadsheet_safe(logged_in, user):
    cycle = make_enrolment(user, "rics-style", TODAY - timedelta(days=100)).cycles[0]
    factories.make_activity(user, title="=HYPERLINK(1)", start_date=TODAY - timedelta(days=3))
    (row,) = _csv(_download(logged_in, cycle, "csv").data)
    assert row["Subject area"] == "'=HYPERLINK(1)"


def test_the_zip_holds_pdf_csv_evidence_per_claim_and_a_manifest(logged_in, user):
    cycle, *_ = _cycle(user, "pmi-pmp")
    response = _download(logged_in, cycle, "zip")
    assert response.headers["Cache-Control"] == "private, no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert {"audit-pack.pdf", "claims.csv", "MANIFEST"} <= set(names)
    evidence = [n for n in names if n.startswith("claims/")]
    assert len(evidence) == 1 and evidence[0].endswith("certificate.pdf")
    assert "Risk_workshop" in evidence[0] or "Risk workshop" in evidence[0]
    manifest = archive.read("MANIFEST").decode().splitlines()
    assert len(manifest) == len(names) - 1
    for line in manifest:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest


def test_another_users_cycle_is_not_found(client, login_as, user, other_user):
    cycle, *_ = _cycle(user, "pmi-pmp")
    login_as(client, other_user)
    for ext in ("pdf", "csv", "zip"):
        assert _download(client, cycle, ext).status_code == 404


def _page_of(texts: list[str], needle: str) -> int:
    return next(n for n, text in enumerate(texts) if needle in text)


def test_each_claims_pdf_certificates_follow_the_page_where_the_claim_ends(logged_in, user):
    """Claim 1's certificate sits between its last page and claim 2's page, bookmarked; a file
    gone from storage is still named and the pack still renders."""
    cycle = make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=100)).cycles[0]
    long = "Risk registers, owners and reviews. " * 120  # a claim that fills most of a page
    first = factories.make_activity(
        user, title="Risk workshop", description=long, start_date=TODAY - timedelta(days=12)
    )
    second = factories.make_activity(
        user, title="Estimating course", description=long, start_date=TODAY - timedelta(days=5)
    )
    make_evidence(user, first, pdf_bytes("CERT-ONE"), name="one.pdf")
    make_evidence(user, second, pdf_bytes("CERT-TWO"), name="two.pdf")
    lost = make_evidence(user, second, pdf_bytes("CERT-LOST"), name="lost.pdf")
    file_path(lost).unlink()
    reader = PdfReader(io.BytesIO(_download(logged_in, cycle, "pdf").data))
    texts = [_flat(page.extract_text()) for page in reader.pages]
    heading_one, heading_two = _page_of(texts, "1. Risk workshop"), _page_of(texts, "2. Estimating")
    one, two = _page_of(texts, "CERT-ONE"), _page_of(texts, "CERT-TWO")
    assert heading_one < one < heading_two < two == len(texts) - 1
    assert "Certificate: one.pdf" in texts[one - 1]  # right after the page where claim 1 ends
    assert "Certificate: lost.pdf" in texts[two - 1]  # named, not merged
    assert "CERT-LOST" not in " ".join(texts)
    outline = {item.title: reader.get_destination_page_number(item) for item in reader.outline}
    assert outline == {"Claim 1: one.pdf": one, "Claim 2: two.pdf": two}


def test_certificates_of_claims_ending_on_the_same_page_follow_it_in_claim_order(logged_in, user):
    """A damaged PDF is named in its claim and not merged."""
    cycle, full, sparse = _cycle(user, "pmi-pmp")  # full already has certificate.pdf
    make_evidence(user, sparse, pdf_bytes("CERT-SPARSE"), name="sparse.pdf")
    make_evidence(user, sparse, b"%PDF-1.4 damaged", name="damaged.pdf")
    reader = PdfReader(io.BytesIO(_download(logged_in, cycle, "pdf").data))
    texts = [_flat(page.extract_text()) for page in reader.pages]
    claims = _page_of(texts, "1. Risk workshop")
    assert "Certificate: damaged.pdf" in texts[claims]
    assert "Certificate of completion" in texts[claims + 1]
    assert "CERT-SPARSE" in texts[claims + 2]
    assert len(texts) == claims + 3
    titles = [item.title for item in reader.outline]
    assert titles == ["Claim 1: certificate.pdf", "Claim 2: sparse.pdf"]
