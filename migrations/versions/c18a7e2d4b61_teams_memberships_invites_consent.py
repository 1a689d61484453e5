"""teams, memberships with roles and consent, shared portfolios, invites (issue 18)

Revision ID: c18a7e2d4b61
Revises: a7c3e9f15d20
Create Date: 2026-12-01 16:00:00

New tables only; no existing table is altered. Every row hangs off a user or a team through
ON DELETE CASCADE, so deleting an account removes its memberships and its consent with them.
"""

import sqlalchemy as sa
from alembic import op

revision = "c18a7e2d4b61"
down_revision = "a7c3e9f15d20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["framework.id"],
            name=op.f("fk_team_framework_id_framework"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
    )
    op.create_index(op.f("ix_team_framework_id"), "team", ["framework_id"])
    op.create_table(
        "team_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
        sa.Column("is_appraiser", sa.Boolean(), nullable=False),
        sa.Column("shares_progress", sa.Boolean(), nullable=False),
        sa.Column("shares_competencies", sa.Boolean(), nullable=False),
        sa.Column("consent_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_team_membership_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_team_membership_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_membership")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_team_membership_team_id_user_id")),
    )
    op.create_index(op.f("ix_team_membership_team_id"), "team_membership", ["team_id"])
    op.create_index(op.f("ix_team_membership_user_id"), "team_membership", ["user_id"])
    op.create_table(
        "team_shared_portfolio",
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["team_membership.id"],
            name=op.f("fk_team_shared_portfolio_membership_id_team_membership"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolio.id"],
            name=op.f("fk_team_shared_portfolio_portfolio_id_portfolio"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("membership_id", "portfolio_id", name=op.f("pk_team_shared_portfolio")),
    )
    op.create_index(
        op.f("ix_team_shared_portfolio_portfolio_id"), "team_shared_portfolio", ["portfolio_id"]
    )
    op.create_table(
        "team_invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
        sa.Column("is_appraiser", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_team_invite_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_team_invite_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["used_by_id"], ["user.id"], name=op.f("fk_team_invite_used_by_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_invite")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_team_invite_token_hash")),
    )
    op.create_index(op.f("ix_team_invite_team_id"), "team_invite", ["team_id"])


def downgrade():
    op.drop_index(op.f("ix_team_invite_team_id"), table_name="team_invite")
    op.drop_table("team_invite")
    op.drop_index(op.f("ix_team_shared_portfolio_portfolio_id"), table_name="team_shared_portfolio")
    op.drop_table("team_shared_portfolio")
    op.drop_index(op.f("ix_team_membership_user_id"), table_name="team_membership")
    op.drop_index(op.f("ix_team_membership_team_id"), table_name="team_membership")
    op.drop_table("team_membership")
    op.drop_index(op.f("ix_team_framework_id"), table_name="team")
    op.drop_table("team")
