"""Trash items made through the real delete (trash.moving), committed."""

from sqlalchemy import select

from cpd_log.extensions import db
from cpd_log.models import TrashItem
from cpd_log.trash.moving import new_batch, trash_activities
from tests import factories


def make_trash_item(owner) -> TrashItem:
    batch = new_batch()
    trash_activities(owner, [factories.make_activity(owner).id], batch)
    db.session.commit()
    return db.session.scalar(select(TrashItem).where(TrashItem.batch == batch))
