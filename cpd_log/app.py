"""The app factory: configuration checks, extensions, blueprints, headers, CLI, housekeeping.

`create_app` is also offered by the package (cpd_log/__init__.py) for gunicorn and `flask --app
cpd_log`; everything else that needs the factory's names imports them from here."""

import os
import sqlite3
from datetime import timedelta
from pathlib import Path

from flask import Flask, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import (
    BASE_DIR,
    CONFIGS,
    DEVELOPMENT_SECRET_KEY,
    INSTANCE_DIR,
    REMEMBER_COOKIE_MAX_DAYS,
    SECRET_KEY_MIN_BYTES,
)
from cpd_log import page_cache, security_log
from cpd_log.extensions import csrf, db, limiter, login_manager, migrate
from cpd_log.routing import LazyBuilderRule
from cpd_log.search import index as search_index

TEMPLATE_DIR = BASE_DIR / "templates"
MIGRATIONS_DIR = BASE_DIR / "migrations"


def create_app(config: str | type | None = None, overrides: dict | None = None) -> Flask:
    """Build the app from a config name in config.CONFIGS or a class (default: $CPD_LOG_CONFIG)."""
    check_source_tree(BASE_DIR)
    # Named after the package, not this module: the logger stays "cpd_log", static/ is found.
    app = Flask("cpd_log", template_folder=str(TEMPLATE_DIR), instance_path=str(INSTANCE_DIR))
    app.url_rule_class = LazyBuilderRule  # url_for builders compiled on first use
    app.url_map.converters["int"] = RowIdConverter
    config = config or os.environ.get("CPD_LOG_CONFIG", "development")
    app.config.from_object(CONFIGS[config] if isinstance(config, str) else config)
    app.config.update(overrides or {})
    check_secret_key(app)
    configure_login_lifetime(app)
    warn_about_local_rate_limits(app)
    if hops := app.config.get("PROXY_FIX_HOPS"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    configure_sqlite(app)

    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_templating(app)
    register_security_headers(app)
    register_cli(app)
    register_housekeeping(app)
    register_background(app)
    return app


class RowIdConverter(IntegerConverter):
    """`<int:...>` in every route: at most 2**31 - 1, PostgreSQL's INTEGER. A larger number is
    simply not found (404) instead of an out-of-range database error (500)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def check_source_tree(base: Path) -> None:
    """The pages and the migrations are read from the checkout (top-level `templates/` and
    `migrations/`). A non-editable `pip install .` copies only the package, and the app then
    answered every page with a TemplateNotFound it could not even render: refuse to start."""
    missing = [name for name in ("templates", "migrations") if not (base / name).is_dir()]
    if missing:
        raise RuntimeError(
            f"{' and '.join(missing)} not found in {base}: run CPD Log from a checkout of its "
            "repository, installed with `pip install -e .` (see README, Deployment)."
        )


def check_secret_key(app: Flask) -> None:
    """ProductionConfig must not run with a missing, short or the well-known development key.

    The key is compared with the development constant, never with another config class's
    attribute: those read the same environment variable, so every real key used to equal it.
    """
    if not app.config.get("REQUIRE_SECRET_KEY"):
        return
    key = app.config.get("SECRET_KEY") or ""
    if not key or key == DEVELOPMENT_SECRET_KEY:
        raise RuntimeError("SECRET_KEY must be set (environment variable) in production.")
    size = len(key.encode() if isinstance(key, str) else key)
    if size < SECRET_KEY_MIN_BYTES:
        raise RuntimeError(
            f"SECRET_KEY is {size} bytes; production needs at least {SECRET_KEY_MIN_BYTES} "
            "(for example: python3 -c 'import secrets; print(secrets.token_hex(32))')."
        )


def configure_login_lifetime(app: Flask) -> None:
    """REMEMBER_COOKIE_DAYS (1 to REMEMBER_COOKIE_MAX_DAYS) becomes Flask-Login's cookie
    duration; a longer value is refused rather than silently cut, so the operator sees it."""
    days = app.config["REMEMBER_COOKIE_DAYS"]
    if not 1 <= days <= REMEMBER_COOKIE_MAX_DAYS:
        raise RuntimeError(
            f"REMEMBER_COOKIE_DAYS is {days}; use 1 to {REMEMBER_COOKIE_MAX_DAYS} days."
        )
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(days=days)


def warn_about_local_rate_limits(app: Flask) -> None:
    """memory:// keeps a separate count in every worker: N workers allow N times the limit."""
    storage = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    if storage.startswith("memory://") and not (app.debug or app.testing):
        app.logger.warning(
            "RATELIMIT_STORAGE_URI is memory://: each worker counts its own login and "
            "registration attempts. Use shared storage (redis://…) with several workers or hosts."
        )


def configure_sqlite(app: Flask) -> None:
    """SQLite waits for a lock instead of failing at once (busy timeout)."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.pop("pool_pre_ping", None)
        timeout = app.config.get("SQLITE_BUSY_TIMEOUT_MS", 5000) / 1000
        options["connect_args"] = {**options.get("connect_args", {}), "timeout": timeout}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Foreign keys on (SQLite leaves them off) and WAL for concurrent readers."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    # The search index's tables are made by raw DDL (an FTS5 table on SQLite), not by a model:
    # autogenerate must neither drop nor compare them (migrations/env.py passes this on).
    migrate.init_app(
        app, db, directory=str(MIGRATIONS_DIR), include_object=search_index.include_object
    )
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"

    from cpd_log.auth.sessions import load_user

    login_manager.user_loader(load_user)
    from cpd_log.mail import sending

    sending.init_app(app)
    page_cache.init_app(app)
    from cpd_log.teams import progress as team_progress

    team_progress.init_app(app)
    security_log.init_app(app)


def register_blueprints(app: Flask) -> None:
    from cpd_log.account.views import bp as account_bp
    from cpd_log.activities.views import bp as activities_bp
    from cpd_log.appraisals.views import bp as appraisals_bp
    from cpd_log.auth.device_views import bp as devices_bp
    from cpd_log.auth.email_views import bp as email_bp
    from cpd_log.auth.recovery_views import bp as recovery_bp
    from cpd_log.auth.two_factor_views import bp as two_factor_bp
    from cpd_log.auth.views import bp as auth_bp
    from cpd_log.capture.views import bp as capture_bp
    from cpd_log.claims.pack_views import bp as claim_packs_bp
    from cpd_log.claims.views import bp as claims_bp
    from cpd_log.competencies.views import bp as competencies_bp
    from cpd_log.crosswalks.views import bp as crosswalks_bp
    from cpd_log.dashboard.views import bp as dashboard_bp
    from cpd_log.documents.job_views import bp as export_jobs_bp
    from cpd_log.documents.views import bp as documents_bp
    from cpd_log.evidence.views import bp as evidence_bp
    from cpd_log.feed.views import bp as feed_bp
    from cpd_log.health.views import bp as health_bp
    from cpd_log.imports.views import bp as imports_bp
    from cpd_log.imports.xapi_views import bp as xapi_bp
    from cpd_log.mail.views import bp as mail_bp
    from cpd_log.portfolio.views import bp as portfolio_bp
    from cpd_log.reflections.views import bp as reflections_bp
    from cpd_log.reminders.views import bp as reminders_bp
    from cpd_log.schemes.views import bp as schemes_bp
    from cpd_log.sharing.owner_views import bp as share_links_bp
    from cpd_log.sharing.views import bp as sharing_bp
    from cpd_log.team_library.views import bp as team_library_bp
    from cpd_log.teams.lead_views import bp as team_lead_bp
    from cpd_log.teams.views import bp as teams_bp
    from cpd_log.trash.views import bp as trash_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(recovery_bp)
    app.register_blueprint(email_bp)
    app.register_blueprint(devices_bp)
    app.register_blueprint(two_factor_bp)
    app.register_blueprint(mail_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(activities_bp)
    app.register_blueprint(schemes_bp)
    app.register_blueprint(claims_bp)
    app.register_blueprint(claim_packs_bp)
    app.register_blueprint(reflections_bp)
    app.register_blueprint(competencies_bp)
    app.register_blueprint(crosswalks_bp)
    app.register_blueprint(team_library_bp)
    app.register_blueprint(capture_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(xapi_bp)
    app.register_blueprint(evidence_bp)
    app.register_blueprint(portfolio_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(export_jobs_bp)
    app.register_blueprint(share_links_bp)
    app.register_blueprint(sharing_bp)
    app.register_blueprint(appraisals_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(trash_bp)
    app.register_blueprint(reminders_bp)
    app.register_blueprint(feed_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(teams_bp)
    app.register_blueprint(team_lead_bp)


def register_error_handlers(app: Flask) -> None:
    from cpd_log.errors import register

    register(app)


def register_templating(app: Flask) -> None:
    from cpd_log import csrf_tokens, layout, templating

    templating.register(app)
    layout.init_app(app)
    csrf_tokens.init_app(app)


def register_security_headers(app: Flask) -> None:
    """Nothing is loaded from another origin; no inline script or style. Personal pages and
    share-link pages are never stored by a browser or a proxy (a shared computer's back button,
    a company cache); static files still are. HTTPS only, once seen, when cookies are Secure."""

    @app.after_request
    def _headers(response):
        if request.blueprint == "sharing" or (
            request.endpoint != "static" and current_user.is_authenticated
        ):
            if "no-store" not in response.headers.get("Cache-Control", ""):
                response.headers["Cache-Control"] = "private, no-store"
            response.headers["Pragma"] = "no-cache"
        hsts = app.config.get("HSTS_SECONDS", 0)
        if hsts and app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={hsts}; includeSubDomains"
            )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        )
        return response


def register_cli(app: Flask) -> None:
    from cpd_log.cli import register

    register(app)


def register_housekeeping(app: Flask) -> None:
    """Expired export jobs, stray files and import batches are swept now and then in-process."""
    from cpd_log import housekeeping

    housekeeping.init_app(app)


def register_background(app: Flask) -> None:
    """The queue and the jobs a worker runs (cpd_log/background/, `flask worker`)."""
    from cpd_log.account import import_jobs
    from cpd_log.background import queue
    from cpd_log.documents import jobs
    from cpd_log.imports import batch_jobs

    queue.init_app(
        app,
        {
            jobs.QUEUE_NAME: jobs.run,
            import_jobs.QUEUE_NAME: import_jobs.run,
            batch_jobs.QUEUE_NAME: batch_jobs.run,
        },
    )
