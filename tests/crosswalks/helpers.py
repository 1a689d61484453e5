"""Rows for crosswalk tests: a user's own crosswalk and an override of a shipped one."""

from cpd_log.extensions import db
from cpd_log.models import Crosswalk, CrosswalkMapping, CrosswalkOverride
from tests import factories


def make_crosswalk(owner) -> Crosswalk:
    """The owner's crosswalk from a framework of theirs to another, with one mapping."""
    ours = factories.make_framework(owner=owner)
    theirs = factories.make_framework(owner=owner)
    row = Crosswalk(
        slug=f"walk-{ours.slug}",
        version="1",
        name="My crosswalk",
        from_framework=ours.slug,
        to_framework=theirs.slug,
        owner_id=owner.id,
        mappings=[
            CrosswalkMapping(from_code="A1.1", to_code="A2.1", relation="exact", reason="Same.")
        ],
    )
    db.session.add(row)
    db.session.commit()
    return row


def make_override(owner) -> CrosswalkOverride:
    """The owner's override of a pair of a (made-up) shipped crosswalk."""
    row = CrosswalkOverride(
        user_id=owner.id,
        crosswalk_slug="shipped-walk",
        from_framework="a",
        to_framework="b",
        from_code="A1.1",
        to_code="A2.1",
        relation=None,
    )
    db.session.add(row)
    db.session.commit()
    return row
