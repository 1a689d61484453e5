"""Writing, changing the model of, listing, filtering, editing and deleting reflections."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from cpd_log.demo import generate_activities
from cpd_log.extensions import db
from cpd_log.models import Activity, Reflection
from cpd_log.reflections.reflective_models import REFLECTIVE_MODELS
from tests import factories


def form(model="gibbs", title="Risk workshop", **extra) -> dict:
    data = {"title": title, "reflected_on": "2026-03-12", "model": model, "activity": ""}
    data.update(extra)
    return data


def titles(response) -> list[str]:
    block = response.data.decode().split('data-testid="reflection-list"')
    if len(block) < 2:
        return []
    return re.findall(
        r'fw-semibold text-break-anywhere" href="/reflections/\d+">([^<]*)<', block[1]
    )


@pytest.mark.parametrize("key", list(REFLECTIVE_MODELS))
def test_write_a_reflection_in_each_model(logged_in, key):
    model = REFLECTIVE_MODELS[key]
    texts = {f"stage_{s.key}": f"**{s.label}** text" for s in model.stages}
    response = logged_in.post("/reflections/new", data=form(key, **texts, save="1"))
    assert response.status_code == 302
    reflection = db.session.scalar(select(Reflection))
    assert reflection.model == key
    assert reflection.is_draft is False
    assert reflection.stages == {s.key: f"**{s.label}** text" for s in model.stages}
    page = logged_in.get(response.headers["Location"]).data.decode()
    for stage in model.stages:
        assert f"<strong>{stage.label}</strong> text" in page


def test_new_page_shows_every_models_stages_with_prompts(logged_in):
    page = logged_in.get("/reflections/new?model=kolb").data.decode()
    assert '<option value="kolb" selected>' in page
    for model in REFLECTIVE_MODELS.values():
        for stage in model.stages:
            assert f'id="stage_{stage.key}"' in page
            assert stage.prompt.replace("'", "&#39;") in page


def test_reflection_attached_to_an_activity_and_tagged(logged_in, user, framework):
    a1, a2 = factories.leaves(framework)[:2]
    activity = factories.make_activity(user, title="PMO Flashmob")
    response = logged_in.get(f"/reflections/new?activity={activity.id}")
    assert f'<option value="{activity.id}" selected>' in response.data.decode()
    data = form(activity=str(activity.id), competencies=[a1.id, a2.id], stage_gibbs_analysis="x")
    assert logged_in.post("/reflections/new", data=data).status_code == 302
    reflection = db.session.scalar(select(Reflection))
    assert reflection.activity_id == activity.id
    assert {c.id for c in reflection.competencies} == {a1.id, a2.id}


def test_another_users_activity_cannot_be_attached(logged_in, other_user):
    theirs = factories.make_activity(other_user)
    assert logged_in.get(f"/reflections/new?activity={theirs.id}").status_code == 404
    data = form(activity=str(theirs.id), stage_gibbs_analysis="x")
    response = logged_in.post("/reflections/new", data=data)
    assert response.status_code == 200
    assert "Choose an activity from the list." in response.data.decode()
    assert db.session.scalar(select(Reflection)) is None


def test_bad_input_keeps_the_text_and_saves_nothing(logged_in):
    data = form(title="", reflected_on="not a date", stage_gibbs_feelings="Nervous but ready")
    response = logged_in.post("/reflections/new", data=data)
    page = response.data.decode()
    assert response.status_code == 200
    assert "This field is required." in page and "Not a valid date value." in page
    assert "Nervous but ready" in page
    assert db.session.scalar(select(Reflection)) is None


def test_a_saved_reflection_needs_some_text_but_a_draft_does_not(logged_in):
    response = logged_in.post("/reflections/new", data=form(save="1"))
    assert "Write something in at least one stage" in response.data.decode()
    assert logged_in.post("/reflections/new", data=form(save_draft="1")).status_code == 302
    assert db.session.scalar(select(Reflection)).is_draft is True


def test_changing_the_model_never_drops_text(logged_in, user):
    reflection = factories.make_reflection(user)  # Gibbs: description + feelings written
    url = f"/reflections/{reflection.id}"
    edit = logged_in.get(f"{url}/edit").data.decode()
    assert "What happened" in edit and "How I felt" in edit

    # Switch to Driscoll; the Gibbs fields still post their text (they are on the page).
    data = form(
        "driscoll",
        title=reflection.title,
        stage_what="A workshop",
        stage_gibbs_description="What happened",
        stage_gibbs_feelings="How I felt",
        version="1",
    )
    assert logged_in.post(f"{url}/edit", data=data).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Reflection, reflection.id)
    assert saved.model == "driscoll"
    assert saved.stages == {
        "gibbs_description": "What happened",
        "gibbs_feelings": "How I felt",
        "what": "A workshop",
    }
    page = logged_in.get(url).data.decode()
    assert 'data-testid="previous"' in page and "Text from the previous model" in page
    assert "What happened" in page and "How I felt" in page
    edit = logged_in.get(f"{url}/edit").data.decode()
    assert 'data-testid="previous-gibbs"' in edit
    assert "What happened" in edit

    # Clearing a kept text is the user's explicit choice.
    data.pop("stage_gibbs_feelings")
    assert logged_in.post(f"{url}/edit", data={**data, "version": "2"}).status_code == 302
    db.session.expire_all()
    assert "gibbs_feelings" not in db.session.get(Reflection, reflection.id).stages


def test_drafts_are_listed_apart(logged_in, user):
    factories.make_reflection(user, title="Final one")
    factories.make_reflection(user, title="Half-written", is_draft=True)
    main = logged_in.get("/reflections/")
    assert titles(main) == ["Final one"]
    assert "Drafts (1)" in main.data.decode()
    drafts = logged_in.get("/reflections/?drafts=1")
    assert titles(drafts) == ["Half-written"]
    detail = logged_in.get(
        f"/reflections/{db.session.scalar(select(Reflection.id).where(Reflection.is_draft))}"
    )
    assert 'data-testid="draft-badge"' in detail.data.decode()


@pytest.fixture
def sample(user, framework):
    a1, a2 = factories.leaves(framework)[:2]
    activity = factories.make_activity(user, title="Benefits course")
    factories.make_reflection(
        user, [a1], title="Gibbs on risk", reflected_on=date(2026, 1, 5),
        stages={"gibbs_description": "Risk appetite and tolerance"},
    )  # fmt: skip
    factories.make_reflection(
        user, [a2], title="Kolb on benefits", model="kolb", reflected_on=date(2026, 2, 5),
        activity_id=activity.id, stages={"kolb_experience": "Benefits mapping 100%"},
    )  # fmt: skip
    factories.make_reflection(
        user, title="Free notes", model="free", reflected_on=date(2026, 3, 5),
        stages={"text": "Stakeholder ÉMOTIONS"},
    )  # fmt: skip
    return {"a1": a1, "a2": a2, "activity": activity}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Free notes", "Kolb on benefits", "Gibbs on risk"]),
        ("model=kolb", ["Kolb on benefits"]),
        ("q=appetite", ["Gibbs on risk"]),
        ("q=100%25", ["Kolb on benefits"]),
        ("q=%C3%A9motions", ["Free notes"]),
        ("q=GIBBS", ["Gibbs on risk"]),
        ("date_from=2026-02-01&date_to=2026-02-28", ["Kolb on benefits"]),
    ],
)
def test_filters_and_search(logged_in, sample, query, expected):
    assert titles(logged_in.get(f"/reflections/?{query}")) == expected


def test_filter_by_competency_and_activity(logged_in, sample):
    assert titles(logged_in.get(f"/reflections/?competency={sample['a1'].id}")) == ["Gibbs on risk"]
    response = logged_in.get(f"/reflections/?activity={sample['activity'].id}")
    assert titles(response) == ["Kolb on benefits"]


def test_invalid_filters_are_reported_and_ignored(logged_in, sample):
    response = logged_in.get("/reflections/?model=haiku&date_from=soon&competency=x&activity=y")
    assert response.status_code == 200
    assert "Not a valid date value." in response.data.decode()
    assert len(titles(response)) == 3


def test_other_users_reflections_never_listed(logged_in, other_user):
    factories.make_reflection(other_user, title="Secret")
    assert titles(logged_in.get("/reflections/")) == []
    assert titles(logged_in.get("/reflections/?q=secret")) == []


def test_edit_and_delete(logged_in, user):
    reflection = factories.make_reflection(user)
    rid = reflection.id
    data = form(title="Renamed", stage_gibbs_description="New text", version="1")
    assert logged_in.post(f"/reflections/{reflection.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Reflection, reflection.id).title == "Renamed"
    assert (
        "Delete “Renamed”?" in logged_in.get(f"/reflections/{reflection.id}/delete").data.decode()
    )
    assert logged_in.post(f"/reflections/{reflection.id}/delete").status_code == 302
    assert db.session.scalar(select(Reflection).where(Reflection.id == rid)) is None


def test_deleting_the_activity_keeps_the_reflection(logged_in, user):
    activity = factories.make_activity(user)
    reflection = factories.make_reflection(user, activity_id=activity.id)
    rid, aid = reflection.id, activity.id
    assert logged_in.post(f"/activities/{activity.id}/delete").status_code == 302
    assert db.session.scalar(select(Activity).where(Activity.id == aid)) is None
    assert db.session.scalar(select(Reflection.activity_id).where(Reflection.id == rid)) is None
    assert db.session.scalar(select(Reflection.title).where(Reflection.id == rid))


def test_record_how_it_was_applied(logged_in, user):
    reflection = factories.make_reflection(user)
    response = logged_in.post(
        f"/reflections/{reflection.id}/applied", data={"applied_text": "Used it in *planning*"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Reflection, reflection.id)
    assert saved.applied_text == "Used it in *planning*"
    assert saved.applied_on is not None
    assert "<em>planning</em>" in logged_in.get(f"/reflections/{reflection.id}").data.decode()
    empty = logged_in.post(f"/reflections/{reflection.id}/applied", data={"applied_text": ""})
    assert empty.status_code == 400
    assert "This field is required." in empty.data.decode()


def test_query_count_does_not_grow_with_data(logged_in, user, framework, count_queries):
    tags = factories.leaves(framework)

    def queries() -> int:
        with count_queries() as statements:
            assert logged_in.get("/reflections/?q=e").status_code == 200
        return len(statements)

    def add(n):
        generate_activities(user.id, n, tags_per_activity=0, seed=n)
        db.session.commit()
        ids = list(db.session.scalars(select(Activity.id).where(Activity.user_id == user.id)))
        for i in range(n):
            factories.make_reflection(user, tags[: 1 + i % 3], activity_id=ids[i % len(ids)])
            factories.make_reflection(user, tags[:1], is_draft=True)

    add(3)
    small = queries()
    add(60)
    assert queries() == small


@pytest.mark.parametrize("url", ["/reflections/", "/reflections/?drafts=1"])
def test_the_unfiltered_list_reports_no_invalid_filter(logged_in, url):
    page = logged_in.get(url).data.decode()
    assert "Not a valid choice" not in page and "is-invalid" not in page
