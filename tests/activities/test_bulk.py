"""Bulk actions on the activity list: ticked or all matching the filter, the owner's rows only."""

from sqlalchemy import func, select

from cpd_log.activities import bulk
from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityKind, ActivityStatus, TrashItem
from cpd_log.models.activity import activity_competency
from tests import factories


def _post(client, action: str, ids=(), scope="selected", **fields):
    data = {"bulk-action": action, "bulk-scope": scope, "bulk-ids": [str(i) for i in ids]}
    data.update({k.replace("_", "-") if k.startswith("bulk_") else k: v for k, v in fields.items()})
    return client.post("/activities/bulk", data=data)


def _tags(activity_id) -> set[int]:
    return set(
        db.session.scalars(
            select(activity_competency.c.competency_id).where(
                activity_competency.c.activity_id == activity_id
            )
        )
    )


def test_add_and_remove_a_competency_on_ticked_activities(logged_in, user, framework):
    tag = factories.leaves(framework)[0]
    ticked = [factories.make_activity(user).id for _ in range(3)]
    untouched = factories.make_activity(user).id
    already = ticked[0]
    db.session.execute(
        activity_competency.insert(), {"activity_id": already, "competency_id": tag.id}
    )
    db.session.commit()

    response = _post(logged_in, "add_competency", ticked, bulk_competency=str(tag.id))
    assert response.status_code == 302
    assert all(_tags(i) == {tag.id} for i in ticked)
    assert _tags(untouched) == set()
    assert db.session.get(Activity, ticked[1]).version == 2, "open edit forms become stale"

    _post(logged_in, "remove_competency", ticked[:2], bulk_competency=str(tag.id))
    assert [_tags(i) for i in ticked] == [set(), set(), {tag.id}]


def test_change_kind_and_status(logged_in, user):
    ids = [factories.make_activity(user, kind=ActivityKind.WEBINAR).id for _ in range(2)]
    _post(logged_in, "set_kind", ids, bulk_kind="conference")
    _post(logged_in, "set_status", ids[:1], bulk_status="planned")
    rows = db.session.execute(select(Activity.kind, Activity.status).order_by(Activity.id)).all()
    assert rows == [
        (ActivityKind.CONFERENCE, ActivityStatus.PLANNED),
        (ActivityKind.CONFERENCE, ActivityStatus.COMPLETED),
    ]


def test_another_users_ids_in_the_post_are_ignored(logged_in, user, other_user):
    mine = factories.make_activity(user).id
    theirs = factories.make_activity(other_user, kind=ActivityKind.WEBINAR).id
    _post(logged_in, "set_kind", [mine, theirs], bulk_kind="exam")
    assert db.session.get(Activity, theirs).kind is ActivityKind.WEBINAR
    assert db.session.get(Activity, mine).kind is ActivityKind.EXAM
    _post(logged_in, "delete", [theirs], bulk_confirm="yes")
    assert db.session.get(Activity, theirs) is not None
    assert db.session.scalar(select(func.count(TrashItem.id))) == 0


def test_all_matching_the_filter_applies_the_filter_again(logged_in, user, other_user):
    matching = [factories.make_activity(user, title=f"Risk clinic {n}").id for n in range(3)]
    other = factories.make_activity(user, title="Stakeholder lunch").id
    theirs = factories.make_activity(other_user, title="Risk clinic (Bob)").id
    response = _post(logged_in, "set_status", scope="all", q="risk", bulk_status="planned")
    assert response.status_code == 302
    assert "q=risk" in response.headers["Location"]
    status = dict(db.session.execute(select(Activity.id, Activity.status)).all())
    assert all(status[i] is ActivityStatus.PLANNED for i in matching)
    assert status[other] is ActivityStatus.COMPLETED
    assert status[theirs] is ActivityStatus.COMPLETED


def test_delete_asks_first_then_moves_to_the_trash(logged_in, user):
    ids = [factories.make_activity(user, title=f"Old {n}").id for n in range(3)]
    confirm = _post(logged_in, "delete", ids)
    assert confirm.status_code == 200
    page = confirm.get_data(as_text=True)
    assert "Delete 3 activities?" in page
    assert db.session.scalar(select(func.count(Activity.id))) == 3
    done = _post(logged_in, "delete", ids, bulk_confirm="yes")
    assert done.status_code == 302
    assert db.session.scalar(select(func.count(Activity.id))) == 0
    assert db.session.scalar(select(func.count(TrashItem.id))) == 3
    listing = logged_in.get("/activities/").get_data(as_text=True)
    assert "Deleted 3 activities." in listing and "Undo" in listing


def test_missing_choices_are_named_not_a_500(logged_in, user):
    activity_id = factories.make_activity(user).id
    for action, message in [
        ("add_competency", "Choose the competency to add."),
        ("set_kind", "Choose the new kind."),
        ("", "Choose an action."),
    ]:
        page = logged_in.post(
            "/activities/bulk",
            data={"bulk-action": action, "bulk-ids": [str(activity_id)]},
            follow_redirects=True,
        )
        assert page.status_code == 200
        assert message in page.get_data(as_text=True)
    page = _post(logged_in, "set_kind", [], bulk_kind="exam")
    assert logged_in.get(page.headers["Location"]).status_code == 200
    bad = logged_in.post(
        "/activities/bulk",
        data={"bulk-action": "set_kind", "bulk-kind": "exam", "bulk-ids": ["x"]},
        follow_redirects=True,
    )
    assert "Choose activities from the list." in bad.get_data(as_text=True)


def test_more_than_the_cap_is_refused(logged_in, user, monkeypatch):
    monkeypatch.setattr(bulk, "MAX_ACTIVITIES", 2)
    ids = [factories.make_activity(user).id for _ in range(3)]
    page = logged_in.post(
        "/activities/bulk",
        data={"bulk-action": "set_kind", "bulk-kind": "exam", "bulk-scope": "all"},
        follow_redirects=True,
    )
    assert "At most 2 activities at once" in page.get_data(as_text=True)
    assert db.session.get(Activity, ids[0]).kind is ActivityKind.WEBINAR


def test_bulk_queries_do_not_grow_with_the_selection(logged_in, user, count_queries, framework):
    tag = factories.leaves(framework)[0]
    few = [factories.make_activity(user).id for _ in range(2)]
    many = [factories.make_activity(user).id for _ in range(40)]
    with count_queries() as small:
        _post(logged_in, "add_competency", few, bulk_competency=str(tag.id))
    with count_queries() as large:
        _post(logged_in, "add_competency", many, bulk_competency=str(tag.id))
    assert len(large) == len(small)
    with count_queries() as small:
        _post(logged_in, "delete", few, bulk_confirm="yes")
    with count_queries() as large:
        _post(logged_in, "delete", many, bulk_confirm="yes")
    assert len(large) == len(small)


def test_bulk_and_undo_need_the_csrf_token_of_the_cached_list(app_factory, user):
    """The list body is cached with a placeholder token: the page served carries this
    session's real one, which the bulk form and the Undo button post."""
    import re

    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    login = client.get("/account/login").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    client.post(
        "/account/login",
        data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token},
    )
    ids = [str(factories.make_activity(user).id) for _ in range(2)]
    data = {"bulk-action": "delete", "bulk-ids": ids, "bulk-confirm": "yes"}
    assert client.post("/activities/bulk", data=data).status_code == 400
    assert db.session.scalar(select(func.count(Activity.id))) == 2

    page = client.get("/activities/").get_data(as_text=True)
    token = re.search(r'name="bulk-csrf_token" value="([^"]+)"', page).group(1)
    assert "placeholder" not in token
    assert (
        client.post("/activities/bulk", data={**data, "bulk-csrf_token": token}).status_code == 302
    )
    assert db.session.scalar(select(func.count(Activity.id))) == 0

    listing = client.get("/activities/").get_data(as_text=True)
    batch = re.search(r'name="batch" value="(\w+)"', listing).group(1)
    undo_token = re.search(r'name="csrf_token" value="([^"]+)"', listing).group(1)
    assert client.post("/trash/undo", data={"batch": batch}).status_code == 400
    client.post("/trash/undo", data={"batch": batch, "csrf_token": undo_token})
    assert db.session.scalar(select(func.count(Activity.id))) == 2
