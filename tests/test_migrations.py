"""The models and the Alembic migrations describe the same schema, on SQLite and PostgreSQL."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from cpd_log import create_app
from cpd_log.extensions import db
from tests.database import scratch_database


def test_models_match_the_migrated_schema(app):
    """Fails when a model changes without a migration (run `flask --app cpd_log db migrate`)."""
    with db.engine.connect() as connection, warnings.catch_warnings():
        # SQLite cannot reflect an index on an expression (ix_activity_user_ended), so Alembic
        # leaves it out of the comparison there; the PostgreSQL run compares it.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
        # The same options as `flask db migrate` (the search index's tables are left out).
        options = {"compare_type": True, **current_app.extensions["migrate"].configure_args}
        context = MigrationContext.configure(connection, opts=options)
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_migrations_go_down_and_up_again(tmp_path):
    with scratch_database(tmp_path) as url:
        app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            tables = set(inspect(db.engine).get_table_names())
            assert {"user", "activity", "framework", "competency"} <= tables
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            assert set(inspect(db.engine).get_table_names()) == tables
            db.engine.dispose()
