"""CPD Log: log learning, reflect on it, count it toward every CPD scheme, export evidence.

The package itself imports nothing: the app factory lives in cpd_log/app.py, so the pure parts
(the rules engine in cpd_log/schemes/rules.py) import without Flask or SQLAlchemy
(tests/schemes/test_engine_is_pure.py).
"""

import os

# openpyxl parses workbooks with lxml whenever lxml is installed (pyld, the JSON-LD library,
# brings it), and with defusedxml otherwise. Spreadsheet imports are written and tested against
# defusedxml, which refuses a DTD outright (tests/imports/test_budgets.py): keep that parser.
os.environ.setdefault("OPENPYXL_LXML", "False")


def create_app(config: str | type | None = None, overrides: dict | None = None):
    """The app factory (cpd_log.app.create_app), imported only when called.

    `gunicorn "cpd_log:create_app()"` and `flask --app cpd_log` find the factory here.
    """
    from cpd_log.app import create_app as factory

    return factory(config, overrides)
