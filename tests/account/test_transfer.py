"""Account backup: export, import on an empty account through the job, lossless (a property
test over every kind of record), idempotent; bad files import nothing and say why."""

import base64
import json
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from cpd_log.account import account_export, account_import
from cpd_log.account.scheme_transfer import leaf_codes
from cpd_log.common.dates import today_for
from cpd_log.evidence import services as evidence_services
from cpd_log.extensions import db
from cpd_log.models import (
    Activity,
    ApplyPromptDismissal,
    BadgeAssertion,
    Evidence,
    Goal,
    GoalStatus,
    ImportJob,
    Portfolio,
    QuickCapture,
    Reflection,
    Review,
    SelfAssessment,
)
from cpd_log.models.activity import ActivityKind, ActivitySource, ActivityStatus, Delivery
from cpd_log.models.portfolio import Audience
from cpd_log.models.scheme import Allocation, Cycle
from cpd_log.reflections.reflective_models import REFLECTIVE_MODELS
from cpd_log.reflections.services import search_text
from cpd_log.schemes import services as scheme_services
from tests import factories
from tests.account.backup_helpers import (
    backup_of,
    document_in,
    exported,
    import_through_page,
    restore,
    upload,
    wait,
)
from tests.evidence import samples

TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
TITLE = TEXT.filter(lambda t: t.strip())
BASE = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)

activity_data = st.fixed_dictionaries(
    {
        "title": TITLE,
        "kind": st.sampled_from(ActivityKind),
        "provider": TEXT,
        "start_date": st.dates(date(2000, 1, 1), date(2030, 12, 31)),
        "days": st.none() | st.integers(0, 30),
        "minutes": st.integers(0, 5000),
        "delivery": st.sampled_from(Delivery),
        "participatory": st.booleans(),
        "description": TEXT,
        "objective": st.none() | TEXT,
        "url": st.sampled_from(["", "https://example.org/a?b=1"]),
        "status": st.sampled_from(ActivityStatus),
        "source": st.sampled_from(ActivitySource),
        "tags": st.lists(st.integers(0, 3), max_size=3, unique=True),
        "evidence": st.lists(
            st.one_of(TEXT.map(lambda t: ("file", t)), st.just(("url", "https://badge.example/1"))),
            max_size=2,
        ),
        "badge": st.none()
        | st.fixed_dictionaries(
            {
                "badge_name": TITLE,
                "issuer_name": TEXT,
                "issuer_url": st.sampled_from(["", "https://issuer.example/"]),
                "issued_on": st.dates(date(2000, 1, 1), date(2030, 12, 31)),
                "assertion_id": st.sampled_from(["", "https://issuer.example/a/1"]),
                "verification": st.sampled_from(["", "hosted", "signed"]),
                "verified": st.booleans(),
                "verified_at": st.none() | st.just(BASE),
                "raw": TEXT,
                "alignment": st.lists(
                    st.fixed_dictionaries(
                        {"targetName": TEXT, "targetCode": TEXT},
                        optional={"targetUrl": st.just("https://framework.example/x")},
                    ),
                    max_size=2,
                ),
            }
        ),
        "captured": st.booleans(),
        "dismissed": st.lists(st.sampled_from([30, 90]), max_size=2, unique=True),
    }
)
reflection_data = st.sampled_from(sorted(REFLECTIVE_MODELS)).flatmap(
    lambda model: st.fixed_dictionaries(
        {
            "title": TITLE,
            "model": st.just(model),
            "reflected_on": st.dates(date(2000, 1, 1), date(2030, 12, 31)),
            "stages": st.dictionaries(
                st.sampled_from(REFLECTIVE_MODELS[model].stage_keys), TEXT, max_size=3
            ),
            "is_draft": st.booleans(),
            "applied": st.none() | st.tuples(TEXT, st.dates(date(2020, 1, 1), date(2030, 1, 1))),
            "tags": st.lists(st.integers(0, 3), max_size=2, unique=True),
            "link_first": st.booleans(),
            "evidence": st.lists(TEXT, max_size=1),
        }
    )
)
development_data = st.fixed_dictionaries(
    {
        "assessments": st.lists(
            st.tuples(st.integers(0, 3), st.integers(0, 5), st.dates(), TEXT), max_size=2
        ),
        "goals": st.lists(
            st.tuples(
                st.integers(0, 3),
                st.integers(0, 5),
                st.none() | st.dates(date(2020, 1, 1), date(2035, 1, 1)),
                st.sampled_from(GoalStatus),
                TEXT,
                st.booleans(),
            ),
            max_size=2,
        ),
    }
)
# Enrolments on shipped schemes (seeded in the test), and split overrides: (enrolment, cycle,
# activity, category) picked by index among what exists, and minutes.
scheme_data = st.fixed_dictionaries(
    {
        "enrolments": st.lists(
            st.tuples(
                st.sampled_from(["custom", "pmi-pmp", "apm", "nmc-style"]),
                st.dates(date(2015, 1, 1), date(2025, 12, 31)),
                st.none() | TITLE,
            ),
            max_size=2,
        ),
        "overrides": st.lists(st.tuples(*[st.integers(0, 9)] * 4, st.integers(0, 600)), max_size=4),
    }
)
portfolio_data = st.fixed_dictionaries(
    {
        "title": TITLE,
        "audience": st.sampled_from(Audience),
        "date_from": st.none() | st.dates(date(2000, 1, 1), date(2015, 1, 1)),
        "date_to": st.none() | st.dates(date(2016, 1, 1), date(2030, 1, 1)),
        "tags": st.lists(st.integers(0, 3), max_size=2, unique=True),
        "exclude_first": st.booleans(),
        "exclude_first_reflection": st.booleans(),
        "reviews": st.lists(st.tuples(TITLE, TEXT, st.booleans()), max_size=2),
        "cycle": st.booleans(),
    }
)


def _build_reflections(user, leaves, made, reflections) -> list[Reflection]:
    built = []
    for n, data in enumerate(reflections):
        applied_text, applied_on = data["applied"] or (None, None)
        reflection = Reflection(
            user_id=user.id,
            title=data["title"],
            reflected_on=data["reflected_on"],
            model=data["model"],
            stages=data["stages"],
            search_text=search_text(data["title"], data["stages"]),
            is_draft=data["is_draft"],
            applied_text=applied_text,
            applied_on=applied_on,
            activity_id=made[0].id if made and data["link_first"] else None,
            created_at=BASE + timedelta(hours=n),
            updated_at=BASE + timedelta(hours=n, days=2),
            competencies=[leaves[i] for i in data["tags"]],
        )
        db.session.add(reflection)
        db.session.flush()
        for text in data["evidence"]:
            upload = evidence_services.Upload("reflection.txt", ("Reflection " + text).encode())
            evidence_services.attach_file(user, reflection, upload, text)
        built.append(reflection)
    return built


def _build_development(user, leaves, made, development) -> None:
    for n, (leaf, level, on, note) in enumerate(development["assessments"]):
        db.session.add(
            SelfAssessment(
                user_id=user.id,
                competency_id=leaves[leaf].id,
                level=level,
                assessed_on=on,
                note=note,
                created_at=BASE + timedelta(minutes=n),
            )
        )
    for n, (leaf, target, due, status, note, link) in enumerate(development["goals"]):
        goal = Goal(
            user_id=user.id,
            competency_id=leaves[leaf].id,
            target_level=target,
            due_on=due,
            status=status,
            note=note,
            created_at=BASE + timedelta(minutes=n),
        )
        goal.activities = made[:2] if link else []
        db.session.add(goal)


def _build_activity_state(user, activity, data) -> None:
    """The badge, quick-capture mark and dismissed apply prompts of one activity."""
    if data["badge"] is not None:
        db.session.add(BadgeAssertion(user_id=user.id, activity_id=activity.id, **data["badge"]))
    if data["captured"]:
        db.session.add(QuickCapture(user_id=user.id, activity_id=activity.id, created_at=BASE))
    for checkpoint in data["dismissed"]:
        db.session.add(
            ApplyPromptDismissal(
                user_id=user.id, activity_id=activity.id, checkpoint=checkpoint, dismissed_at=BASE
            )
        )


def _build_schemes(user, made, schemes) -> None:
    today = today_for(user)
    shipped = {row.slug: row for row, _ in scheme_services.seed_schemes()}
    enrolments = []
    for n, (slug, start, label) in enumerate(schemes["enrolments"]):
        enrolment = scheme_services.enrol(user, shipped[slug], start, label or "", today)
        enrolment.created_at = BASE + timedelta(days=n)
        enrolments.append(enrolment)
    seen = set()
    for e, c, a, k, minutes in schemes["overrides"] if enrolments and made else ():
        enrolment = enrolments[e % len(enrolments)]
        cycle = enrolment.cycles[c % len(enrolment.cycles)]
        category = sorted(leaf_codes(cycle.scheme))[k % len(leaf_codes(cycle.scheme))]
        key = (cycle.id, made[a % len(made)].id, category)
        if key not in seen:
            seen.add(key)
            db.session.add(
                Allocation(
                    user_id=user.id,
                    cycle_id=cycle.id,
                    activity_id=key[1],
                    category=category,
                    minutes=minutes,
                )
            )
    db.session.flush()


def _build_account(
    user, framework, activities, portfolios, reflections=(), development=None, schemes=None
) -> None:
    leaves = factories.leaves(framework)
    made = []
    for n, data in enumerate(activities):
        activity = Activity(
            user_id=user.id,
            title=data["title"],
            kind=data["kind"],
            provider=data["provider"],
            start_date=data["start_date"],
            end_date=None if data["days"] is None else data["start_date"] + timedelta(data["days"]),
            minutes=data["minutes"],
            delivery=data["delivery"],
            participatory=data["participatory"],
            description=data["description"],
            objective=data["objective"],
            url=data["url"],
            status=data["status"],
            source=data["source"],
            external_uid=None if data["source"] == ActivitySource.MANUAL else f"uid-{n}",
            created_at=BASE + timedelta(seconds=n),
            updated_at=BASE + timedelta(seconds=n, days=1),
            competencies=[leaves[i] for i in data["tags"]],
        )
        db.session.add(activity)
        db.session.flush()
        for kind, text in data["evidence"]:
            if kind == "file":
                upload = evidence_services.Upload("notes.txt", ("Notes " + text).encode())
                evidence_services.attach_file(user, activity, upload, text)
            else:
                evidence_services.attach_url(user, activity, text, "Badge")
        _build_activity_state(user, activity, data)
        made.append(activity)
    written = _build_reflections(user, leaves, made, reflections)
    _build_development(user, leaves, made, development or {"assessments": [], "goals": []})
    _build_schemes(user, made, schemes or {"enrolments": [], "overrides": []})
    first_cycle = db.session.scalar(
        select(Cycle).where(Cycle.user_id == user.id).order_by(Cycle.id).limit(1)
    )
    for n, data in enumerate(portfolios):
        portfolio = Portfolio(
            user_id=user.id,
            cycle_id=first_cycle.id if first_cycle and data["cycle"] else None,
            title=data["title"],
            audience=data["audience"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            include_evidence=True,
            competency_ids=[leaves[i].id for i in data["tags"]],
            excluded_activity_ids=[made[0].id] if made and data["exclude_first"] else [],
            excluded_reflection_ids=(
                [written[0].id] if written and data["exclude_first_reflection"] else []
            ),
            created_at=BASE + timedelta(minutes=n),
        )
        db.session.add(portfolio)
        db.session.flush()
        for name, comment, signed in data["reviews"]:
            db.session.add(
                Review(
                    user_id=user.id,
                    portfolio_id=portfolio.id,
                    reviewer_name=name,
                    comment=comment,
                    signed_off=signed,
                    created_at=BASE,
                )
            )
    db.session.commit()


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    activities=st.lists(activity_data, max_size=4),
    portfolios=st.lists(portfolio_data, max_size=2),
    reflections=st.lists(reflection_data, max_size=3),
    development=development_data,
    schemes=scheme_data,
)
def test_round_trip_is_lossless_and_reimport_is_idempotent(
    app, framework, activities, portfolios, reflections, development, schemes
):
    source = factories.make_user()
    _build_account(source, framework, activities, portfolios, reflections, development, schemes)
    payload = backup_of(source)
    document = document_in(payload)
    assert document == exported(source)
    assert len(document["enrolments"]) == len(schemes["enrolments"])

    target = factories.make_user()
    job = restore(target, payload)
    assert job.state == "done", job.message
    assert exported(target) == document

    again = restore(target, payload)
    assert set(again.counts.values()) == {0}
    assert exported(target) == document


def test_own_frameworks_travel_with_the_account(app, user):
    own = factories.make_framework(owner=user, slug="my-pmo")
    factories.make_activity(user, competencies=[factories.leaves(own)[0]])
    document = exported(user)
    target = factories.make_user()
    account_import.import_account(target, document)
    db.session.commit()
    assert account_export.export_account(target) == document


def test_import_and_export_through_the_pages(logged_in, user, login_as, client, framework):
    activity = factories.make_activity(
        user, title="Exported course", competencies=[factories.leaves(framework)[0]]
    )
    samples.make_evidence(user, activity)
    response = logged_in.post("/export/account", data={"password": factories.PASSWORD})
    assert response.headers["Content-Disposition"].startswith("attachment; filename=cpd-log-")
    assert response.headers["Cache-Control"] == "private, no-store"
    payload = response.get_data()
    logged_in.post("/account/logout")
    newcomer = factories.make_user(email="new@example.com")
    login_as(client, newcomer)
    response = upload(client, payload)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "import-progress.js" in page and "<script>" not in page
    status = wait(client, response.headers["Location"])
    assert status["state"] == "done" and status["counts"]["activities"] == 1
    assert (
        db.session.scalar(select(func.count(Evidence.id)).where(Evidence.user_id == newcomer.id))
        == 1
    )
    again = import_through_page(client, payload)
    assert set(again["counts"].values()) == {0}
    page = client.get(f"/export/imports/{_last_job(newcomer)}").get_data(as_text=True)
    assert "Nothing new to import" in page


def _last_job(user) -> int:
    return db.session.scalar(select(func.max(ImportJob.id)).where(ImportJob.user_id == user.id))


def _document(user, **changes) -> bytes:
    factories.make_activity(user, title="Good one")
    document = account_export.export_account(user)
    document["activities"].append(
        {**document["activities"][0], "created_at": "2020-01-01T00:00:00+00:00", **changes}
    )
    return json.dumps(document).encode()


def _nothing_saved_for(user) -> bool:
    return (
        db.session.scalar(select(func.count(Activity.id)).where(Activity.user_id == user.id)) == 0
    )


def test_malformed_files_import_nothing_and_say_why(client, login_as, user, other_user):
    login_as(client, other_user)
    svg = base64.b64encode(samples.SVG_WITH_SCRIPT).decode()
    cases = [
        (b"\xff\xfe not json", "not valid JSON"),
        (b"[1, 2", "not valid JSON"),
        (b'{"format": "something"}', "not a CPD Log account export"),
        (b"[" * 5000 + b"]" * 5000, "nested too deeply"),
        (_document(user, start_date="31/12/2026"), "Activity 2: “start_date” has an invalid value"),
        (_document(user, minutes=-5), "“minutes” has an invalid value"),
        (_document(user, kind="party"), "“kind” has an invalid value"),
        (_document(user, title=None), "“title” has an invalid value"),
        (_document(user, competencies=[["nope", "global", "X"]]), "is not on this instance"),
        (
            _document(user, badge={"badge_name": "x"}),
            "badge: “assertion_id” is missing",
        ),
        (
            _document(
                user, apply_prompt_dismissals=[{"checkpoint": 7, "dismissed_at": "2020-01-01"}]
            ),
            "dismissal 1: “checkpoint” has an invalid value",
        ),
        (
            _document(
                user,
                evidence=[
                    {
                        "title": "",
                        "created_at": "2020-01-01T00:00:00",
                        "original_name": "x.svg",
                        "content": svg,
                    }
                ],
            ),
            "SVG",
        ),
        (
            _document(
                user,
                evidence=[
                    {
                        "title": "",
                        "created_at": "2020-01-01T00:00:00",
                        "original_name": "x.txt",
                        "content": "@@@",
                    }
                ],
            ),
            "base64",
        ),
    ]
    for payload, message in cases:
        status = import_through_page(client, payload, "account.json")
        assert status["state"] == "failed", message
        assert message in status["message"], (message, status["message"])
        assert status["message"].startswith("Nothing was imported.")
        assert _nothing_saved_for(other_user)


def test_import_without_a_file_is_a_field_error(logged_in):
    response = logged_in.post("/export/import", data={})
    assert response.status_code == 400
    assert "Choose the file to import" in response.get_data(as_text=True)
