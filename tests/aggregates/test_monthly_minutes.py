"""monthly_minutes equals a recomputation from `activity` after every kind of write, whoever writes
(the triggers of cpd_log/aggregates/triggers.py), and the pages that read it show what the
activities say."""

import io
import random
from datetime import date, timedelta

from sqlalchemy import delete, func, insert, select, text, update

from cpd_log.aggregates import services, triggers
from cpd_log.aggregates.services import period_rows
from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityKind, ActivityStatus, MonthlyMinutes
from tests import factories
from tests.account.backup_helpers import backup_of, restore
from tests.imports.test_sheets import EXPORT_HEADER, mapping_form, suggest_mapping
from tests.imports.test_sheets import FIELDS as SHEET_FIELDS


def assert_in_step(user=None):
    db.session.expire_all()
    drift = services.drift(user.id if user else None)
    assert drift == {}, f"monthly_minutes drifted from the activities: {drift}"


def _totals(user) -> tuple[int, int]:
    row = db.session.execute(
        select(func.sum(MonthlyMinutes.activities), func.sum(MonthlyMinutes.minutes)).where(
            MonthlyMinutes.user_id == user.id
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


def _form(**overrides) -> dict:
    data = {
        "title": "Risk clinic",
        "kind": "course",
        "provider": "",
        "start_date": "2026-03-10",
        "end_date": "",
        "hours": "1.5",
        "delivery": "online",
        "status": "completed",
    }
    data.update(overrides)
    return data


def _batch_of(client) -> str:
    page = client.get("/activities/").get_data(as_text=True)
    return page.split('name="batch" value="', 1)[1].split('"', 1)[0]


def test_log_edit_delete_and_undo_through_the_pages(logged_in, user, other_user):
    factories.make_activity(other_user, minutes=30)
    assert logged_in.post("/activities/new", data=_form()).status_code == 302
    assert_in_step()
    activity = db.session.scalar(select(Activity).where(Activity.user_id == user.id))
    assert _totals(user) == (1, 90)

    edit = _form(hours="2", kind="webinar", start_date="2026-04-11", version=activity.version)
    assert logged_in.post(f"/activities/{activity.id}/edit", data=edit).status_code == 302
    assert_in_step()
    row = db.session.scalar(select(MonthlyMinutes).where(MonthlyMinutes.user_id == user.id))
    assert (row.month, row.kind, row.minutes, row.activities) == (
        date(2026, 4, 1),
        "webinar",
        120,
        1,
    )

    retitled = _form(hours="2", kind="webinar", start_date="2026-04-11", title="Renamed")
    retitled["version"] = db.session.get(Activity, activity.id).version
    assert logged_in.post(f"/activities/{activity.id}/edit", data=retitled).status_code == 302
    assert _totals(user) == (1, 120)

    assert logged_in.post(f"/activities/{activity.id}/delete").status_code == 302
    assert_in_step()
    assert _totals(user) == (0, 0)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(MonthlyMinutes)
            .where(MonthlyMinutes.user_id == user.id)
        )
        == 0
    )  # a month whose count falls to zero goes

    assert logged_in.post("/trash/undo", data={"batch": _batch_of(logged_in)}).status_code == 302
    assert_in_step()
    assert _totals(user) == (1, 120)


def test_bulk_actions_and_the_trash(logged_in, user):
    ids = [
        factories.make_activity(user, start_date=date(2026, 1, 1) + timedelta(days=i % 3)).id
        for i in range(7)
    ]
    actions = [
        {"bulk-action": "set_kind", "bulk-kind": "exam"},
        {"bulk-action": "set_status", "bulk-status": "planned"},
        {"bulk-action": "delete", "bulk-confirm": "yes"},
    ]
    for fields in actions:
        data = {"bulk-scope": "selected", "bulk-ids": [str(i) for i in ids[:5]], **fields}
        assert logged_in.post("/activities/bulk", data=data).status_code == 302
        assert_in_step()
    assert _totals(user) == (2, 180)
    assert logged_in.post("/trash/undo", data={"batch": _batch_of(logged_in)}).status_code == 302
    assert_in_step()
    assert _totals(user) == (7, 630)


def test_a_spreadsheet_import(logged_in, user):
    data = "\r\n".join(
        [
            EXPORT_HEADER,
            "Flashmob,community_event,,2026-03-10,,1.5,online,yes,,,,completed,",
            "Course,course,,2026-03-10,2026-03-12,12,in_person,no,,,,planned,",
            "Course 2,course,,2026-03-10,,2,in_person,no,,,,completed,",
        ]
    ).encode()
    response = logged_in.post(
        "/imports/spreadsheet",
        data={"sheet": (io.BytesIO(data), "log.csv")},
        content_type="multipart/form-data",
    )
    location = response.headers["Location"]
    logged_in.post(location, data=mapping_form(suggest_mapping(list(SHEET_FIELDS)), commit="1"))
    assert_in_step()
    assert _totals(user) == (3, 90 + 720 + 120)


def test_an_account_restore(app, user):
    for day in (1, 1, 2):
        factories.make_activity(user, start_date=date(2025, 5, day), minutes=45)
    payload = backup_of(user)
    fresh = factories.make_user(email="fresh@example.com")
    assert restore(fresh, payload).state == "done"
    assert_in_step()
    assert _totals(fresh) == (3, 135)


def test_writers_that_skip_the_orm(app, user, other_user):
    """Bulk INSERT … SELECT, UPDATE and DELETE statements, a moved activity, a deleted user."""
    factories.make_activity(user, minutes=60)
    copy = select(
        Activity.user_id,
        Activity.title,
        Activity.kind,
        Activity.provider,
        Activity.start_date,
        Activity.minutes,
        Activity.delivery,
        Activity.participatory,
        Activity.description,
        Activity.url,
        Activity.status,
    )
    columns = ["user_id", "title", "kind", "provider", "start_date", "minutes", "delivery"]
    columns += ["participatory", "description", "url", "status"]
    for _ in range(3):
        db.session.execute(insert(Activity).from_select(columns, copy))
    db.session.commit()
    assert_in_step()
    assert _totals(user) == (8, 480)

    db.session.execute(update(Activity).values(minutes=Activity.minutes + 15))
    db.session.execute(
        update(Activity)
        .where(Activity.id == select(func.min(Activity.id)).scalar_subquery())
        .values(user_id=other_user.id, start_date=date(2020, 2, 29), status="planned")
    )
    db.session.commit()
    assert_in_step()
    assert _totals(user) == (7, 525) and _totals(other_user) == (1, 75)

    db.session.execute(delete(Activity).where(Activity.user_id == user.id, Activity.id % 2 == 0))
    db.session.commit()
    assert_in_step()
    gone = other_user.id
    db.session.execute(text('DELETE FROM "user" WHERE id = :id'), {"id": gone})
    db.session.commit()
    assert_in_step()
    left = select(func.count()).select_from(MonthlyMinutes).where(MonthlyMinutes.user_id == gone)
    assert db.session.scalar(left) == 0


def test_rebuild_and_check_from_the_command_line(app, user):
    for minutes in (30, 60):
        factories.make_activity(user, minutes=minutes)
    db.session.execute(update(MonthlyMinutes).values(minutes=1))  # as a bug or a restore might
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["aggregates", "check"])
    assert result.exit_code == 1 and "1 totals differ" in result.output
    result = runner.invoke(args=["aggregates", "rebuild", "--user-id", str(user.id)])
    assert result.exit_code == 0, result.output
    assert_in_step()
    assert runner.invoke(args=["aggregates", "check"]).exit_code == 0
    assert _totals(user) == (2, 90)


def _stored_triggers() -> set[str]:
    if db.engine.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'activity'"
    else:
        query = (
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'activity'::regclass "
            "AND NOT tgisinternal"
        )
    return set(db.session.scalars(text(query)))


def test_the_migrated_database_has_every_trigger(app):
    """A later migration that copies `activity` (SQLite batch mode) drops them: this fails."""
    wanted = {triggers.trigger_name(event) for event in triggers.EVENTS}
    assert wanted <= _stored_triggers()


def test_a_writer_that_bypasses_them_is_caught(app, user):
    """Without the triggers a write leaves the totals behind, and the check says so."""
    factories.make_activity(user, minutes=30)
    dialect = db.engine.dialect.name
    try:
        for statement in triggers.drop_statements(dialect):
            db.session.execute(text(statement))
        db.session.commit()
        factories.make_activity(user, minutes=45)
        assert services.drift(user.id)
    finally:
        for statement in triggers.drop_statements(dialect) + triggers.create_statements(dialect):
            db.session.execute(text(statement))
        services.rebuild()
        db.session.commit()
    assert {triggers.trigger_name(event) for event in triggers.EVENTS} <= _stored_triggers()
    assert_in_step()


def test_a_period_sums_whole_months_and_the_days_at_its_ends(app, user, other_user):
    """period_rows against a plain sum of the activities, for periods starting and ending on a
    month's first, last or any other day, within one month, and open at either end."""
    rng = random.Random(17)
    start = date(2025, 1, 1)
    for _ in range(120):
        day = start + timedelta(days=rng.randrange(500))
        kind = rng.choice([ActivityKind.COURSE, ActivityKind.WEBINAR])
        status = rng.choice([ActivityStatus.COMPLETED, ActivityStatus.PLANNED])
        factories.make_activity(user, start_date=day, kind=kind, status=status, minutes=15)
    factories.make_activity(other_user, start_date=date(2025, 3, 3), minutes=999)
    days = [None, date(2025, 1, 1), date(2025, 1, 31), date(2025, 2, 14), date(2025, 2, 28)]
    days += [date(2025, 3, 1), date(2025, 7, 17), date(2026, 2, 28), date(2026, 5, 15)]
    for since in days:
        for until in days:
            if since and until and until < since:
                continue
            for equal in ({}, {"status": "completed"}, {"kind": "webinar", "status": "planned"}):
                conditions = [Activity.user_id == user.id]
                conditions += [Activity.start_date >= since] if since else []
                conditions += [Activity.start_date <= until] if until else []
                conditions += [getattr(Activity, k) == v for k, v in equal.items()]
                want = db.session.execute(
                    select(func.count(), func.coalesce(func.sum(Activity.minutes), 0)).where(
                        *conditions
                    )
                ).one()
                rows = period_rows(user.id, since, until, **equal)
                have = (sum(r[3] for r in rows), sum(r[2] for r in rows))
                assert have == tuple(want), (since, until, equal)
