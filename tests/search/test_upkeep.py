"""The search index's upkeep: the housekeeping sweep merges SQLite's FTS5 segments, and search
finds the same activities before and after."""

import pytest
from sqlalchemy import text

from cpd_log import housekeeping
from cpd_log.activities.services import activity_query
from cpd_log.extensions import db
from cpd_log.search.index import TABLE
from cpd_log.search.upkeep import merge_index
from tests import factories


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = 0
    for _ in range(9):
        byte = data[at]
        at += 1
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            break
    return value, at


def segments() -> int:
    """FTS5's segment count, from its structure record (row 10 of the data table: a 4-byte
    cookie, then the number of levels and of segments as varints)."""
    record = db.session.scalar(text(f"SELECT block FROM {TABLE}_data WHERE id = 10"))  # noqa: S608
    _levels, at = _varint(record, 4)
    return _varint(record, at)[0]


def titles(user, words: str) -> set[str]:
    return {a.title for a in db.session.scalars(activity_query(user, {"q": words}))}


def test_the_sweep_merges_the_segments_that_each_write_adds(app, user):
    if db.engine.dialect.name != "sqlite":
        assert merge_index(None) == 0  # a GIN index is not merged
        pytest.skip("PostgreSQL's GIN index has no segments")
    # The index outlives the rows earlier tests deleted; start from one segment, whatever ran.
    db.session.execute(text(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')"))  # noqa: S608
    db.session.commit()
    assert segments() <= 1
    for n in range(6):  # one segment per transaction
        factories.make_activity(user, title=f"Risk workshop {n}")
        db.session.commit()
    before = segments()
    assert before >= 3
    found = titles(user, "risk workshop")
    assert len(found) == 6

    done = housekeeping.sweep()

    assert done["search index segments merged"] >= 1
    assert segments() < before and segments() <= 2
    assert titles(user, "risk workshop") == found
    assert merge_index(None) == 0  # nothing left to merge
    factories.make_activity(user, title="Risk workshop 6")
    db.session.commit()
    assert len(titles(user, "risk workshop")) == 7
