"""The activity list's search: every kind of write keeps the index right, only the user's own
live activities are found, any text is safe, and the best match comes first."""

from datetime import date

import pytest
from sqlalchemy import text

from cpd_log.account.account_export import export_account
from cpd_log.account.account_import import import_account
from cpd_log.activities.services import activity_query
from cpd_log.auth.services import delete_account
from cpd_log.extensions import db
from cpd_log.models import Activity
from cpd_log.search.index import OWNER_SPAN, PG_INDEX, PG_PENDING_KB, TABLE
from cpd_log.trash import services as trash
from cpd_log.trash.moving import new_batch, trash_activities
from tests import factories
from tests.activities.test_list import titles


def found(client, query: str) -> list[str]:
    response = client.get("/activities/", query_string={"q": query})
    assert response.status_code == 200
    return titles(response)


def indexed_rows(activity_ids) -> int:
    """The index's rows for these activities (FTS5 rowid: owner × 2³² + id / PostgreSQL
    activity_id)."""
    key = f"rowid % {OWNER_SPAN}" if db.engine.dialect.name == "sqlite" else "activity_id"
    ids = ", ".join(str(int(i)) for i in activity_ids) or "0"
    return db.session.scalar(text(f"SELECT count(*) FROM {TABLE} WHERE {key} IN ({ids})"))  # noqa: S608


def test_a_logged_and_edited_activity_is_found_by_its_new_words_only(logged_in, user):
    response = logged_in.post(
        "/activities/new",
        data={
            "title": "Governance gateway review",
            "kind": "course",
            "provider": "Axelos",
            "start_date": "2026-03-01",
            "hours": "2",
            "delivery": "online",
            "description": "Assurance of stage gates",
            "status": "completed",
        },
    )
    assert response.status_code == 302
    assert found(logged_in, "gateway") == ["Governance gateway review"]
    assert found(logged_in, "axelos assurance") == ["Governance gateway review"]
    activity = db.session.scalar(db.select(Activity))
    activity.title = "Benefits mapping"
    db.session.commit()
    assert found(logged_in, "gateway") == []
    assert found(logged_in, "benefits") == ["Benefits mapping"]


def test_rows_written_in_sql_are_indexed(logged_in, user):
    """A bulk import copies staged rows with INSERT … SELECT: the triggers see every writer."""
    template = factories.make_activity(user, title="Template row")
    db.session.execute(
        text(
            "INSERT INTO activity (user_id, title, kind, provider, start_date, minutes, delivery,"
            " participatory, description, url, status, source, version, created_at, updated_at)"
            " SELECT user_id, 'Copied ' || title, kind, 'Copyhouse', start_date, minutes,"
            " delivery, participatory, 'bulk', url, status, 'csv', 1, created_at, updated_at"
            " FROM activity WHERE id = :id"
        ),
        {"id": template.id},
    )
    db.session.commit()
    assert found(logged_in, "copyhouse") == ["Copied Template row"]
    db.session.execute(text("UPDATE activity SET provider = 'Elsewhere' WHERE title LIKE 'C%'"))
    db.session.commit()
    assert found(logged_in, "copyhouse") == []
    assert found(logged_in, "elsewhere") == ["Copied Template row"]
    db.session.execute(text("DELETE FROM activity WHERE provider = 'Elsewhere'"))
    db.session.commit()
    assert found(logged_in, "elsewhere") == []


def test_reflection_texts_find_their_activity(logged_in, user):
    activity = factories.make_activity(user, title="Steering committee")
    other = factories.make_activity(user, title="Quiet day")
    reflection = factories.make_reflection(
        user, activity=activity, stages={"gibbs_description": "the sponsor intervened"}
    )
    assert found(logged_in, "sponsor") == ["Steering committee"]
    reflection.search_text = "a kanban board"
    db.session.commit()
    assert found(logged_in, "sponsor") == []
    assert found(logged_in, "kanban") == ["Steering committee"]
    reflection.activity_id = other.id  # moved to another activity
    db.session.commit()
    assert found(logged_in, "kanban") == ["Quiet day"]
    reflection.applied_text, reflection.applied_on = "ran a retrospective", date(2026, 4, 1)
    db.session.commit()
    assert found(logged_in, "retrospective") == ["Quiet day"]
    db.session.delete(reflection)
    db.session.commit()
    assert found(logged_in, "kanban") == [] and found(logged_in, "retrospective") == []


def test_another_users_activities_never_appear(logged_in, user, other_user):
    factories.make_activity(user, title="Mine: risk register")
    factories.make_activity(other_user, title="Theirs: risk register", provider="Ada")
    factories.make_activity(other_user, title=f"Theirs {user.id}")  # the owner's id as text
    assert found(logged_in, "risk register") == ["Mine: risk register"]
    assert found(logged_in, "ada") == []
    assert found(logged_in, str(user.id)) == []
    criteria = {"q": "register"}
    assert [a.title for a in db.session.scalars(activity_query(other_user, criteria))] == [
        "Theirs: risk register"
    ]


def test_an_activity_given_to_another_user_moves_in_the_index(logged_in, user, other_user):
    """SQLite keys each row by its owner (index.py): a new owner means a new row, reflections
    included, and a reflection (its owner's too) written later refreshes that row."""
    activity = factories.make_activity(user, title="Handover plan")
    reflection = factories.make_reflection(
        user, activity=activity, stages={"gibbs_description": "the sponsor signed off"}
    )
    for table in ("activity", "reflection"):
        db.session.execute(
            text(f"UPDATE {table} SET user_id = :other WHERE user_id = :mine"),  # noqa: S608
            {"other": other_user.id, "mine": user.id},
        )
    db.session.commit()
    db.session.refresh(reflection)
    assert found(logged_in, "handover") == [] and found(logged_in, "sponsor") == []

    def theirs(words: str) -> list[str]:
        return [a.title for a in db.session.scalars(activity_query(other_user, {"q": words}))]

    assert theirs("handover sponsor") == ["Handover plan"]
    reflection.search_text = "a kanban board"
    db.session.commit()
    assert theirs("kanban") == ["Handover plan"] and theirs("sponsor") == []
    assert indexed_rows([activity.id]) == 1


def test_a_search_reads_only_its_owners_rowid_range(app, user, other_user):
    """On SQLite a user's rows are one rowid range, and a search is bounded to it: it reads no
    other user's postings and nothing per activity the user has (bench/search.py)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's index has one row per activity id")
    mine = factories.make_activity(user, title="Risk register")
    theirs = factories.make_activity(other_user, title="Risk register")
    rowids = set(db.session.scalars(text(f"SELECT rowid FROM {TABLE}")))  # noqa: S608
    assert rowids == {u.id * OWNER_SPAN + a.id for u, a in ((user, mine), (other_user, theirs))}
    query = activity_query(user, {"q": "risk"})
    assert "activity_search.rowid BETWEEN" in str(query.compile(db.engine))
    assert [a.id for a in db.session.scalars(query)] == [mine.id]


def test_postgresqls_pending_list_stays_small(app):
    """A GIN pending list is read whole by every search (index.py, PG_PENDING_KB)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's index has no pending list")
    options = db.session.scalar(
        text("SELECT reloptions FROM pg_class WHERE relname = :name"), {"name": PG_INDEX}
    )
    assert f"gin_pending_list_limit={PG_PENDING_KB}" in options


def test_trashed_activities_are_not_found_until_restored(logged_in, user):
    activity = factories.make_activity(user, title="Portfolio prioritisation")
    batch = new_batch()
    assert trash_activities(user, [activity.id], batch) == 1
    db.session.commit()
    assert found(logged_in, "prioritisation") == []
    assert trash.undo(user, batch) is not None
    db.session.commit()
    assert found(logged_in, "prioritisation") == ["Portfolio prioritisation"]


def test_a_restored_account_is_searchable_and_a_deleted_one_leaves_nothing(app, user):
    activity = factories.make_activity(user, title="Earned value", provider="APM")
    factories.make_reflection(
        user, activity=activity, stages={"gibbs_description": "schedule variance"}
    )
    document = export_account(user)
    newcomer = factories.make_user(email="newcomer@example.com")
    import_account(newcomer, document)
    db.session.commit()
    query = activity_query(newcomer, {"q": "variance"})
    restored = [a.title for a in db.session.scalars(query)]
    assert restored == ["Earned value"]
    ids = [a.id for a in db.session.scalars(db.select(Activity))]
    assert indexed_rows(ids) == 2
    delete_account(user)
    delete_account(newcomer)
    db.session.commit()
    assert indexed_rows(ids) == 0


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"risk',
        "risk*",
        "*",
        "NEAR(risk gate, 2)",
        "risk NEAR gate",
        "-risk",
        "risk -",
        "risk AND OR NOT",
        "(((risk",
        "title:risk",
        "{title}: risk",
        "risk & | ! <-> :* '",
        "^risk",
        "%_\\",
        "Ünïcödé ＰＭＯ 東京 𝔯𝔦𝔰𝔨 ²",
        "\x00risk\x1f",
        "risk " * 40,
    ],
)
def test_hostile_text_never_fails(logged_in, user, query):
    factories.make_activity(user, title="Risk gate")
    response = logged_in.get("/activities/", query_string={"q": query})
    assert response.status_code == 200


def test_ten_thousand_characters_are_searched_safely(app, user):
    factories.make_activity(user, title="Risk gate")
    for query in ("risk " * 2_000, "x" * 10_000, '"*(' * 3_334):
        assert len(list(db.session.scalars(activity_query(user, {"q": query})))) <= 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("risk", ["Top risks", "Risk appetite"]),  # stemmed both ways
        ("risks", ["Top risks", "Risk appetite"]),
        ("managem", ["Stakeholder management"]),  # typed ahead, past the stem "manag"
        ("stakeh", ["Stakeholder management"]),
        ("stakeholders", ["Stakeholder management"]),
        ("appetite risk", ["Risk appetite"]),  # every word, in any order
        ("cafe", ["Café culture"]),  # accents do not matter
    ],
)
def test_words_match_as_people_expect(logged_in, user, query, expected):
    for title in ("Risk appetite", "Top risks", "Stakeholder management", "Café culture"):
        factories.make_activity(user, title=title, start_date=date(2026, 1, 1))
    assert sorted(found(logged_in, query)) == sorted(expected)


def test_best_match_first_unless_another_order_is_chosen(logged_in, user):
    factories.make_activity(
        user, title="Monthly reporting", description="a benefits slide", start_date=date(2026, 5, 1)
    )
    factories.make_activity(user, title="Benefits realisation", start_date=date(2025, 1, 1))
    assert found(logged_in, "benefits") == ["Benefits realisation", "Monthly reporting"]
    response = logged_in.get("/activities/?q=benefits&sort=date_desc")
    assert titles(response) == ["Monthly reporting", "Benefits realisation"]


# Batch mode reflects the table and cannot reflect the expression index ix_activity_user_ended.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based")
def test_a_migration_that_copies_activity_keeps_the_index(tmp_path):
    """SQLite batch mode copies the table and loses its triggers: `rebuilding` brings the index
    and its triggers back, filled with the rows that were there."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations
    from flask_migrate import upgrade

    from cpd_log import create_app
    from cpd_log.page_cache_triggers import rebuilding as page_cache_rebuilding
    from cpd_log.search.index import rebuilding
    from tests.database import scratch_database

    with scratch_database(tmp_path) as url:
        app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            user = factories.make_user()
            factories.make_activity(user, title="Before the copy")
            with db.engine.begin() as connection:
                op = Operations(MigrationContext.configure(connection))
                copy = "always" if connection.dialect.name == "sqlite" else "auto"
                with (
                    rebuilding(op),
                    page_cache_rebuilding(op, "activity"),
                    op.batch_alter_table("activity", recreate=copy),
                ):
                    pass
            factories.make_activity(user, title="After the copy")
            titles_found = {
                a.title for a in db.session.scalars(activity_query(user, {"q": "copy"}))
            }
            assert titles_found == {"Before the copy", "After the copy"}
            db.session.remove()
            db.engine.dispose()
