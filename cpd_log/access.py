"""The one place that scopes user-owned rows to their owner.

Every query for a user's rows goes through `owned()`; every lookup by id through
`get_owned_or_404()`, which answers 404 for another user's row so its existence is never revealed.
"""

from flask import abort
from sqlalchemy import Select, select

from cpd_log.extensions import db


def owned(model, user) -> Select:
    """SELECT model rows belonging to `user`."""
    return select(model).where(model.user_id == user.id)


def get_owned_or_404(model, row_id: int, user, *options):
    """The user's row with this id, or abort(404) — also when it belongs to someone else."""
    row = db.session.scalar(owned(model, user).where(model.id == row_id).options(*options))
    if row is None:
        abort(404)
    return row
