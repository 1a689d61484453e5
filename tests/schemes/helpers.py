"""Builders for scheme tests: shipped schemes in the database, enrolments and their cycles."""

from datetime import date

from sqlalchemy import select, text

from cpd_log.competencies.services import seed_frameworks
from cpd_log.crosswalks.services import seed_crosswalks
from cpd_log.extensions import db
from cpd_log.models import ActivityKind, Competency, Framework
from cpd_log.schemes import services
from cpd_log.schemes.checking import DATA_DIR, read_scheme_file
from tests import factories


def shipped(slug: str):
    """The shipped scheme `slug` as a global row (loaded once; idempotent)."""
    scheme, _ = services.load_scheme(read_scheme_file(DATA_DIR / f"{slug}.json")[0])
    db.session.commit()
    return scheme


def make_enrolment(owner, slug: str = "custom", start: date = date(2026, 1, 1), label=""):
    enrolment = services.enrol(owner, shipped(slug), start, label, date.today())
    db.session.commit()
    return enrolment


def make_cycle(owner, slug: str = "custom", start: date = date(2026, 1, 1)):
    """Cycle 1 of a new enrolment (the custom scheme's year from 1 January 2026 by default)."""
    return make_enrolment(owner, slug, start).cycles[0]


def talent_triangle() -> dict[str, Competency]:
    """The shipped PMI Talent Triangle's competencies by code (TT.WOW, TT.PS, TT.BA)."""
    seed_frameworks()
    db.session.commit()
    framework = db.session.scalar(
        db.select(Framework).where(Framework.slug == "pmi-talent-triangle")
    )
    return {c.code: c for c in framework.competencies if c.parent_id is not None}


def seeded_pmo() -> dict[str, Competency]:
    """The shipped frameworks and crosswalks; the PMO framework's competencies by code."""
    seed_frameworks()
    seed_crosswalks()
    db.session.commit()
    return {
        c.code: c
        for c in db.session.scalars(
            select(Competency)
            .join(Framework)
            .where(Framework.slug == "pmo-practitioner", Competency.parent_id.is_not(None))
        )
    }


def make_course(user, tags, day, minutes=240):
    """A course of `minutes` on `day`, tagged with `tags`."""
    return factories.make_activity(
        user, tags, kind=ActivityKind.COURSE, start_date=day, minutes=minutes
    )


def mark_one(user) -> None:
    """A write the kept counts see (cpd_log/schemes/kept.py) and nothing else does: the user's
    latest activity's minutes set again. A page's first view after it counts that activity again
    without writing, the same statements at any size (query-count tests measure that view)."""
    db.session.execute(
        text(
            "UPDATE activity SET minutes = minutes WHERE id = (SELECT id FROM activity"
            " WHERE user_id = :user ORDER BY start_date DESC, id DESC LIMIT 1)"
        ),
        {"user": user.id},
    )
    db.session.commit()
