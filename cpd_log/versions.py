"""Optimistic concurrency for edit forms: a save from an older form writes nothing.

An edit form carries the version of the row it was loaded with (cpd_log.forms.VersionField). The
save's first write is one UPDATE that raises the version only where it still equals that one, so
it is also the lock every writer of the row waits on: PostgreSQL holds the row lock, SQLite the
database write lock, until the commit. A second save that loaded the same version waits for the
first, then matches no row: EditConflict, and the view shows both versions side by side.
"""

from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from cpd_log.extensions import db


class EditConflict(Exception):
    """The row was saved elsewhere after this form was loaded; nothing of this save is written."""


@dataclass(frozen=True)
class Difference:
    """One field where the user's input and the saved version differ, both as shown to people."""

    field: str  # the form field's name (its id in the page)
    label: str
    mine: str
    saved: str


def claim_version(row, expected: int | None) -> None:
    """Raise `row`'s version by one if it is still `expected`, else EditConflict.

    Call it before any other write of the edit, so that nothing is written when it fails and the
    rest of the edit runs under the row's lock."""
    model = type(row)
    if expected is None:
        raise EditConflict
    result = db.session.execute(
        update(model)
        .where(model.id == row.id, model.version == expected)
        .values(version=model.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise EditConflict
    set_committed_value(row, "version", expected + 1)


def differences(form, mine: dict[str, str], saved: dict[str, str]) -> list[Difference]:
    """The fields (in form order) whose displayed values differ; labels from the form."""
    return [
        Difference(field.name, field.label.text, mine[field.name], saved[field.name])
        for field in form
        if field.name in mine and mine[field.name] != saved[field.name]
    ]
