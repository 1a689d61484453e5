"""The two WSGI apps `bench.load` serves, each with gunicorn.conf.py (the production settings).

- `hello()`: a hello-world Flask app, the reference every figure is a ratio to; it pays for
  gunicorn, the worker's request loop and Flask's routing, nothing of CPD Log.
- `cpd_log()`: CPD Log as `make serve` runs it (`CPD_LOG_CONFIG` and the rest from the
  environment), plus bench.run's trivial logged-in page at /bench/ping: routing, the session
  cookie, loading the user and the layout around a one-line body.

gunicorn takes them as `bench.load_apps:hello()` / `bench.load_apps:cpd_log()`; an app named on
the command line replaces gunicorn.conf.py's `wsgi_app` and keeps every other setting.
"""

from flask import Flask

from bench.run import add_ping_page
from cpd_log import create_app

HELLO = "Hello, World!"


def hello() -> Flask:
    app = Flask("hello")
    app.add_url_rule("/", "hello", lambda: HELLO)
    return app


def cpd_log() -> Flask:
    return add_ping_page(create_app())
