"""The field table (cpd_log/activities/fields.py): plain Python, and every place that lists the
activity's fields agrees with it."""

import json
import subprocess
import sys
from pathlib import Path

from cpd_log.activities.fields import BACKED_UP, EDITABLE, ENTERED, FIELDS, LONG_TEXTS, Value
from cpd_log.activities.forms import ActivityForm
from cpd_log.imports.columns import normalise
from cpd_log.models import Activity, ImportRow

ROOT = Path(__file__).resolve().parents[2]
BLOCKED = ("flask", "flask_sqlalchemy", "flask_wtf", "sqlalchemy", "werkzeug", "wtforms")
PROBE = f"""
import json, sys

class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {BLOCKED!r}:
            raise ImportError(f"{{name}} is blocked in this process")
        return None

sys.meta_path.insert(0, Blocker())
from cpd_log.activities import fields

print(json.dumps([field.column for field in fields.ENTERED]))
"""


def test_the_table_imports_without_flask_sqlalchemy_or_wtforms():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [field.column for field in ENTERED]


def test_each_field_is_declared_once_with_one_column_name():
    names = [field.name for field in FIELDS]
    columns = [field.column for field in ENTERED]
    assert len(set(names)) == len(names)
    assert len(set(columns)) == len(columns)


def test_no_header_spelling_belongs_to_two_fields():
    owner: dict[str, str] = {}
    for field in ENTERED:
        for spelling in {field.column, field.label, *field.aliases}:
            key = normalise(spelling)
            assert owner.setdefault(key, field.name) == field.name, (spelling, owner[key])


def test_every_stored_field_has_its_columns():
    """Activity has every field the backup carries; ImportRow stages every entered one."""
    for field in BACKED_UP:
        assert field.name in Activity.__table__.columns, field.name
    for name in EDITABLE:
        assert name in ImportRow.__table__.columns, name


def test_the_form_asks_for_every_entered_field_in_the_tables_order(app):
    with app.test_request_context():
        names = [field.name for field in ActivityForm()]
    assert names[: len(ENTERED)] == [field.column for field in ENTERED]


def test_every_choice_names_its_enum_and_every_long_text_its_pdf_label():
    for field in FIELDS:
        assert (field.choices is not None) == (field.value is Value.CHOICE), field.name
    assert LONG_TEXTS and all(field.pdf for field in LONG_TEXTS)
