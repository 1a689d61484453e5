"""Trash and undo: a delete keeps a snapshot 30 days; Undo restores that batch for 30 seconds."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from cpd_log.account.account_archive import LEFT_OUT
from cpd_log.account.account_export import export_account
from cpd_log.account.transfer import BadFile
from cpd_log.claims.choices import ClaimState
from cpd_log.evidence.services import used_bytes
from cpd_log.extensions import db
from cpd_log.housekeeping import sweep
from cpd_log.models import Activity, ClaimStatus, Evidence, Goal, Reflection, TrashItem
from cpd_log.models.activity import ActivitySource
from cpd_log.models.scheme import Allocation
from cpd_log.trash import services
from cpd_log.trash.restoring import restore
from tests import factories
from tests.evidence import samples
from tests.schemes.helpers import make_cycle


def _files(upload_dir) -> list:
    return sorted(p for p in upload_dir.rglob("*") if p.is_file()) if upload_dir.exists() else []


def _batch_of(client) -> str:
    """The batch the last delete's Undo button carries, read from the page it led to."""
    page = client.get("/activities/").get_data(as_text=True)
    marker = 'name="batch" value="'
    assert marker in page, "no Undo button after the delete"
    return page.split(marker, 1)[1].split('"', 1)[0]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_delete_then_undo_restores_tags_links_evidence(logged_in, user, framework, upload_dir):
    tags = factories.leaves(framework)[:2]
    activity = factories.make_activity(user, competencies=tags, title="Risk workshop")
    reflection = factories.make_reflection(user, activity_id=activity.id)
    goal = factories.make_goal(user, competency=tags[0])
    goal.activities = [activity]
    db.session.commit()
    samples.make_evidence(user, activity, samples.pdf_bytes(), "certificate.pdf")
    samples.make_evidence(user, activity, samples.png_bytes(), "slide.png")
    ids = (activity.id, reflection.id, goal.id)

    assert logged_in.post(f"/activities/{ids[0]}/delete").status_code == 302
    assert db.session.get(Activity, ids[0]) is None
    assert db.session.get(Reflection, ids[1]).activity_id is None
    assert _count(Evidence) == 0
    assert len(_files(upload_dir)) == 2, "files stay on disk while the item is in the trash"

    response = logged_in.post("/trash/undo", data={"batch": _batch_of(logged_in)})
    assert response.status_code == 302
    restored = db.session.scalar(select(Activity).where(Activity.title == "Risk workshop"))
    assert restored is not None
    assert sorted(c.id for c in restored.competencies) == sorted(t.id for t in tags)
    assert sorted(e.original_name for e in restored.evidence) == ["certificate.pdf", "slide.png"]
    assert db.session.get(Reflection, ids[1]).activity_id == restored.id
    assert [a.id for a in db.session.get(Goal, ids[2]).activities] == [restored.id]
    assert _count(TrashItem) == 0
    assert len(_files(upload_dir)) == 2
    assert "Restored 1 activity." in logged_in.get("/activities/").get_data(as_text=True)


def test_undo_after_30_seconds_is_refused_and_the_trash_still_restores(logged_in, user):
    activity_id = factories.make_activity(user, title="Old delete").id
    logged_in.post(f"/activities/{activity_id}/delete")
    batch = _batch_of(logged_in)
    db.session.execute(
        update(TrashItem).values(deleted_at=datetime.now(UTC) - timedelta(seconds=31))
    )
    db.session.commit()

    page = logged_in.post("/trash/undo", data={"batch": batch}, follow_redirects=True)
    assert "Undo is possible for 30 seconds" in page.get_data(as_text=True)
    assert _count(Activity) == 0
    item = db.session.scalar(select(TrashItem))
    assert "Old delete" in logged_in.get("/trash/").get_data(as_text=True)
    logged_in.post(f"/trash/{item.id}/restore")
    assert db.session.scalar(select(Activity.title)) == "Old delete"


def test_another_users_batch_is_not_undone(client, login_as, user, other_user):
    activity_id = factories.make_activity(user).id
    login_as(client, user)
    client.post(f"/activities/{activity_id}/delete")
    batch = _batch_of(client)
    client.post("/account/logout")
    login_as(client, other_user)
    client.post("/trash/undo", data={"batch": batch})
    assert _count(Activity) == 0
    assert _count(TrashItem) == 1


def test_reflection_delete_and_restore_keeps_its_activity_and_evidence(logged_in, user, framework):
    activity = factories.make_activity(user)
    tag = factories.leaves(framework)[0]
    reflection = factories.make_reflection(user, competencies=[tag], activity_id=activity.id)
    samples.make_evidence(user, reflection, samples.pdf_bytes(), "notes.pdf")
    logged_in.post(f"/reflections/{reflection.id}/delete")
    assert _count(Reflection) == 0
    logged_in.post("/trash/undo", data={"batch": _batch_of(logged_in)})
    restored = db.session.scalar(select(Reflection))
    assert restored.activity_id == activity.id
    assert [c.id for c in restored.competencies] == [tag.id]
    assert [e.original_name for e in restored.evidence] == ["notes.pdf"]
    assert restored.stages == {"gibbs_description": "What happened", "gibbs_feelings": "How I felt"}


def test_a_competency_deleted_since_is_reported_not_a_500(logged_in, user):
    own = factories.make_framework(owner=user)
    tags = factories.leaves(own)
    activity_id = factories.make_activity(user, competencies=tags[:1], title="Tagged").id
    logged_in.post(f"/activities/{activity_id}/delete")
    item = db.session.scalar(select(TrashItem))
    db.session.delete(own)
    db.session.commit()
    page = logged_in.post(f"/trash/{item.id}/restore", follow_redirects=True)
    assert page.status_code == 200
    assert "Tags no longer available were left out" in page.get_data(as_text=True)
    assert db.session.scalar(select(Activity.title)) == "Tagged"


def test_delete_forever_and_the_30_day_purge_remove_the_files(logged_in, user, upload_dir):
    first = factories.make_activity(user)
    second = factories.make_activity(user)
    samples.make_evidence(user, first, samples.pdf_bytes("one"), "one.pdf")
    samples.make_evidence(user, second, samples.pdf_bytes("two"), "two.pdf")
    logged_in.post(f"/activities/{first.id}/delete")
    logged_in.post(f"/activities/{second.id}/delete")
    assert len(_files(upload_dir)) == 2
    items = db.session.scalars(select(TrashItem).order_by(TrashItem.id)).all()

    assert logged_in.post(f"/trash/{items[0].id}/delete").status_code == 302
    assert len(_files(upload_dir)) == 1
    assert _count(TrashItem) == 1

    # the sweep keeps an item younger than 30 days and purges it after
    assert sweep()["trash older than 30 days"] == 0
    later = datetime.now(UTC) + timedelta(days=services.TRASH_DAYS, minutes=1)
    assert sweep(later)["trash older than 30 days"] == 1
    assert _count(TrashItem) == 0
    assert _files(upload_dir) == []


def test_trashed_files_still_count_toward_the_quota(logged_in, user, app, upload_dir):
    activity = factories.make_activity(user)
    data = samples.pdf_bytes("quota")
    samples.make_evidence(user, activity, data, "big.pdf")
    logged_in.post(f"/activities/{activity.id}/delete")
    assert used_bytes(user) == len(data)
    assert sweep()["orphan evidence files"] == 0, "the orphan sweep leaves trashed files alone"


def test_account_deletion_removes_the_trash_and_its_files(logged_in, user, upload_dir):
    activity = factories.make_activity(user)
    samples.make_evidence(user, activity)
    logged_in.post(f"/activities/{activity.id}/delete")
    response = logged_in.post("/account/delete", data={"password": factories.PASSWORD})
    assert response.status_code == 302
    assert _count(TrashItem) == 0
    assert _files(upload_dir) == []


def test_the_trash_page_lists_only_the_users_items(client, login_as, user, other_user):
    mine = factories.make_activity(user, title="Mine to restore")
    theirs = factories.make_activity(other_user, title="Not yours")
    login_as(client, other_user)
    client.post(f"/activities/{theirs.id}/delete", follow_redirects=True)
    client.post("/account/logout")
    login_as(client, user)
    client.post(f"/activities/{mine.id}/delete")
    page = client.get("/trash/").get_data(as_text=True)
    assert "Mine to restore" in page
    assert "Not yours" not in page


def test_the_account_backup_leaves_the_trash_out(logged_in, user):
    factories.make_activity(user, title="Kept")
    gone = factories.make_activity(user, title="Trashed")
    logged_in.post(f"/activities/{gone.id}/delete")
    document = export_account(user)
    assert [a["title"] for a in document["activities"]] == ["Kept"]
    assert any(line.startswith("the trash") for line in LEFT_OUT)


def test_an_event_imported_again_since_the_delete_is_restored_beside_it(logged_in, user):
    event = {"source": ActivitySource.ICS, "external_uid": "event-1@calendar"}
    first = factories.make_activity(user, title="Planning clinic", **event)
    logged_in.post(f"/activities/{first.id}/delete")
    item_id = db.session.scalar(select(TrashItem.id))
    factories.make_activity(user, title="Planning clinic", **event)  # the re-import
    page = logged_in.post(f"/trash/{item_id}/restore", follow_redirects=True)
    assert "1 had been imported again since the delete" in page.get_data(as_text=True)
    uids = db.session.scalars(select(Activity.external_uid).order_by(Activity.id)).all()
    assert uids == ["event-1@calendar", None]


def test_undo_restores_exactly_its_own_batch(logged_in, user):
    first = factories.make_activity(user, title="First delete").id
    second = factories.make_activity(user, title="Second delete").id
    logged_in.post(f"/activities/{first}/delete")
    first_batch = _batch_of(logged_in)
    logged_in.post(f"/activities/{second}/delete")
    logged_in.post("/trash/undo", data={"batch": first_batch})
    assert db.session.scalars(select(Activity.title)).all() == ["First delete"]
    assert db.session.scalars(select(TrashItem.title)).all() == ["Second delete"]


def test_a_file_lost_from_storage_is_reported_and_the_rest_restored(logged_in, user, upload_dir):
    activity = factories.make_activity(user, title="With a lost file")
    samples.make_evidence(user, activity, samples.pdf_bytes("lost"), "lost.pdf")
    logged_in.post(f"/activities/{activity.id}/delete")
    for path in _files(upload_dir):
        path.unlink()
    page = logged_in.post("/trash/undo", data={"batch": _batch_of(logged_in)})
    listing = logged_in.get(page.headers["Location"]).get_data(as_text=True)
    assert "1 evidence file(s) were missing from storage." in listing
    restored = db.session.scalar(select(Activity).where(Activity.title == "With a lost file"))
    assert restored.evidence == []


def test_claim_status_and_own_split_come_back_with_the_activity(logged_in, user):
    cycle = make_cycle(user)
    activity = factories.make_activity(user, title="Claimed course", start_date=date(2026, 3, 1))
    claim = {"state": ClaimState.CLAIMED, "claimed_on": date(2026, 4, 1), "reference": "PDU-42"}
    db.session.add(
        ClaimStatus(user_id=user.id, cycle_id=cycle.id, activity_id=activity.id, **claim)
    )
    db.session.add(
        Allocation(
            user_id=user.id, cycle_id=cycle.id, activity_id=activity.id, category="x", minutes=60
        )
    )
    db.session.commit()
    logged_in.post(f"/activities/{activity.id}/delete")
    assert _count(ClaimStatus) == 0 and _count(Allocation) == 0
    logged_in.post("/trash/undo", data={"batch": _batch_of(logged_in)})
    restored_id = db.session.scalar(select(Activity.id))
    status = db.session.scalar(select(ClaimStatus))
    assert (status.activity_id, status.cycle_id, status.state, status.reference) == (
        restored_id,
        cycle.id,
        ClaimState.CLAIMED,
        "PDU-42",
    )
    split = db.session.scalar(select(Allocation))
    assert (split.activity_id, split.category, split.minutes) == (restored_id, "x", 60)


def test_a_second_undo_of_the_same_delete_restores_nothing_twice(logged_in, user):
    activity_id = factories.make_activity(user, title="Once only").id
    logged_in.post(f"/activities/{activity_id}/delete")
    item = db.session.scalar(select(TrashItem))

    stale = [item]  # what a second request loaded before the first one's commit
    logged_in.post(f"/trash/{item.id}/restore")
    with pytest.raises(BadFile, match="restored already"):
        restore(user, stale)
    db.session.rollback()
    assert db.session.scalars(select(Activity.title)).all() == ["Once only"]
