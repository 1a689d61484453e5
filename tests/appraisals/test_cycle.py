"""The appraisal cycle through the pages: submit, comment, return, resubmit, sign off; replays."""

import io
import re

from pypdf import PdfReader
from sqlalchemy import func, select

from cpd_log.extensions import db
from cpd_log.models import Activity
from cpd_log.models.appraisal import Appraisal, AppraisalComment, AppraisalEvent, AppraisalState
from tests.appraisals.helpers import make_cast, submit


def _pdf_text(client, portfolio_id: int) -> str:
    response = client.get(f"/portfolios/{portfolio_id}/portfolio.pdf")
    data = response.get_data()
    response.close()
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _fresh(appraisal_id: int) -> Appraisal:
    db.session.expire_all()
    return db.session.get(Appraisal, appraisal_id)


def test_member_submits_a_portfolio_to_a_team_appraiser(app, client, login_as):
    cast = make_cast()
    login_as(client, cast.member)
    page = client.get(f"/appraisals/submit/{cast.portfolio.id}").get_data(as_text=True)
    assert "Bea Appraiser — PMO Office" in page
    assert "Lee Lead" not in page  # a lead without the appraiser role is not offered
    response = client.post(
        f"/appraisals/submit/{cast.portfolio.id}",
        data={"appraiser": f"{cast.team.id}:{cast.appraiser.id}"},
    )
    assert response.status_code == 302
    appraisal = db.session.scalar(select(Appraisal))
    assert appraisal.state is AppraisalState.SUBMITTED and appraisal.round == 1
    assert [a["title"] for a in appraisal.snapshot["activities"]] == [
        "Risk workshop",
        "PMO Flashmob",
    ]
    assert appraisal.snapshot["total_minutes"] == 270
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Awaiting the appraiser" in detail and "Submitted</strong> by Mia Member" in detail


def test_an_appraiser_outside_the_members_teams_is_refused_at_the_field(app, client, login_as):
    cast = make_cast()
    other = make_cast(name="Other team")
    login_as(client, cast.member)
    response = client.post(
        f"/appraisals/submit/{cast.portfolio.id}",
        data={"appraiser": f"{other.team.id}:{other.appraiser.id}"},
    )
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Appraisal.id))) == 0


def test_a_second_open_submission_of_the_same_portfolio_is_refused(app, client, login_as):
    cast = make_cast()
    submit(cast)
    login_as(client, cast.member)
    response = client.post(
        f"/appraisals/submit/{cast.portfolio.id}",
        data={"appraiser": f"{cast.team.id}:{cast.appraiser.id}"},
    )
    assert response.status_code == 200
    assert "already with Bea Appraiser (PMO Office)" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Appraisal.id))) == 1


def test_the_appraiser_reads_the_snapshot_not_later_edits(app, client, login_as):
    cast = make_cast()
    appraisal = submit(cast)
    activity = db.session.scalar(select(Activity).where(Activity.title == "Risk workshop"))
    activity.title = "Renamed after submission"
    hidden = Activity(
        **{
            k: getattr(activity, k)
            for k in (
                "user_id",
                "kind",
                "start_date",
                "minutes",
                "delivery",
                "status",
                "provider",
                "description",
                "url",
                "participatory",
            )
        },
        title="Added after submission",
    )
    db.session.add(hidden)
    db.session.commit()
    login_as(client, cast.appraiser)
    page = client.get(f"/appraisals/review/{appraisal.id}").get_data(as_text=True)
    assert "Risk workshop" in page and "PMO Flashmob" in page
    assert "Renamed after submission" not in page and "Added after submission" not in page


def test_comment_return_resubmit_sign_off(app, client, login_as):
    cast = make_cast()
    appraisal = submit(cast)
    first = appraisal.snapshot["activities"][0]["id"]
    login_as(client, cast.appraiser)
    url = f"/appraisals/review/{appraisal.id}"
    client.post(f"{url}/comment", data={"round": 1, "activity_id": first, "body": "Say more."})
    client.post(f"{url}/comment", data={"round": 1, "activity_id": "", "body": "Good year."})
    empty = client.post(f"{url}/decide", data={"round": 1, "reason": "", "return_it": "x"})
    assert empty.status_code == 422
    assert "Say why you return it" in empty.get_data(as_text=True)
    assert _fresh(appraisal.id).state is AppraisalState.SUBMITTED
    client.post(f"{url}/decide", data={"round": 1, "reason": "Add outcomes.", "return_it": "x"})
    assert _fresh(appraisal.id).state is AppraisalState.RETURNED

    client.post("/account/logout")
    login_as(client, cast.member)
    page = client.get(f"/appraisals/{appraisal.id}").get_data(as_text=True)
    assert "Say more." in page and "Good year." in page and "Add outcomes." in page
    assert "Returned</strong> by Bea Appraiser" in page
    client.post(f"/appraisals/{appraisal.id}/resubmit")
    again = _fresh(appraisal.id)
    assert again.state is AppraisalState.SUBMITTED and again.round == 2

    client.post("/account/logout")
    login_as(client, cast.appraiser)
    stale = client.post(f"{url}/decide", data={"round": 1, "sign_off": "x"}, follow_redirects=True)
    assert "resubmitted this since you opened it" in stale.get_data(as_text=True)
    assert _fresh(appraisal.id).state is AppraisalState.SUBMITTED
    client.post(f"{url}/decide", data={"round": 2, "reason": "", "sign_off": "x"})
    assert _fresh(appraisal.id).state is AppraisalState.SIGNED_OFF
    twice = client.post(f"{url}/decide", data={"round": 2, "sign_off": "x"}, follow_redirects=True)
    assert twice.status_code == 200
    assert "already signed off" in twice.get_data(as_text=True)
    kinds = [
        e.kind.value for e in db.session.scalars(select(AppraisalEvent).order_by(AppraisalEvent.id))
    ]
    assert kinds == ["submitted", "returned", "resubmitted", "signed_off"]

    client.post("/account/logout")
    login_as(client, cast.member)
    history = client.get(f"/appraisals/{appraisal.id}").get_data(as_text=True)
    for step in ("Submitted", "Returned", "Resubmitted", "Signed off"):
        assert f"{step}</strong>" in history


def test_the_portfolio_pdf_prints_the_sign_off(app, client, login_as):
    cast = make_cast()
    appraisal = submit(cast)
    login_as(client, cast.member)
    assert "Not signed off yet." in _pdf_text(client, cast.portfolio.id)
    client.post("/account/logout")
    login_as(client, cast.appraiser)
    client.post(f"/appraisals/review/{appraisal.id}/decide", data={"round": 1, "sign_off": "x"})
    client.post("/account/logout")
    login_as(client, cast.member)
    text = _pdf_text(client, cast.portfolio.id)
    decided = _fresh(appraisal.id).decided_at
    assert (
        f"Signed off by Bea Appraiser, appraiser for PMO Office, on {decided:%-d %b %Y}, "
        "for the period 1 Jan 2026 – 31 Dec 2026." in text
    )
    assert "Not signed off yet." not in text


def test_withdrawn_submission_hides_its_content_and_takes_no_decision(app, client, login_as):
    cast = make_cast()
    appraisal = submit(cast)
    login_as(client, cast.member)
    client.post(f"/appraisals/{appraisal.id}/withdraw")
    again = client.post(f"/appraisals/{appraisal.id}/withdraw", follow_redirects=True)
    assert "it cannot be withdrawn. Nothing changed." in again.get_data(as_text=True)
    client.post("/account/logout")
    login_as(client, cast.appraiser)
    url = f"/appraisals/review/{appraisal.id}"
    page = client.get(url).get_data(as_text=True)
    assert "The member withdrew this submission" in page and "Risk workshop" not in page
    for path, data in (
        (f"{url}/decide", {"round": 1, "sign_off": "x"}),
        (f"{url}/comment", {"round": 1, "activity_id": "", "body": "Late"}),
    ):
        answer = client.post(path, data=data, follow_redirects=True)
        assert answer.status_code == 200
        assert "The member withdrew this submission on" in answer.get_data(as_text=True)
    assert _fresh(appraisal.id).state is AppraisalState.WITHDRAWN
    assert db.session.scalar(select(func.count(AppraisalComment.id))) == 0


def test_a_comment_on_an_activity_not_submitted_changes_nothing(app, client, login_as):
    cast = make_cast()
    appraisal = submit(cast)
    login_as(client, cast.appraiser)
    url = f"/appraisals/review/{appraisal.id}/comment"
    answer = client.post(
        url, data={"round": 1, "activity_id": "999999", "body": "x"}, follow_redirects=True
    )
    assert "not in this submission" in answer.get_data(as_text=True)
    assert client.post(url, data={"round": 1, "activity_id": "abc", "body": "x"}).status_code == 404
    empty = client.post(url, data={"round": 1, "activity_id": "", "body": "  "})
    assert empty.status_code == 422 and "Write a comment." in empty.get_data(as_text=True)
    assert db.session.scalar(select(func.count(AppraisalComment.id))) == 0


def test_a_scheme_cycle_is_submitted_with_its_rules_and_printed_with_the_sign_off(
    app, client, login_as
):
    from tests.appraisals.helpers import Cast
    from tests.portfolio.builders import make_portfolio
    from tests.schemes.helpers import make_cycle

    cast = make_cast()
    cycle = make_cycle(cast.member)
    portfolio = make_portfolio(cast.member, "Cycle one", cycle=cycle, date_from=None, date_to=None)
    appraisal = submit(Cast(cast.team, cast.lead, cast.appraiser, cast.member, portfolio))
    assert appraisal.cycle_label.startswith(f"{cycle.enrolment.label} · Cycle 1 · 1 Jan 2026")
    assert appraisal.snapshot["rules"], "the rules engine's verdict is in the snapshot"
    login_as(client, cast.appraiser)
    page = client.get(f"/appraisals/review/{appraisal.id}").get_data(as_text=True)
    assert "Scheme rules at submission" in page and appraisal.snapshot["rules"][0]["name"] in page
    client.post(f"/appraisals/review/{appraisal.id}/decide", data={"round": 1, "sign_off": "x"})
    client.post("/account/logout")
    login_as(client, cast.member)
    text = _pdf_text(client, portfolio.id)
    assert f"({appraisal.cycle_label})" in text.replace("\n", " ")


def test_a_team_schemes_cycle_is_submitted_and_signed_off(app, client, login_as):
    """Issue 18, Deliver 5: "a period, or a team scheme's cycle" — the team's own appraisal year,
    its rules counted at submission and the cycle named on the printed sign-off."""
    from datetime import date

    from cpd_log.schemes.services import enrol
    from cpd_log.team_library.services import publish_scheme
    from tests.appraisals.helpers import Cast
    from tests.portfolio.builders import make_portfolio

    cast = make_cast()
    year = {
        "slug": "appraisal-year", "name": "PMO Office appraisal year", "version": "1",
        "source": "Our appraisal policy", "period": {"type": "cycle", "months": 12},
        "unit": {"name": "hour", "plural": "hours", "minutes": 60}, "total_min": 30,
        "categories": [{"code": "LEARNING", "name": "Learning"}],
        "allocation": {"default": "LEARNING"},
    }  # fmt: skip
    scheme = publish_scheme(cast.team.id, year)
    cycle = enrol(cast.member, scheme, date(2026, 1, 1), "Appraisal", date(2026, 6, 1)).cycles[0]
    db.session.commit()
    assert scheme.team_id == cast.team.id and cycle.scheme_id == scheme.id
    portfolio = make_portfolio(cast.member, "Team year", cycle=cycle, date_from=None, date_to=None)
    appraisal = submit(Cast(cast.team, cast.lead, cast.appraiser, cast.member, portfolio))
    assert appraisal.cycle_label.startswith("Appraisal · Cycle 1 · 1 Jan 2026")
    titles = {a["title"] for a in appraisal.snapshot["activities"]}
    assert titles == {"Risk workshop", "PMO Flashmob"}  # the cycle's activities
    login_as(client, cast.appraiser)
    page = client.get(f"/appraisals/review/{appraisal.id}").get_data(as_text=True)
    assert "Scheme rules at submission" in page
    (rule,) = appraisal.snapshot["rules"]  # the team scheme's total: 4.5 of 30 hours
    assert not rule["met"] and rule["name"] in page and rule["detail"] in page
    client.post(f"/appraisals/review/{appraisal.id}/decide", data={"round": 1, "sign_off": "x"})
    assert _fresh(appraisal.id).state == AppraisalState.SIGNED_OFF
    client.post("/account/logout")
    login_as(client, cast.member)
    text = _pdf_text(client, portfolio.id)
    assert "Signed off by Bea Appraiser, appraiser for PMO Office" in text
    assert f"({appraisal.cycle_label})" in text


def test_a_decision_needs_one_of_the_two_buttons(app, client, login_as):
    cast = make_cast()
    appraisal = submit(cast)
    login_as(client, cast.appraiser)
    answer = client.post(
        f"/appraisals/review/{appraisal.id}/decide", data={"round": 1, "reason": "Hm."}
    )
    assert answer.status_code == 422
    assert "Choose Sign off or Return to the member." in answer.get_data(as_text=True)
    assert _fresh(appraisal.id).state is AppraisalState.SUBMITTED


def test_the_appraisers_pages_take_the_same_queries_at_any_size(
    app, client, login_as, count_queries, uncached
):
    from datetime import date

    from tests import factories

    counts = []
    for extra in (0, 38):
        cast = make_cast()
        for n in range(extra):
            factories.make_activity(cast.member, title=f"More {n}", start_date=date(2026, 6, 1))
        appraisal = submit(cast)
        assert len(appraisal.snapshot["activities"]) == 2 + extra
        first = appraisal.snapshot["activities"][0]["id"]
        login_as(client, cast.appraiser)
        client.post(
            f"/appraisals/review/{appraisal.id}/comment",
            data={"round": 1, "activity_id": first, "body": "Noted."},
        )
        with count_queries() as statements:
            assert client.get(f"/appraisals/review/{appraisal.id}").status_code == 200
            assert client.get("/appraisals/").status_code == 200
        counts.append(len(statements))
        client.post("/account/logout")
    assert counts[0] == counts[1], counts
