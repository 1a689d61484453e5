"""Scheme pages through the app: enrol, dashboard progress, the cycle page, splits, own schemes."""

import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cpd_log.extensions import db
from cpd_log.models import ActivityKind, ActivityStatus
from cpd_log.models.scheme import Allocation, Cycle, Enrolment, Scheme
from cpd_log.schemes import services
from cpd_log.schemes.checking import DATA_DIR
from tests import factories
from tests.schemes.helpers import make_cycle, make_enrolment, shipped, talent_triangle

TODAY = date.today()


def figures(html: str, code: str) -> str:
    """The "counted/target" text of the first rule `code` on a page."""
    match = re.search(
        rf'data-testid="rule-{re.escape(code)}".*?data-testid="figures">([^<]*)<', html, re.S
    )
    assert match, f"rule {code} not on the page"
    return match.group(1).strip()


def test_enrol_in_pmp_and_see_a_tagged_course_counted(logged_in, user):
    pmp = shipped("pmi-pmp")
    tt = talent_triangle()
    response = logged_in.post(
        "/schemes/", data={"scheme": pmp.id, "start_date": "2025-03-14", "label": "PMP"}
    )
    assert response.status_code == 302
    factories.make_activity(
        user, [tt["TT.PS"]], kind=ActivityKind.COURSE, minutes=180, start_date=TODAY
    )
    page = logged_in.get("/dashboard").data.decode()
    assert figures(page, "min:EDU") == "3/35 PDUs"
    assert figures(page, "min:EDU.PS") == "3/8 PDUs"
    assert figures(page, "min:EDU.WOW") == "0/8 PDUs"
    assert figures(page, "total") == "3/60 PDUs"
    assert "days left" in page and "You need" in page and "last-90-days pace" in page


def test_bad_enrolment_input_is_reported_and_nothing_saved(logged_in, user):
    pmp = shipped("pmi-pmp")
    missing = logged_in.post("/schemes/", data={"scheme": pmp.id, "start_date": ""})
    assert missing.status_code == 200 and b"Enter a date." in missing.data
    too_old = logged_in.post("/schemes/", data={"scheme": pmp.id, "start_date": "1950-01-01"})
    assert b"within the last 40 years" in too_old.data
    for bad in ("999999", "abc", ""):
        response = logged_in.post("/schemes/", data={"scheme": bad, "start_date": "2025-01-01"})
        assert response.status_code == 200
        assert b"is-invalid" in response.data
    assert db.session.scalar(select(func.count(Enrolment.id))) == 0


def test_another_users_scheme_is_not_on_offer(logged_in, user, other_user, client, login_as):
    data = json.loads((DATA_DIR / "custom.json").read_text())
    data.update(slug="bobs-year", name="Bob's appraisal year")
    db.session.add(
        Scheme(
            slug="bobs-year",
            version="1",
            name=data["name"],
            source="x",
            content=data,
            owner_id=other_user.id,
        )
    )
    db.session.commit()
    bobs = db.session.scalar(select(Scheme.id).where(Scheme.slug == "bobs-year"))
    page = logged_in.get("/schemes/").data.decode()
    assert "Bob&#39;s appraisal year" not in page
    response = logged_in.post("/schemes/", data={"scheme": bobs, "start_date": "2025-01-01"})
    assert response.status_code == 200 and b"is-invalid" in response.data


def test_past_and_current_cycles_are_listed(logged_in, user):
    make_enrolment(user, "pmi-pmp", date(2019, 5, 1), "PMP")
    page = logged_in.get("/schemes/").data.decode()
    assert "1 May 2019 – 30 Apr 2022" in page
    assert "1 May 2022 – 30 Apr 2025" in page
    assert "1 May 2025 – 30 Apr 2028" in page
    assert page.count("closed") == 2


def test_cycle_page_says_what_counts_where_and_why(logged_in, user):
    tt = talent_triangle()
    cycle = make_cycle(user, "pmi-pmp", date(2025, 3, 14))
    factories.make_activity(
        user,
        [tt["TT.PS"], tt["TT.BA"]],
        title="Negotiation course",
        kind=ActivityKind.COURSE,
        minutes=120,
        start_date=date(2025, 6, 1),
    )
    factories.make_activity(
        user,
        [],
        title="Led the PMO",
        kind=ActivityKind.ON_THE_JOB,
        minutes=600,
        start_date=date(2025, 7, 1),
    )
    factories.make_activity(
        user, [], title="Planned thing", start_date=date(2025, 7, 2), status=ActivityStatus.PLANNED
    )
    factories.make_activity(user, [], title="Before the cycle", start_date=date(2025, 3, 13))
    page = logged_in.get(f"/schemes/cycles/{cycle.id}").data.decode()
    assert "Negotiation course" in page and "Led the PMO" in page
    assert "Planned thing" not in page and "Before the cycle" not in page
    assert "Power Skills: 1 PDU" in page and "Business Acumen: 1 PDU" in page
    assert "Working as a practitioner: 10 PDUs" in page
    assert figures(page, "max:GB.WORK") == "8/8 PDUs"  # capped at 8 however much is logged
    assert "2 PDUs do not count" in page


def test_split_override_is_validated_then_counts(logged_in, user):
    cycle = make_cycle(user, "pmi-pmp", date(2025, 3, 14))
    activity = factories.make_activity(
        user, [], kind=ActivityKind.COURSE, minutes=180, start_date=date(2025, 6, 1)
    )
    url = f"/schemes/cycles/{cycle.id}/activities/{activity.id}"
    form = logged_in.get(url).data.decode()
    fields = dict(re.findall(r'<label class="form-label" for="(c\d+)">([^<]*)</label>', form))
    by_name = {name.replace("&rsaquo;", "›"): field for field, name in fields.items()}
    ps = by_name["Education › Power Skills"]
    gb = by_name["Giving Back › Volunteering, creating content, sharing knowledge"]

    def post(**values):  # a browser sends every field; the ones not named here as 0
        return logged_in.post(url, data={field: values.get(field, "0") for field in fields})

    cases = [
        ({ps: "1.1"}, "steps of 0.25 PDUs"),
        ({gb: "1.5"}, "steps of 1 PDU"),
        ({ps: "3", gb: "1"}, "activity lasted 3 PDUs"),
        ({ps: "lots"}, "Enter a number of PDUs"),
        ({ps: "nan"}, "Enter a number of PDUs"),
        ({ps: "1e999999"}, "Enter a number of PDUs"),
        ({ps: "-1"}, "Enter 0 or more."),
    ]
    for data, message in cases:
        response = post(**data)
        assert response.status_code == 200 and message in response.data.decode(), message
    assert db.session.scalar(select(func.count(Allocation.id))) == 0

    assert post(**{ps: "2", gb: "1"}).status_code == 302
    page = logged_in.get(f"/schemes/cycles/{cycle.id}").data.decode()
    assert "Your own split." in page and figures(page, "min:EDU.PS") == "2/8 PDUs"
    assert figures(page, "max:GB") == "1/25 PDUs"

    assert logged_in.post(f"{url}/reset").status_code == 302
    page = logged_in.get(f"/schemes/cycles/{cycle.id}").data.decode()
    assert figures(page, "min:EDU") == "3/35 PDUs" and "Your own split." not in page


def test_activity_outside_the_cycle_has_no_split_page(logged_in, user):
    cycle = make_cycle(user, "pmi-pmp", date(2025, 3, 14))
    outside = factories.make_activity(user, [], start_date=date(2020, 1, 1))
    assert logged_in.get(f"/schemes/cycles/{cycle.id}/activities/{outside.id}").status_code == 404


def test_surplus_from_the_last_year_carries_into_the_next_cycle(logged_in, user):
    make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=3 * 365 + 30), "PMP")
    tt = talent_triangle()
    for code in ("TT.WOW", "TT.PS", "TT.BA"):
        factories.make_activity(
            user,
            [tt[code]],
            kind=ActivityKind.COURSE,
            minutes=20 * 60,
            start_date=TODAY - timedelta(days=200),
        )
    factories.make_activity(
        user,
        [],
        kind=ActivityKind.VOLUNTEERING,
        minutes=25 * 60,
        start_date=TODAY - timedelta(days=300),
    )
    # 85 PDUs, all earned in the cycle's last year: 25 above 60, of which at most 20 carry over.
    page = logged_in.get("/dashboard").data.decode()
    assert figures(page, "total") == "20/60 PDUs"
    assert "including 20 PDUs carried over" in page


def test_warning_when_a_cycle_ends_within_90_days_with_a_rule_unmet(logged_in, user):
    make_enrolment(user, "apm", TODAY - timedelta(days=300), "APM")  # ends in about 65 days
    make_enrolment(user, "apm", TODAY - timedelta(days=30), "APM later")  # ends in ~11 months
    make_enrolment(user, "custom", TODAY - timedelta(days=300), "Mine")  # ends soon, all met
    page = logged_in.get("/dashboard").data.decode()
    assert page.count('data-testid="cycle-card"') == 3
    assert page.count('data-testid="cycle-warning"') == 1


def _rule(page: str, name: str) -> str:
    """The text of one rule row on the dashboard card, from its name to the next rule."""
    return page.split(name, 1)[1][:600]


def test_reflective_accounts_count_toward_revalidation(logged_in, user):
    make_enrolment(user, "nmc-style", TODAY - timedelta(days=10))
    page = logged_in.get("/dashboard").data.decode()
    assert "not yet measurable" not in page and "0/5" in page
    for day in range(4):
        factories.make_reflection(user, reflected_on=TODAY - timedelta(days=day))
    factories.make_reflection(user, reflected_on=TODAY, is_draft=True)  # drafts never count
    factories.make_reflection(user, reflected_on=TODAY - timedelta(days=400))  # before the cycle
    assert "4/5" in logged_in.get("/dashboard").data.decode()
    factories.make_reflection(user, reflected_on=TODAY)
    assert "5/5" in logged_in.get("/dashboard").data.decode()


def test_apm_counts_statements_on_how_learning_was_applied(logged_in, user):
    make_enrolment(user, "apm", TODAY - timedelta(days=10), "APM")
    factories.make_reflection(user, reflected_on=TODAY)  # no application note: not a statement
    factories.make_reflection(
        user, reflected_on=TODAY, applied_text="Used it at the board", applied_on=TODAY
    )
    page = logged_in.get("/dashboard").data.decode()
    assert "not yet measurable" not in page
    assert "1/1" in page


def test_leaving_a_scheme_removes_its_cycles_not_activities(logged_in, user):
    enrolment = make_enrolment(user, "pmi-pmp", date(2025, 3, 14))
    factories.make_activity(user, [], start_date=date(2025, 6, 1))
    assert logged_in.post(f"/schemes/enrolments/{enrolment.id}/leave").status_code == 302
    assert db.session.scalar(select(func.count(Cycle.id))) == 0
    assert logged_in.get("/activities/").status_code == 200


def test_write_your_own_scheme(logged_in, user):
    blank = logged_in.get("/schemes/new").data.decode()
    assert "custom" in blank and "on_the_job" in blank
    data = json.loads((DATA_DIR / "custom.json").read_text())
    data.update(slug="acme-appraisal", name="ACME appraisal year", total_min=30)
    assert logged_in.post("/schemes/new", data={"content": json.dumps(data)}).status_code == 302
    assert "ACME appraisal year" in logged_in.get("/schemes/").data.decode()
    own = db.session.scalar(select(Scheme).where(Scheme.slug == "acme-appraisal"))
    assert own.owner_id == user.id


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"slug": "x"}', "is a required property"),
        ("", "Paste or write the scheme."),
        ("[]", "JSON object"),
        ("[" * 3000 + "]" * 3000, "not valid JSON"),
        ('{"categories": ' + "[" * 900 + "]" * 900 + "}", "nests more than 64 levels"),
    ],
)
def test_a_bad_own_scheme_is_explained_and_kept(logged_in, text, message):
    response = logged_in.post("/schemes/new", data={"content": text})
    assert response.status_code == 200
    assert message in response.data.decode()
    assert db.session.scalar(select(func.count(Scheme.id))) == 0


def test_a_split_that_no_longer_fits_the_activity_is_set_aside(logged_in, user):
    cycle = make_cycle(user, "pmi-pmp", date(2025, 3, 14))
    activity = factories.make_activity(
        user, [], kind=ActivityKind.COURSE, minutes=180, start_date=date(2025, 6, 1)
    )
    services.set_split(cycle, activity.id, {"EDU.PS": 180})
    db.session.commit()
    activity.minutes = 60  # edited afterwards
    db.session.commit()
    page = logged_in.get(f"/schemes/cycles/{cycle.id}").data.decode()
    assert "no longer fits" in page
    assert figures(page, "min:EDU.PS") == "0/8 PDUs"
    assert figures(page, "min:EDU") == "1/35 PDUs"


def test_copy_a_scheme_to_adapt_and_save_a_new_version(logged_in, user, other_user):
    pmp = shipped("pmi-pmp")
    copy = logged_in.get(f"/schemes/new?from={pmp.id}").data.decode()
    assert "Talent Triangle" in copy and "EDU.PS" in copy
    data = json.loads((DATA_DIR / "custom.json").read_text())
    data.update(slug="acme", name="ACME year", version="1")
    assert logged_in.post("/schemes/new", data={"content": json.dumps(data)}).status_code == 302
    again = logged_in.post("/schemes/new", data={"content": json.dumps(data)})
    assert again.status_code == 200 and "change the version" in again.data.decode()
    assert "ACME year" in again.data.decode()  # the text is kept
    data["version"] = "2"
    assert logged_in.post("/schemes/new", data={"content": json.dumps(data)}).status_code == 302
    assert db.session.scalar(select(func.count(Scheme.id)).where(Scheme.owner_id == user.id)) == 2
    # Another user's scheme is never copied: the blank one is offered instead.
    theirs = Scheme(
        slug="theirs",
        version="1",
        name="Their secret scheme",
        source="x",
        content={**data, "name": "Their secret scheme"},
        owner_id=other_user.id,
    )
    db.session.add(theirs)
    db.session.commit()
    page = logged_in.get(f"/schemes/new?from={theirs.id}").data.decode()
    assert "Their secret scheme" not in page and "Custom scheme (blank)" in page


def test_a_rolling_window_scheme_always_ends_today(logged_in, user):
    data = json.loads((DATA_DIR / "custom.json").read_text())
    data.update(
        slug="rolling",
        name="Last 12 months",
        period={"type": "rolling", "months": 12},
        total_min=10,
    )
    assert logged_in.post("/schemes/new", data={"content": json.dumps(data)}).status_code == 302
    own = db.session.scalar(select(Scheme).where(Scheme.slug == "rolling"))
    logged_in.post("/schemes/", data={"scheme": own.id, "start_date": "2020-01-01"})
    factories.make_activity(user, [], minutes=120, start_date=TODAY - timedelta(days=30))
    factories.make_activity(user, [], minutes=600, start_date=TODAY - timedelta(days=400))
    cycle = db.session.scalar(select(Cycle))
    assert cycle.end_date == TODAY
    assert figures(logged_in.get("/dashboard").data.decode(), "total") == "2/10 hours"
    # A day later the window has moved with it (it is never "closed").
    cycle.start_date, cycle.end_date = (
        cycle.start_date - timedelta(days=1),
        TODAY - timedelta(days=1),
    )
    db.session.commit()
    logged_in.get("/dashboard")
    db.session.expire_all()
    assert db.session.get(Cycle, cycle.id).end_date == TODAY
