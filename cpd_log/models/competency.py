"""Competency frameworks: data, never code. A framework is a tree of areas and competencies."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cpd_log.competencies.importers import CODE_MAX
from cpd_log.extensions import db
from cpd_log.models.types import utcnow


class Framework(db.Model):
    __tablename__ = "framework"
    __table_args__ = (
        UniqueConstraint("owner_id", "slug"),
        Index("uq_framework_team_id_slug", "team_id", "slug", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(32), default="1.0")
    source: Mapped[str] = mapped_column(Text, default="")
    licence: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # Ordered scale: [{"value": 0, "name": "Unaware", "description": "..."}, ...]
    levels: Mapped[list] = mapped_column(JSON, default=list)
    # NULL owner and NULL team: a global framework, managed by admins. A team's framework has
    # no owner: the team owns it, its leads edit it, its members see it (cpd_log/team_library/).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE", use_alter=True)
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    # The owning team (not the team's heat-map framework, team.framework_id: the other way).
    team = relationship("Team", foreign_keys=[team_id])
    competencies: Mapped[list["Competency"]] = relationship(
        back_populates="framework",
        cascade="all, delete-orphan",
        order_by="Competency.sort",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<Framework {self.slug} {self.version}>"


class Competency(db.Model):
    """An area (no parent) or a competency inside an area."""

    __tablename__ = "competency"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("framework.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("competency.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(CODE_MAX))  # Mahara's shortname length
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    sort: Mapped[int] = mapped_column(Integer, default=0)

    framework: Mapped[Framework] = relationship(back_populates="competencies")
    parent: Mapped["Competency | None"] = relationship(remote_side=[id])

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"

    def __repr__(self) -> str:
        return f"<Competency {self.code}>"
