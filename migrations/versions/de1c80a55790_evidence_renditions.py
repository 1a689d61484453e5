"""evidence.rendition_sha256: the smaller copy of a large image that the portfolio PDF places

Revision ID: de1c80a55790
Revises: 709101aa9403
Create Date: 2026-12-01 07:20:00

Data step: existing images larger than images.RENDITION_SIDE get their rendition here, once
(read from UPLOAD_DIR, scaled, stored as a blob beside the original). Images whose file is
missing, that cannot be decoded or that exceed EVIDENCE_MAX_PIXELS get none; the PDF lists those
without placing them. add_column and drop_column need no batch copy on SQLite.
"""

import hashlib
from pathlib import Path

from alembic import op
import sqlalchemy as sa
from flask import current_app


revision = "de1c80a55790"
down_revision = "709101aa9403"
branch_labels = None
depends_on = None

_EVIDENCE = sa.table(
    "evidence",
    sa.column("id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("sha256", sa.String),
    sa.column("mime_type", sa.String),
    sa.column("rendition_sha256", sa.String),
)


def upgrade():
    op.add_column("evidence", sa.Column("rendition_sha256", sa.String(length=64), nullable=True))
    _make_renditions()


def _make_renditions() -> None:
    from cpd_log.evidence import images
    from cpd_log.evidence.sniffing import Refused

    folder = Path(current_app.config["UPLOAD_DIR"])
    max_pixels = current_app.config["EVIDENCE_MAX_PIXELS"]
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_EVIDENCE.c.id, _EVIDENCE.c.user_id, _EVIDENCE.c.sha256).where(
            _EVIDENCE.c.sha256.is_not(None),
            _EVIDENCE.c.mime_type.in_(sorted(images.IMAGE_TYPES)),
        )
    ).all()
    for evidence_id, user_id, digest in rows:
        original = folder / str(user_id) / digest
        try:
            copy = images.rendition(original.read_bytes(), max_pixels)
        except (OSError, Refused):
            continue
        if copy is None:
            continue
        copy_digest = hashlib.sha256(copy).hexdigest()
        target = original.with_name(copy_digest)
        if not target.exists():
            temporary = original.with_name(f".{copy_digest}.migration.part")
            temporary.write_bytes(copy)
            temporary.replace(target)
        bind.execute(
            sa.update(_EVIDENCE)
            .where(_EVIDENCE.c.id == evidence_id)
            .values(rendition_sha256=copy_digest)
        )


def downgrade():
    bind = op.get_bind()
    pairs = bind.execute(
        sa.select(_EVIDENCE.c.user_id, _EVIDENCE.c.rendition_sha256).where(
            _EVIDENCE.c.rendition_sha256.is_not(None)
        )
    ).all()
    originals = set(
        bind.execute(
            sa.select(_EVIDENCE.c.user_id, _EVIDENCE.c.sha256).where(
                _EVIDENCE.c.sha256.is_not(None)
            )
        ).all()
    )
    # Not batch mode: SQLite (3.35+) drops a column no constraint or index uses in place.
    op.drop_column("evidence", "rendition_sha256")
    # The older code knows nothing of renditions and would never remove them.
    folder = Path(current_app.config["UPLOAD_DIR"])
    for user_id, digest in set(pairs) - originals:
        (folder / str(user_id) / digest).unlink(missing_ok=True)
