"""crosswalk_mapping.valid_from/valid_to, crosswalk_override.valid_to: edits keep their history

Revision ID: a7c3e5f1b9d2
Revises: b3e91d4c7a25
Create Date: 2026-12-01 13:30:00

A user's own crosswalk mappings and overrides of shipped ones were edited in place, so an edit
changed what a cycle that had ended counted. Now an edit closes the row (valid_to) and adds a new
one (valid_from), so a pair has several rows: the unique constraints on the pair become partial
unique indexes over the rows in force (valid_to IS NULL). Dropping a constraint copies the table on SQLite (batch mode),
wrapped in `rebuilding` for the page cache's triggers. Existing rows are in force (NULL, NULL).
"""

import sqlalchemy as sa
from alembic import op

from cpd_log.page_cache_triggers import rebuilding

revision = "a7c3e5f1b9d2"
down_revision = "b3e91d4c7a25"
branch_labels = None
depends_on = None

MAPPING_PAIR = "uq_crosswalk_mapping_crosswalk_id_from_code_to_code"
OVERRIDE_PAIR = "uq_crosswalk_override_user_id_crosswalk_slug_from_code_to_code"
IN_FORCE = sa.text("valid_to IS NULL")
INDEXES = {
    "uq_crosswalk_mapping_in_force": ("crosswalk_mapping", ["crosswalk_id", "from_code", "to_code"]),
    "uq_crosswalk_override_in_force": (
        "crosswalk_override",
        ["user_id", "crosswalk_slug", "from_code", "to_code"],
    ),
}


def upgrade():
    with rebuilding(op, "crosswalk_mapping"), op.batch_alter_table("crosswalk_mapping") as batch:
        batch.drop_constraint(op.f(MAPPING_PAIR), type_="unique")
        batch.add_column(sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True))
    with rebuilding(op, "crosswalk_override"), op.batch_alter_table("crosswalk_override") as batch:
        batch.drop_constraint(op.f(OVERRIDE_PAIR), type_="unique")
        batch.add_column(sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True))
    for name, (table, columns) in INDEXES.items():
        op.create_index(
            name, table, columns, unique=True, sqlite_where=IN_FORCE, postgresql_where=IN_FORCE
        )


def downgrade():
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
    # The history goes: only the rows in force stay, so the pairs are unique again.
    op.execute("DELETE FROM crosswalk_override WHERE valid_to IS NOT NULL")
    op.execute("DELETE FROM crosswalk_mapping WHERE valid_to IS NOT NULL")
    with rebuilding(op, "crosswalk_override"), op.batch_alter_table("crosswalk_override") as batch:
        batch.drop_column("valid_to")
        batch.create_unique_constraint(
            op.f(OVERRIDE_PAIR), ["user_id", "crosswalk_slug", "from_code", "to_code"]
        )
    with rebuilding(op, "crosswalk_mapping"), op.batch_alter_table("crosswalk_mapping") as batch:
        batch.drop_column("valid_to")
        batch.drop_column("valid_from")
        batch.create_unique_constraint(op.f(MAPPING_PAIR), ["crosswalk_id", "from_code", "to_code"])
