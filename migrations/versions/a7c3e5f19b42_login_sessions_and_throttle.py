"""Server-side login sessions and the per-account login throttle; user.session_version goes

Revision ID: a7c3e5f19b42
Revises: 5d2e8c1a9f37
Create Date: 2026-12-01 07:10:00

Flask-Login's identity was `<user id>.<session_version>`; SQLite gives a deleted account's id to
the next account, so old cookies opened the new account. The identity is now a random token
naming a row of login_session (cpd_log/auth/sessions.py), and session_version has no use left.
Existing logins end with this migration (their cookies name no row): everyone logs in once more.

The column is dropped with a plain ALTER TABLE (SQLite 3.35+ and PostgreSQL), never a batch
rebuild: rebuilding "user" would delete every row that references it through ON DELETE CASCADE.
"""

from alembic import op
import sqlalchemy as sa


revision = "a7c3e5f19b42"
down_revision = "5d2e8c1a9f37"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("remember", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_login_session_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_login_session")),
    )
    op.create_index(op.f("ix_login_session_user_id"), "login_session", ["user_id"])
    op.create_index(op.f("ix_login_session_expires_at"), "login_session", ["expires_at"])
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    op.create_index(
        op.f("ix_login_throttle_last_failure_at"), "login_throttle", ["last_failure_at"]
    )
    op.drop_column("user", "session_version")


def downgrade():
    op.add_column(
        "user",
        sa.Column("session_version", sa.Integer(), nullable=False, server_default="1"),
    )
    op.drop_index(op.f("ix_login_throttle_last_failure_at"), table_name="login_throttle")
    op.drop_table("login_throttle")
    op.drop_index(op.f("ix_login_session_expires_at"), table_name="login_session")
    op.drop_index(op.f("ix_login_session_user_id"), table_name="login_session")
    op.drop_table("login_session")
