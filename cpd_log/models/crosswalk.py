"""Crosswalks: how the competencies of one framework correspond to those of another, as data.

A `Crosswalk` row is one version of a crosswalk file, like a `Scheme` row: a new version adds a
row (with its mappings) beside the old one and never edits it, so a cycle that has ended keeps
being counted with the mappings in force on its last day. Mappings name competencies by framework
slug and code, not by id, so they outlive edits of either framework.

A user's own crosswalk is one version edited mapping by mapping, and a user's override of a shipped
pair is edited too: such an edit closes the row it changes (`valid_to`) and adds a new one
(`valid_from`), so a cycle that ended before the edit keeps counting with the rows in force on its
last day (crosswalks/mapping.py, held_on). `mappings` holds the rows in force; the closed ones are
read by counting only (crosswalks/loading.py).
"""

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cpd_log.competencies.importers import CODE_MAX
from cpd_log.extensions import db
from cpd_log.models.types import utcnow

IN_FORCE = text("valid_to IS NULL")


def one_in_force(name: str, *columns: str) -> Index:
    """A unique index over the rows in force only (SQLite and PostgreSQL both index partially):
    closed rows of the same pair are its history."""
    return Index(name, *columns, unique=True, sqlite_where=IN_FORCE, postgresql_where=IN_FORCE)


# How the "from" competency relates to the "to" one (SKOS's words: narrower = a part of it).
RELATIONS = ("exact", "broader", "narrower", "related")


class Crosswalk(db.Model):
    __tablename__ = "crosswalk"
    __table_args__ = (
        UniqueConstraint("owner_id", "slug", "version"),
        Index("uq_crosswalk_team_id_slug_version", "team_id", "slug", "version", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text, default="")
    licence: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    from_framework: Mapped[str] = mapped_column(String(64))  # a framework slug
    to_framework: Mapped[str] = mapped_column(String(64))
    # NULL owner and team: shipped with the app (global); an owner: a user's own crosswalk; a
    # team: the team's, naming the team's frameworks by slug (cpd_log/team_library/).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    # When this version was loaded: a cycle that ended before counts with an older version.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    # The mappings in force (a closed row is history, for cycles that ended before it closed).
    mappings: Mapped[list["CrosswalkMapping"]] = relationship(
        primaryjoin="and_(Crosswalk.id == CrosswalkMapping.crosswalk_id, "
        "CrosswalkMapping.valid_to.is_(None))",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="CrosswalkMapping.id",
        overlaps="crosswalk",
    )

    def __repr__(self) -> str:
        return f"<Crosswalk {self.slug} {self.version}>"


class CrosswalkMapping(db.Model):
    __tablename__ = "crosswalk_mapping"
    __table_args__ = (
        one_in_force("uq_crosswalk_mapping_in_force", "crosswalk_id", "from_code", "to_code"),
        CheckConstraint(
            "relation IN ('exact', 'broader', 'narrower', 'related')", name="relation_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    crosswalk_id: Mapped[int] = mapped_column(
        ForeignKey("crosswalk.id", ondelete="CASCADE"), index=True
    )
    from_code: Mapped[str] = mapped_column(String(CODE_MAX))
    to_code: Mapped[str] = mapped_column(String(CODE_MAX))
    relation: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    # NULL: since its crosswalk version was loaded (a file, an import); else the edit that made it.
    valid_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # NULL: in force; else when an edit changed or removed it.
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    crosswalk: Mapped[Crosswalk] = relationship(overlaps="mappings")


class CrosswalkOverride(db.Model):
    """A user's own judgement of one pair of a shipped crosswalk: another relation (or a pair the
    shipped file lacks), or `relation` NULL: the pair does not count for this user. It applies to
    every version of the shipped crosswalk `crosswalk_slug`, in this user's counting only, from
    `created_at` until `valid_to` (NULL: in force): a cycle that ended before the override was made
    keeps counting without it, one that ended before it was changed or dropped keeps it."""

    __tablename__ = "crosswalk_override"
    __table_args__ = (
        one_in_force(
            "uq_crosswalk_override_in_force", "user_id", "crosswalk_slug", "from_code", "to_code"
        ),
        CheckConstraint(
            "relation IS NULL OR relation IN ('exact', 'broader', 'narrower', 'related')",
            name="relation_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    crosswalk_slug: Mapped[str] = mapped_column(String(64))
    # The shipped crosswalk's frameworks, copied so counting reads the names in one query.
    from_framework: Mapped[str] = mapped_column(String(64))
    to_framework: Mapped[str] = mapped_column(String(64))
    from_code: Mapped[str] = mapped_column(String(CODE_MAX))
    to_code: Mapped[str] = mapped_column(String(CODE_MAX))
    relation: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
