"""Portfolios with reflections and scheme cycles: choosing a cycle, including and removing
reflections (never drafts), and what the PDF, ZIP and JSON show for them (read back)."""

import io
import json
import zipfile
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from cpd_log.documents import bundle, pdf
from cpd_log.extensions import db
from cpd_log.models import ActivityKind, ActivityStatus, Portfolio
from cpd_log.portfolio import services
from tests import factories
from tests.evidence import samples
from tests.portfolio.builders import make_link, make_portfolio
from tests.schemes.helpers import make_cycle

TODAY = date(2026, 11, 23)


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _pdf(portfolio) -> str:
    buffer = io.BytesIO()
    pdf.render(services.gather(portfolio, today=TODAY), buffer)
    return " ".join(_text(buffer.getvalue()).split())


def _form(**fields) -> dict:
    return {"title": "Audit pack", "audience": "audit", "include_evidence": "y", **fields}


@pytest.fixture
def pmp_cycle(user):
    return make_cycle(user, "pmi-pmp", date(2026, 1, 1))


def test_choosing_a_cycle_makes_its_dates_the_period(logged_in, user, pmp_cycle):
    page = logged_in.get("/portfolios/new").get_data(as_text=True)
    assert f'value="{pmp_cycle.id}"' in page
    response = logged_in.post("/portfolios/new", data=_form(cycle=str(pmp_cycle.id)))
    assert response.status_code == 302
    portfolio = db.session.scalar(select(Portfolio))
    assert portfolio.cycle_id == pmp_cycle.id
    assert (portfolio.date_from, portfolio.date_to) == (pmp_cycle.start_date, pmp_cycle.end_date)


def test_another_users_cycle_is_not_offered_and_answers_404(logged_in, other_user):
    theirs = make_cycle(other_user, "pmi-pmp")
    page = logged_in.get("/portfolios/new").get_data(as_text=True)
    assert f'value="{theirs.id}"' not in page
    response = logged_in.post("/portfolios/new", data=_form(cycle=str(theirs.id)))
    assert response.status_code == 404
    assert db.session.scalar(select(Portfolio)) is None


@pytest.mark.parametrize("value", ["abc", "-1", "1e9", "99999999999999999999"])
def test_a_malformed_cycle_value_is_no_cycle(logged_in, value):
    response = logged_in.post("/portfolios/new", data=_form(cycle=value))
    assert response.status_code == 302
    assert db.session.scalar(select(Portfolio.cycle_id)) is None


def test_non_draft_reflections_of_the_period_are_in_and_can_be_taken_out(logged_in, user):
    kept = factories.make_reflection(user, title="Kept one", reflected_on=date(2026, 3, 1))
    removed = factories.make_reflection(user, title="Removed one", reflected_on=date(2026, 4, 1))
    factories.make_reflection(user, title="A draft", reflected_on=date(2026, 4, 1), is_draft=True)
    factories.make_reflection(user, title="Too early", reflected_on=date(2025, 1, 1))
    portfolio = make_portfolio(user, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31))
    content = services.gather(portfolio)
    assert [r.title for r in content.reflection_list] == ["Kept one", "Removed one"]

    page = logged_in.get(f"/portfolios/{portfolio.id}/edit").get_data(as_text=True)
    assert "A draft" not in page and f'name="reflections" value="{removed.id}"' in page
    form = _form(date_from="2026-01-01", date_to="2026-12-31", reflections=[str(kept.id)])
    assert logged_in.post(f"/portfolios/{portfolio.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert portfolio.excluded_reflection_ids == [removed.id]
    assert [r.title for r in services.gather(portfolio).reflection_list] == ["Kept one"]
    page = logged_in.get(f"/portfolios/{portfolio.id}").get_data(as_text=True)
    assert "Kept one" in page and "Removed one" not in page and "A draft" not in page


def test_pdf_groups_reflections_by_competency_with_every_stage(user, framework):
    leaf = factories.leaves(framework)[0]
    activity = factories.make_activity(user, title="Risk workshop", start_date=date(2026, 2, 1))
    factories.make_reflection(
        user,
        title="Learning from the risk review",
        reflected_on=date(2026, 2, 3),
        activity_id=activity.id,
        competencies=[leaf],
        stages={
            "gibbs_description": "We **reviewed** the *register*.\n\n- first point\n- second point",
            "gibbs_feelings": "Nervous at first.",
        },
    )
    text = _pdf(make_portfolio(user))
    for expected in [
        "Reflections by competency",
        leaf.label,
        "Learning from the risk review",
        "Gibbs",
        "3 Feb 2026",
        "Activity: Risk workshop",
        "Description",
        "We reviewed the register.",
        "• first point",
        "Feelings",
        "Nervous at first.",
    ]:
        assert expected in text, expected
    assert "**" not in text


HOSTILE_MARKDOWN = [
    "<script>alert(1)</script> & <para> <font name='x'> </b> <b>",
    "<img src=x onerror=alert(1)> [link](javascript:alert(1)) ```<br/>```",
    "&amp; &#0; &#x110000; <![CDATA[x]]> <!-- c --> \u202e \ufffe",
    "> quote\n>> nested\n\n1. one\n   - two\n\n| a | b |\n|---|---|\n| <u>c</u> | d |",
]


@pytest.mark.parametrize("hostile", HOSTILE_MARKDOWN)
def test_hostile_reflection_text_never_crashes_the_pdf(user, hostile):
    factories.make_reflection(
        user, title=f"Hostile {hostile[:20]}", stages={"gibbs_description": hostile}
    )
    text = _pdf(make_portfolio(user))
    assert "Hostile" in text


def test_script_text_is_printed_not_interpreted(user):
    factories.make_reflection(user, stages={"gibbs_description": "Tom & Jerry <b>bold?</b>"})
    assert "Tom & Jerry bold?" in _pdf(make_portfolio(user))


def test_cycle_pdf_has_the_rules_table_and_hours_per_category(user, pmp_cycle):
    factories.make_activity(
        user,
        title="Agile course",
        kind=ActivityKind.COURSE,
        minutes=180,
        start_date=date(2026, 3, 1),
    )
    factories.make_activity(
        user,
        title="Mentoring a junior PM",
        kind=ActivityKind.MENTORING_GIVEN,
        minutes=120,
        start_date=date(2026, 4, 1),
    )
    portfolio = make_portfolio(user, cycle=pmp_cycle)
    content = services.gather(portfolio, today=TODAY)
    assert content.rules and any(not r["met"] for r in content.rules)
    text = _pdf(portfolio)
    assert "Scheme requirements" in text
    for rule in content.rules:
        assert rule["name"] in text, rule["name"]
    assert "Not met" in text
    assert "Education, no Talent Triangle area 3 PDUs" in text
    assert "Volunteering, creating content, sharing knowledge 2 PDUs" in text
    assert "PDUs counted per category" in text


CYCLE_NOTE = "Counted over every completed activity in the cycle 1 Jan 2026 – 31 Dec 2028"


def test_cycle_tables_say_they_count_activities_left_out_of_the_portfolio(
    logged_in, client, user, pmp_cycle
):
    def course(title, **fields):
        return factories.make_activity(user, title=title, start_date=date(2026, 3, 1), **fields)

    kept, removed, also_removed = course("Kept"), course("Removed"), course("Also removed")
    course("Planned, listed, never counted", status=ActivityStatus.PLANNED)
    factories.make_activity(user, title="Before the cycle", start_date=date(2025, 6, 1))
    portfolio = make_portfolio(user, cycle=pmp_cycle)
    portfolio.excluded_activity_ids = [removed.id, also_removed.id]
    db.session.commit()
    content = services.gather(portfolio, today=TODAY)
    assert {a.title for a in content.activities} == {"Kept", "Planned, listed, never counted"}
    assert kept in content.activities

    sentence = f"{CYCLE_NOTE}, including 2 not listed in this portfolio."
    assert content.cycle_note == sentence
    text = _pdf(portfolio)
    assert sentence in text
    assert text.index("Scheme requirements") < text.index(sentence)
    preview = logged_in.get(f"/portfolios/{portfolio.id}").get_data(as_text=True)
    assert sentence in preview
    _link, token = make_link(portfolio)
    assert sentence in client.get(f"/shared/{token}").get_data(as_text=True)
    buffer = io.BytesIO()
    bundle.write_zip(content, buffer)
    cycle = json.loads(zipfile.ZipFile(buffer).read("portfolio.json"))["cycle"]
    assert cycle["counted_activities_not_listed"] == 2
    assert cycle["note"] == sentence


def test_cycle_note_adds_nothing_when_every_counted_activity_is_listed(user, pmp_cycle):
    factories.make_activity(user, title="Only course", start_date=date(2026, 3, 1))
    text = _pdf(make_portfolio(user, cycle=pmp_cycle))
    assert f"{CYCLE_NOTE}." in text
    assert "not listed in this portfolio" not in text


def test_portfolio_without_a_cycle_has_no_cycle_note(user):
    factories.make_activity(user, title="Only course", start_date=date(2026, 3, 1))
    assert "Counted over every completed activity" not in _pdf(make_portfolio(user))


def test_zip_puts_reflection_evidence_in_its_own_folder_and_json_has_reflections(user):
    reflection = factories.make_reflection(user, title="Notes on coaching")
    samples.make_evidence(user, reflection, name="coaching notes.pdf")
    activity = factories.make_activity(user, title="Coaching day")
    samples.make_evidence(user, activity, samples.png_bytes(), name="photo.png")
    buffer = io.BytesIO()
    bundle.write_zip(services.gather(make_portfolio(user), today=TODAY), buffer)
    archive = zipfile.ZipFile(buffer)
    names = archive.namelist()
    assert "evidence/reflections/001-Notes on coaching/E2-coaching notes.pdf" in names
    assert "evidence/001-Coaching day/E1-photo.png" in names
    document = json.loads(archive.read("portfolio.json"))
    (entry,) = document["reflections"]
    assert entry["title"] == "Notes on coaching" and entry["evidence"] == ["E2"]
    assert entry["stages"][0]["heading"] == "Description"
    assert document["evidence"][1]["reflection"] == "Notes on coaching"


def test_evidence_index_lists_reflection_evidence(user):
    reflection = factories.make_reflection(user, title="Reflection with a file")
    samples.make_evidence(user, reflection, name="cert.pdf")
    text = _pdf(make_portfolio(user))
    assert "Evidence: E1" in text
    assert "Reflection with a file" in text.split("Evidence index", 2)[-1]


def test_preview_query_count_does_not_grow_with_reflections(
    logged_in, user, framework, count_queries
):
    leaf = factories.leaves(framework)[0]
    portfolio = make_portfolio(user)
    factories.make_reflection(user, competencies=[leaf])
    with count_queries() as few:
        assert logged_in.get(f"/portfolios/{portfolio.id}").status_code == 200
    for _ in range(10):
        reflection = factories.make_reflection(user, competencies=[leaf])
        samples.make_evidence(user, reflection)
    with count_queries() as many:
        assert logged_in.get(f"/portfolios/{portfolio.id}").status_code == 200
    assert len(many) == len(few)


def test_the_cycle_picker_counts_cycles_from_one_like_every_other_page(logged_in, pmp_cycle):
    """Issue 14, defect 9: the first cycle is "Cycle 1" here too, not "cycle 0"."""
    page = logged_in.get("/portfolios/new").get_data(as_text=True)
    assert f"{pmp_cycle.enrolment.label} · Cycle 1 · 1 Jan 2026 – " in page
    assert "cycle 0" not in page.lower()
