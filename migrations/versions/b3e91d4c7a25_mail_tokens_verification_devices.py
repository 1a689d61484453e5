"""Mailed account tokens (password reset, email confirmation), user.verified_at, and the
browser's User-Agent on each login session (the sessions page names devices by it)

Revision ID: b3e91d4c7a25
Revises: 3f8a6c2d9e14
Create Date: 2026-12-01 13:20:00

Columns are added with plain ALTER TABLE (SQLite and PostgreSQL), never a batch rebuild:
rebuilding "user" would delete every row that references it through ON DELETE CASCADE.
Existing accounts start unconfirmed (verified_at NULL); they work as before and see the banner.
"""

from alembic import op
import sqlalchemy as sa


revision = "b3e91d4c7a25"
down_revision = "3f8a6c2d9e14"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "account_token",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "reset_password",
                "verify_email",
                name="token_purpose",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_account_token_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_account_token")),
    )
    op.create_index(op.f("ix_account_token_user_id"), "account_token", ["user_id"])
    op.create_index(op.f("ix_account_token_expires_at"), "account_token", ["expires_at"])
    op.add_column("user", sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("login_session", sa.Column("user_agent", sa.String(length=300), nullable=True))


def downgrade():
    op.drop_column("login_session", "user_agent")
    op.drop_column("user", "verified_at")
    op.drop_index(op.f("ix_account_token_expires_at"), table_name="account_token")
    op.drop_index(op.f("ix_account_token_user_id"), table_name="account_token")
    op.drop_table("account_token")
