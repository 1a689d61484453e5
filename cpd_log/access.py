"""The one place that scopes user-owned rows to their owner.

Every query for a user's rows goes through `owned()`; every lookup by id through
`get_owned_or_404()`, which answers 404 for another user's row so its existence is never revealed.
Models with shipped rows (owner_id NULL) and the user's own go through `visible()`,
`get_visible_or_404()` and, to edit, `get_editable_or_404()`. Frameworks and schemes may also
belong to a team (team_id): such a row is never shipped (`shipped()`), and only the team's
members see it (`member_teams()`; cpd_log/team_library/ says who edits it).
"""

from flask import abort
from sqlalchemy import ColumnElement, Select, and_, or_, select

from cpd_log.extensions import db
from cpd_log.models.team import TeamMembership


def owned(model, user) -> Select:
    """SELECT model rows belonging to `user`."""
    return select(model).where(model.user_id == user.id)


def get_owned_or_404(model, row_id: int, user, *options):
    """The user's row with this id, or abort(404) — also when it belongs to someone else."""
    row = db.session.scalar(owned(model, user).where(model.id == row_id).options(*options))
    if row is None:
        abort(404)
    return row


def shipped(model) -> ColumnElement:
    """SQL: the row (of a model with owner_id, or an alias of one) came with the app: no owner,
    and no team for the models a team can own."""
    team = getattr(model, "team_id", None)
    return (
        model.owner_id.is_(None) if team is None else and_(model.owner_id.is_(None), team.is_(None))
    )


def member_teams(user) -> Select:
    """SELECT the ids of the teams the user is a member of (in any role), read afresh on every
    request: leaving or removal takes effect at once."""
    return select(TeamMembership.team_id).where(TeamMembership.user_id == user.id)


def visible(model, user) -> Select:
    """SELECT rows of a model that is shipped (owner_id NULL) or owned (owner_id), as the user
    sees them: the shipped ones and their own (a team's rows are not shipped ones)."""
    return select(model).where(or_(shipped(model), model.owner_id == user.id))


def get_visible_or_404(model, row_id: int, user, *options):
    """A shipped row or one of the user's own with this id; another user's answers 404."""
    row = db.session.scalar(visible(model, user).where(model.id == row_id).options(*options))
    if row is None:
        abort(404)
    return row


def get_editable_or_404(model, row_id: int, user, *options):
    """Only the user's own rows can be edited: a shipped one answers 403, another's 404."""
    row = get_visible_or_404(model, row_id, user, *options)
    if row.owner_id != user.id:
        abort(403)
    return row
