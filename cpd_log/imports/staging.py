"""Spreadsheet rows staged in import_row between the check and the import.

The check runs once per column mapping; the preview reads counts and a page of rows; the import
is one INSERT … SELECT. Duplicate flags are worked out again before each preview and import,
since the log may have changed since the upload.

Write lock (issue 10, defect 7). SQLite lets one transaction write at a time, and every other
user's save waits for it, for at most the busy timeout. So the slow part, checking 20,000 rows,
writes nothing; staging writes in chunks of STAGE_CHUNK rows and the steps that write yield
after each chunk, where the view commits (each a few milliseconds). A batch counts as staged
only once its mapping is recorded, in the last step, so an interrupted staging is redone rather
than previewed half. The import itself stays one transaction, all or nothing, holding only the
INSERTs: every read and every Python step is done before its first write.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, case, delete, func, insert, literal, or_, select, update

from cpd_log.activities.fields import BY_NAME, CHOICES, EDITABLE
from cpd_log.extensions import db
from cpd_log.imports.rows import Defaults, RowResult, check_rows, duplicate_key
from cpd_log.imports.services import competency_lookup, existing_keys, insert_activities
from cpd_log.models import Activity, ImportBatch, ImportRow
from cpd_log.models.activity import ActivitySource

STAGE_CHUNK = 1000  # rows written per transaction while staging (≈10 ms on SQLite)
SHOWN_FIRST = 50
SHOWN_FLAGGED = 250
# Staged as Activity stores them (activities/fields.py), the enums as their values.
_CHOSEN = tuple(field for field in CHOICES if field.name in EDITABLE)


def signature(mapping: dict, defaults: Defaults) -> list:
    return [
        mapping,
        defaults.kind.value,
        defaults.delivery.value,
        defaults.minutes,
        defaults.date_order,
    ]


def ensure_staged(user, batch: ImportBatch, mapping: dict, defaults: Defaults) -> Iterator[None]:
    """Check the rows with this mapping unless they already were; then refresh duplicates.

    Yields after each bounded write: the caller commits there (`for _ in ensure_staged(...)`).
    """
    batch_id = batch.id
    if batch.mapping != signature(mapping, defaults):
        yield from _stage(user, batch, mapping, defaults)
    yield from refresh_duplicates(user, batch_id)


def _stage(user, batch: ImportBatch, mapping: dict, defaults: Defaults) -> Iterator[None]:
    batch_id, checked_with = batch.id, signature(mapping, defaults)
    results = check_rows(batch.payload["rows"], mapping, defaults, competency_lookup(user), set())
    rows = [_staged(batch_id, result) for result in results]
    del results
    batch.mapping = None  # not staged until the last chunk is in
    db.session.execute(delete(ImportRow).where(ImportRow.batch_id == batch_id))
    db.session.flush()
    yield
    for start in range(0, len(rows), STAGE_CHUNK):
        db.session.execute(insert(ImportRow.__table__), rows[start : start + STAGE_CHUNK])
        yield
    db.session.execute(
        update(ImportBatch).where(ImportBatch.id == batch_id).values(mapping=checked_with)
    )
    yield


def _staged(batch_id: int, result: RowResult) -> dict:
    row = {name: BY_NAME[name].empty for name in EDITABLE}
    row.update(batch_id=batch_id, number=result.number, label=result.label, duplicate=False)
    row.update(errors="\n".join(result.errors), competency_ids="")
    if not result.errors:
        data = result.data
        row.update({key: data[key] for key in EDITABLE})
        for field in _CHOSEN:
            row[field.name] = data[field.name].value
        row["competency_ids"] = ",".join(map(str, data["competency_ids"]))
    return row


def refresh_duplicates(user, batch_id: int) -> Iterator[None]:
    """Flag valid rows that repeat an activity already logged or an earlier row of the file.

    Reads first, then writes the changed flags STAGE_CHUNK at a time, yielding after each.
    """
    seen = existing_keys(user)
    rows = db.session.execute(
        select(
            ImportRow.number,
            ImportRow.title,
            ImportRow.start_date,
            ImportRow.minutes,
            ImportRow.duplicate,
        )
        .where(ImportRow.batch_id == batch_id, ImportRow.errors == "")
        .order_by(ImportRow.number)
    )
    changed = []
    for number, title, start, minutes, flagged in rows:
        key = duplicate_key({"title": title, "start_date": start, "minutes": minutes})
        duplicate = key in seen
        seen.add(key)
        if duplicate != flagged:
            changed.append({"n": number, "d": duplicate})
    flag = (
        update(ImportRow.__table__)
        .where(ImportRow.batch_id == batch_id, ImportRow.number == bindparam("n"))
        .values(duplicate=bindparam("d"))
    )
    for start in range(0, len(changed), STAGE_CHUNK):
        db.session.execute(flag, changed[start : start + STAGE_CHUNK])
        yield


@dataclass(frozen=True)
class StagedReport:
    total: int
    errors: int
    duplicates: int
    shown: list[ImportRow]

    @property
    def importable(self) -> int:
        return self.total - self.errors - self.duplicates


def staged_report(batch_id: int) -> StagedReport:
    """Counts, the first rows and every flagged row (up to a few hundred): three queries."""
    problem = or_(ImportRow.errors != "", ImportRow.duplicate.is_(True))
    total, errors, duplicates = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((ImportRow.errors != "", 1), else_=0)), 0),
            func.coalesce(func.sum(case((ImportRow.duplicate.is_(True), 1), else_=0)), 0),
        ).where(ImportRow.batch_id == batch_id)
    ).one()
    mine = select(ImportRow).where(ImportRow.batch_id == batch_id).order_by(ImportRow.number)
    first = list(db.session.scalars(mine.limit(SHOWN_FIRST)))
    after = first[-1].number if first else 0
    flagged = db.session.scalars(mine.where(ImportRow.number > after, problem).limit(SHOWN_FLAGGED))
    return StagedReport(int(total), int(errors), int(duplicates), first + list(flagged))


def import_staged(user, batch_id: int, include_duplicates: bool) -> int:
    """Create the activities: untagged rows in one INSERT … SELECT, tagged ones with their tags.

    The batch is marked used (expired) in the same transaction, so a second submit imports
    nothing; its staged rows are cleared afterwards by `clear_staged`, outside the import.
    """
    chosen = [ImportRow.batch_id == batch_id, ImportRow.errors == ""]
    if not include_duplicates:
        chosen.append(ImportRow.duplicate.is_(False))
    tagged = _tagged_values(user, chosen)  # reads and Python work before the first write
    now = datetime.now(UTC)
    columns = [getattr(ImportRow, key) for key in EDITABLE]
    plain = (
        select(
            literal(user.id),
            *columns,
            literal(ActivitySource.CSV.value),
            literal(now, Activity.created_at.type),
            literal(now, Activity.updated_at.type),
        )
        .where(*chosen, ImportRow.competency_ids == "")
        .order_by(ImportRow.number)
    )
    targets = ["user_id", *EDITABLE, "source", "created_at", "updated_at"]
    # Counted, not read off the INSERT's rowcount: PostgreSQL (psycopg) answered -1 for it.
    created = db.session.scalar(select(func.count()).select_from(plain.subquery()))
    db.session.execute(insert(Activity.__table__).from_select(targets, plain))
    insert_activities(*tagged)
    db.session.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(expires_at=now))
    return created + len(tagged[0])


def clear_staged(batch_id: int) -> Iterator[None]:
    """Delete a batch's staged rows STAGE_CHUNK at a time, then the batch; yields after each."""
    yield from clear_rows(batch_id)
    db.session.execute(delete(ImportBatch).where(ImportBatch.id == batch_id))
    yield


def clear_rows(batch_id: int) -> Iterator[None]:
    """Delete a batch's staged rows STAGE_CHUNK at a time, yielding after each chunk (a batch
    imported by a worker is kept for its progress page; the housekeeping sweep removes it)."""
    while True:
        numbers = select(ImportRow.number).where(ImportRow.batch_id == batch_id)
        chunk = numbers.order_by(ImportRow.number).limit(STAGE_CHUNK)
        deleted = db.session.execute(
            delete(ImportRow).where(ImportRow.batch_id == batch_id, ImportRow.number.in_(chunk))
        ).rowcount
        yield
        if deleted < STAGE_CHUNK:
            break


def _tagged_values(user, chosen) -> tuple[list[dict], list[list[int]]]:
    """Rows with competency tags need their new ids; a competency deleted since is dropped."""
    rows = db.session.scalars(
        select(ImportRow).where(*chosen, ImportRow.competency_ids != "").order_by(ImportRow.number)
    ).all()
    if not rows:
        return [], []
    valid = {cid for cid in competency_lookup(user).values() if isinstance(cid, int)}
    values, tags = [], []
    for row in rows:
        value = {key: getattr(row, key) for key in EDITABLE}
        value.update({field.name: field.choices(value[field.name]) for field in _CHOSEN})
        value.update(user_id=user.id, source=ActivitySource.CSV)
        values.append(value)
        tags.append([int(cid) for cid in row.competency_ids.split(",") if int(cid) in valid])
    return values, tags
