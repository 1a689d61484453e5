"""Crosswalks: how the competencies of one framework correspond to those of another, as data.

A `Crosswalk` row is one version of a crosswalk file, like a `Scheme` row: a new version adds a
row (with its mappings) beside the old one and never edits it, so a cycle that has ended keeps
being counted with the mappings in force on its last day. Mappings name competencies by framework
slug and code, not by id, so they outlive edits of either framework.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cpd_log.extensions import db
from cpd_log.models.types import utcnow

# How the "from" competency relates to the "to" one (SKOS's words: narrower = a part of it).
RELATIONS = ("exact", "broader", "narrower", "related")


class Crosswalk(db.Model):
    __tablename__ = "crosswalk"
    __table_args__ = (UniqueConstraint("owner_id", "slug", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text, default="")
    licence: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    from_framework: Mapped[str] = mapped_column(String(64))  # a framework slug
    to_framework: Mapped[str] = mapped_column(String(64))
    # NULL owner: shipped with the app (global); otherwise a user's own crosswalk.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    # When this version was loaded: a cycle that ended before counts with an older version.
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    mappings: Mapped[list["CrosswalkMapping"]] = relationship(
        back_populates="crosswalk",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="CrosswalkMapping.id",
    )

    def __repr__(self) -> str:
        return f"<Crosswalk {self.slug} {self.version}>"


class CrosswalkMapping(db.Model):
    __tablename__ = "crosswalk_mapping"
    __table_args__ = (
        UniqueConstraint("crosswalk_id", "from_code", "to_code"),
        CheckConstraint(
            "relation IN ('exact', 'broader', 'narrower', 'related')", name="relation_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    crosswalk_id: Mapped[int] = mapped_column(
        ForeignKey("crosswalk.id", ondelete="CASCADE"), index=True
    )
    from_code: Mapped[str] = mapped_column(String(32))
    to_code: Mapped[str] = mapped_column(String(32))
    relation: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")

    crosswalk: Mapped[Crosswalk] = relationship(back_populates="mappings")


class CrosswalkOverride(db.Model):
    """A user's own judgement of one pair of a shipped crosswalk: another relation (or a pair the
    shipped file lacks), or `relation` NULL: the pair does not count for this user. It applies to
    every version of the shipped crosswalk `crosswalk_slug`, in this user's counting only; a
    cycle that ended before the override was made keeps counting without it."""

    __tablename__ = "crosswalk_override"
    __table_args__ = (
        UniqueConstraint("user_id", "crosswalk_slug", "from_code", "to_code"),
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
    from_code: Mapped[str] = mapped_column(String(32))
    to_code: Mapped[str] = mapped_column(String(32))
    relation: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
