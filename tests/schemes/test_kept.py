"""The counted minutes kept per cycle and activity (cpd_log/schemes/kept.py) against a count from
scratch, after every kind of write: ORM and bulk SQL, tags, own splits, a competency renamed, a
crosswalk changed, an activity moved to another user; on SQLite and PostgreSQL alike."""

import random
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, insert, select, text, update

from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityKind, ActivityStatus, Competency, CrosswalkMapping
from cpd_log.models.counted import CountedActivity, CountedBasis, CountedDirty
from cpd_log.models.scheme import Allocation, Cycle
from cpd_log.schemes import kept, progress, services
from tests import factories
from tests.schemes.helpers import make_enrolment, seeded_pmo, talent_triangle

TODAY = date.today()
KINDS = [ActivityKind.COURSE, ActivityKind.WEBINAR, ActivityKind.ON_THE_JOB, ActivityKind.READING]


def _cycles(user) -> list[Cycle]:
    return list(db.session.scalars(select(Cycle).where(Cycle.user_id == user.id)))


def _figures(views: dict) -> dict:
    """What a page shows of each cycle's counting."""
    return {
        cid: (
            view.progress.rules,
            view.progress.total,
            view.progress.by_category,
            view.carry_out,
            view.projection,
            view.completed,
        )
        for cid, view in views.items()
    }


def assert_kept(user, cycles=None):
    """The kept path (brought up to date from the marks) gives the figures a count of every
    activity one by one gives, and its rows equal those of counting every cycle again whole."""
    db.session.expire_all()
    cycles = cycles or progress.with_predecessors(
        progress.active_cycles(services.user_enrolments(user, TODAY), TODAY)
    )
    ids = [c.id for c in cycles]
    exact = _figures(progress.compute(user, cycles, TODAY, lines_of=set(ids)))
    # Up to kept.KEEP_AFTER marks the kept sums are corrected in memory, nothing written.
    assert _figures(progress.compute(user, cycles, TODAY)) == exact
    keep_after, kept.KEEP_AFTER = kept.KEEP_AFTER, 0  # now keep what is counted again
    try:
        views = progress.compute(user, cycles, TODAY)
    finally:
        kept.KEEP_AFTER = keep_after
    assert _figures(views) == exact
    marks = select(func.count()).select_from(CountedDirty).where(CountedDirty.user_id == user.id)
    assert db.session.scalar(marks) == 0
    rows = kept.stored_rows(ids)
    assert kept.sums_drift(ids) == {}, "the sums the triggers keep drifted from the kept rows"
    with db.session.begin_nested() as scratch:
        db.session.execute(delete(CountedBasis).where(CountedBasis.cycle_id.in_(ids)))
        again = progress.compute(user, cycles, TODAY)
        assert kept.stored_rows(ids) == rows, "the kept rows drifted from a count from scratch"
        assert _figures(again) == _figures(views)
        scratch.rollback()


def _enrolled(user):
    make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=4 * 365), "PMP")  # two cycles
    make_enrolment(user, "apm", TODAY - timedelta(days=100), "APM")
    make_enrolment(user, "rics-style", TODAY - timedelta(days=20), "Employer year")


def _random_activity(user, rng, tags):
    return factories.make_activity(
        user,
        rng.sample(tags, rng.randint(0, 3)),
        kind=rng.choice(KINDS),
        start_date=TODAY - timedelta(days=rng.randint(-5, 6 * 365)),
        minutes=rng.choice([0, 30, 45, 60, 90, 240, 600, 1500]),
        participatory=rng.random() < 0.5,
        status=ActivityStatus.COMPLETED if rng.random() < 0.85 else ActivityStatus.PLANNED,
    )


def _mine(user):
    return list(db.session.scalars(select(Activity).where(Activity.user_id == user.id)))


COPIED = ["user_id", "title", "kind", "provider", "start_date", "minutes", "delivery"]
COPIED += ["participatory", "description", "url", "status"]


def _write(user, other_user, rng, tags) -> str:
    """One random write to the user's data; returns what it was (for the failure message)."""
    mine = _mine(user)
    what = rng.choice(
        ["create", "create", "edit", "edit", "tags", "delete", "bulk_insert", "bulk_update",
         "bulk_delete", "split", "split", "unsplit", "move", "rename", "crosswalk"]
    )  # fmt: skip
    if what == "create" or not mine:
        _random_activity(user, rng, tags)
        return "create"
    activity = rng.choice(mine)
    if what == "edit":
        field = rng.choice(["minutes", "kind", "start_date", "end_date", "status", "part"])
        if field == "minutes":
            activity.minutes = rng.choice([15, 60, 120, 420, 2000])
        elif field == "kind":
            activity.kind = rng.choice(KINDS)
        elif field == "start_date":
            activity.start_date = TODAY - timedelta(days=rng.randint(0, 6 * 365))
            activity.end_date = None
        elif field == "end_date":
            activity.end_date = activity.start_date + timedelta(days=rng.randint(0, 400))
        elif field == "status":
            activity.status = rng.choice(list(ActivityStatus))
        else:
            activity.participatory = not activity.participatory
        what += f" {field}"
    elif what == "tags":
        activity.competencies = rng.sample(tags, rng.randint(0, 3))
    elif what == "delete":
        db.session.delete(activity)
    elif what == "bulk_insert":
        copy = select(*(getattr(Activity, c) for c in COPIED)).where(
            Activity.user_id == user.id, Activity.id % 3 == rng.randint(0, 2)
        )
        db.session.execute(insert(Activity).from_select(COPIED, copy))
    elif what == "bulk_update":
        db.session.execute(
            update(Activity)
            .where(Activity.user_id == user.id, Activity.id % 2 == rng.randint(0, 1))
            .values(minutes=Activity.minutes + 15)
        )
    elif what == "bulk_delete":
        db.session.execute(
            delete(Activity).where(Activity.user_id == user.id, Activity.id % 4 == 0)
        )
    elif what in ("split", "unsplit"):
        cycle = rng.choice(_cycles(user))
        scheme = progress.rules.SchemeRules.from_dict(cycle.scheme.content)
        leaves = [leaf for leaf in scheme.leaves() if leaf.step == 1] or scheme.leaves()
        if what == "split":
            leaf = rng.choice(leaves)
            minutes = rng.randint(0, activity.minutes) // leaf.step * leaf.step
            services.set_split(cycle, activity.id, {leaf.code: minutes})
        else:
            db.session.execute(delete(Allocation).where(Allocation.activity_id == activity.id))
    elif what == "move":
        db.session.execute(
            update(Activity).where(Activity.id == activity.id).values(user_id=other_user.id)
        )
    elif what == "rename":  # a competency's code: its tags now mean another code
        competency = rng.choice(tags)
        db.session.execute(
            update(Competency)
            .where(Competency.id == competency.id)
            .values(code=competency.code + "X" if not competency.code.endswith("X") else
                    competency.code[:-1])
        )  # fmt: skip
    else:  # a crosswalk's mappings relation changed: every cycle it reaches is counted again
        codes = [tag.code for tag in tags]
        reaching = select(CrosswalkMapping).where(
            CrosswalkMapping.from_code.in_(codes) | CrosswalkMapping.to_code.in_(codes)
        )
        mapping = rng.choice(list(db.session.scalars(reaching.order_by(CrosswalkMapping.id))))
        mapping.relation = "related" if mapping.relation != "related" else "exact"
    db.session.commit()
    return what


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_kept_counts_equal_a_count_from_scratch_after_random_writes(
    app, user, other_user, seed
):
    rng = random.Random(seed)
    pmo, tt = seeded_pmo(), talent_triangle()
    tags = [*list(pmo.values())[:6], *tt.values()]
    _enrolled(user)
    for _ in range(12):
        _random_activity(user, rng, tags)
    assert_kept(user)  # counted whole
    done = []
    for _ in range(25):
        for _ in range(rng.randint(1, 3)):  # marks pile up between views
            done.append(_write(user, other_user, rng, tags))
        if rng.random() < 0.3:  # the cycle page's view: one cycle and its predecessor
            cycle = rng.choice(_cycles(user))
            assert_kept(user, progress.with_predecessors([cycle]))
        try:
            assert_kept(user)
        except AssertionError as error:
            raise AssertionError(f"after {done}: {error}") from error


def test_a_cycle_counted_at_another_basis_is_counted_again(app, user):
    """A cycle's scheme rules (or its dates, or the crosswalk steps into its framework) are part
    of its basis: a change counts it again whole, with no activity marked."""
    _enrolled(user)
    factories.make_activity(user, kind=ActivityKind.COURSE, start_date=TODAY, minutes=120)
    assert_kept(user)
    stored = dict(db.session.execute(select(CountedBasis.cycle_id, CountedBasis.basis)).all())
    cycle = max(_cycles(user), key=lambda c: c.start_date)  # the employer year, 20 days old
    before = progress.dashboard_cycles(user, TODAY)
    assert next(v for v in before if v.cycle.id == cycle.id).progress.total == 120
    content = dict(cycle.scheme.content)
    content["per_activity"] = {**content.get("per_activity", {}), "min": 10}  # 10 units
    cycle.scheme.content = content
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(CountedDirty)) == 0
    assert_kept(user)
    after = db.session.scalar(select(CountedBasis.basis).where(CountedBasis.cycle_id == cycle.id))
    assert after is not None and after != stored[cycle.id]
    now = progress.dashboard_cycles(user, TODAY)
    assert next(v for v in now if v.cycle.id == cycle.id).progress.total == 0


def test_the_marks_come_from_triggers_whoever_writes(app, user):
    activity = factories.make_activity(user)
    db.session.execute(delete(CountedDirty))
    db.session.execute(
        text("UPDATE activity SET title = 'only the title' WHERE id = :id"), {"id": activity.id}
    )
    if db.engine.dialect.name == "sqlite":  # UPDATE OF the counted columns only
        assert db.session.scalar(select(func.count()).select_from(CountedDirty)) == 0
    db.session.execute(text("UPDATE activity SET minutes = 5 WHERE id = :id"), {"id": activity.id})
    marked = db.session.execute(select(CountedDirty.user_id, CountedDirty.activity_id)).all()
    assert marked == [(user.id, activity.id)]
    db.session.commit()


def test_a_crosswalk_changed_counts_its_cycles_again(app, user):
    """No activity changes, only the steps into the scheme's framework: the basis tells."""
    pmo = seeded_pmo()
    make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=100), "PMP")
    factories.make_activity(
        user, [pmo["STK.3"]], kind=ActivityKind.COURSE, start_date=TODAY - timedelta(days=2),
        minutes=240,
    )  # fmt: skip
    assert_kept(user)
    assert progress.dashboard_cycles(user, TODAY)[0].progress.by_category["EDU.PS"] == 240
    db.session.execute(
        update(CrosswalkMapping)
        .where(CrosswalkMapping.from_code == "STK.3")
        .values(relation="related")  # which the PMP scheme does not count
    )
    db.session.commit()
    assert_kept(user)
    assert progress.dashboard_cycles(user, TODAY)[0].progress.by_category["EDU.PS"] == 0


def test_a_competency_renamed_marks_the_activities_tagged_with_it(app, user):
    tt = talent_triangle()
    make_enrolment(user, "pmi-pmp", TODAY - timedelta(days=100), "PMP")
    factories.make_activity(
        user, [tt["TT.PS"]], kind=ActivityKind.COURSE, start_date=TODAY - timedelta(days=2),
        minutes=240,
    )  # fmt: skip
    assert_kept(user)
    assert progress.dashboard_cycles(user, TODAY)[0].progress.by_category["EDU.PS"] == 240
    db.session.execute(
        update(Competency).where(Competency.id == tt["TT.PS"].id).values(code="TT.PS-OLD")
    )
    db.session.commit()
    assert_kept(user)
    assert progress.dashboard_cycles(user, TODAY)[0].progress.by_category["EDU.PS"] == 0


def test_a_view_taking_a_mark_waits_for_the_writer_still_at_work(app, user):
    """PostgreSQL, READ COMMITTED: a writer's trigger updates a mark already there (locking it),
    so a view cannot take it before the writer commits: it waits 200 ms, then counts by groups
    and leaves the mark. Were the mark skipped on conflict, the view would take it, count the
    activity as it was, and leave it unmarked after the commit: kept rows out of date for good."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    _enrolled(user)
    activity = factories.make_activity(
        user, kind=ActivityKind.COURSE, start_date=TODAY - timedelta(days=1), minutes=120
    )
    assert_kept(user)
    activity.minutes = 150  # a mark left from an earlier write
    db.session.commit()
    user_id, activity_id = user.id, activity.id
    writer = db.engine.connect()
    writer.begin()
    writer.execute(text("UPDATE activity SET minutes = 600 WHERE id = :id"), {"id": activity_id})
    errors = []

    def view():
        try:
            with app.app_context():
                keep_after, kept.KEEP_AFTER = kept.KEEP_AFTER, 0
                try:
                    viewer = db.session.get(type(user), user_id)
                    progress.dashboard_cycles(viewer, TODAY)
                    db.session.commit()
                finally:
                    kept.KEEP_AFTER = keep_after
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    thread = threading.Thread(target=view)
    thread.start()
    thread.join(30)  # it waits 200 ms for the mark, then counts by groups and keeps nothing
    finished = not thread.is_alive()
    writer.commit()
    writer.close()
    thread.join(30)
    assert not errors and not thread.is_alive()
    assert_kept(user)
    minutes = db.session.scalar(
        select(CountedActivity.minutes).where(CountedActivity.activity_id == activity_id).limit(1)
    )
    assert minutes == 600
    assert finished, "the view waited for the writer's commit"
