"""Configuration classes. Every value can be set from an environment variable (see README)."""

import os
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# The well-known key of development installs; production refuses it (cpd_log.app.check_secret_key).
DEVELOPMENT_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - documented as not secret
# Shortest SECRET_KEY production accepts, in bytes (a 64-hex-digit key is 64 bytes).
SECRET_KEY_MIN_BYTES = 32
# Longest "keep me logged in" a deployment may configure: a stolen laptop's cookie must die.
REMEMBER_COOKIE_MAX_DAYS = 30


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'cpd_log.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "5000"))
    # Folder of pg_dump/pg_restore for `flask backup`/`restore` (cpd_log/instance_backup/);
    # empty: found on PATH. The client must be the server's major version or newer.
    PG_BIN_DIR = os.environ.get("PG_BIN_DIR", "")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # "Keep me logged in": the remember cookie and its server-side session last this many days
    # (create_app derives REMEMBER_COOKIE_DURATION and refuses more than REMEMBER_COOKIE_MAX_DAYS).
    REMEMBER_COOKIE_DAYS = int(os.environ.get("REMEMBER_COOKIE_DAYS", "14"))
    # Any other login session ends after this many hours without a request.
    SESSION_IDLE_HOURS = float(os.environ.get("SESSION_IDLE_HOURS", "12"))
    # Strict-Transport-Security max-age, sent when cookies are Secure (HTTPS); 0 sends none.
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    # Account creations per client address (every POST counts, so a form of typos counts too).
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "10 per hour")
    # Per-account throttle (cpd_log/auth/throttle.py), in the database: after LOGIN_LOCK_AFTER
    # failed logins for one email, locked for LOGIN_LOCK_SECONDS, doubling with each further
    # failure up to LOGIN_LOCK_MAX_SECONDS.
    LOGIN_LOCK_AFTER = int(os.environ.get("LOGIN_LOCK_AFTER", "5"))
    LOGIN_LOCK_SECONDS = int(os.environ.get("LOGIN_LOCK_SECONDS", "60"))
    LOGIN_LOCK_MAX_SECONDS = int(os.environ.get("LOGIN_LOCK_MAX_SECONDS", "900"))
    RATELIMIT_HEADERS_ENABLED = True

    # Behind N reverse proxies / load balancers: trust N X-Forwarded-* hops (client address for
    # rate limits, https scheme for secure cookies). 0 = serve directly.
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))

    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(16 * 1024 * 1024)))
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))
    # The quota counts bytes on disk: each stored file once, the PDF copies of large images, and
    # files a killed upload left until the sweep removes them.
    EVIDENCE_QUOTA_BYTES = int(os.environ.get("EVIDENCE_QUOTA_BYTES", str(200 * 1024 * 1024)))
    # Pieces of evidence (files and web addresses) one activity or reflection may hold.
    EVIDENCE_MAX_FILES = int(os.environ.get("EVIDENCE_MAX_FILES", "200"))
    # Largest image accepted, in pixels, read from its header before anything is decoded. 50 MP
    # admits 48 MP phone photos and 7000 × 7000 scans; decoding one once, at upload, costs up to
    # 4 bytes a pixel (cpd_log/evidence/images.py).
    EVIDENCE_MAX_PIXELS = int(os.environ.get("EVIDENCE_MAX_PIXELS", str(50_000_000)))
    # An account backup upload is not held to MAX_CONTENT_LENGTH but to the user's remaining
    # quota plus this cap for its account.json (a 4,000-activity account is about 4 MB).
    ACCOUNT_IMPORT_JSON_MAX_BYTES = int(
        os.environ.get("ACCOUNT_IMPORT_JSON_MAX_BYTES", str(64 * 1024 * 1024))
    )
    # Files in one backup archive (account.json, MANIFEST.json and the evidence files).
    ACCOUNT_IMPORT_MAX_MEMBERS = int(os.environ.get("ACCOUNT_IMPORT_MAX_MEMBERS", "20000"))
    # Portfolios with more activities than this are rendered in the background, with progress.
    PORTFOLIO_BACKGROUND_AT = int(os.environ.get("PORTFOLIO_BACKGROUND_AT", "150"))
    # Spreadsheets of more rows than this are checked and imported, calendars of more events read,
    # by the worker, with progress (cpd_log/imports/batch_jobs.py); smaller ones in the request.
    IMPORT_BACKGROUND_AT = int(os.environ.get("IMPORT_BACKGROUND_AT", "2000"))
    # Background jobs (cpd_log/background/): the queue's storage — redis://… for several hosts,
    # sqlite:///path for one (default: a file beside the SQLite database, or in instance/).
    QUEUE_URL = os.environ.get("QUEUE_URL", "")
    # Jobs one `flask worker` process runs at once (threads).
    QUEUE_WORKERS = int(os.environ.get("QUEUE_WORKERS", "2"))
    # A running job whose worker has written no heartbeat for this long is marked failed.
    QUEUE_STALE_SECONDS = float(os.environ.get("QUEUE_STALE_SECONDS", "60"))
    SHARE_LINK_DAYS = int(os.environ.get("SHARE_LINK_DAYS", "30"))
    # Each app process runs the housekeeping sweep (cpd_log/housekeeping.py: expired export jobs
    # and their files, stray export files, expired import batches) at most this often, in the
    # background; 0 leaves it to `flask --app cpd_log sweep` from cron or a systemd timer.
    HOUSEKEEPING_EVERY_MINUTES = float(os.environ.get("HOUSEKEEPING_EVERY_MINUTES", "10"))
    SHARE_RATE_LIMIT = os.environ.get("SHARE_RATE_LIMIT", "30 per minute;300 per hour")
    # Entries on one page of the activity list and of the reflection list.
    ITEMS_PER_PAGE = 50
    # Rendered dashboards and activity lists kept in each process until the user's data changes
    # (cpd_log/page_cache.py); the size is in millions of characters of HTML. 0 turns it off.
    PAGE_CACHE_MB = float(os.environ.get("PAGE_CACHE_MB", "64"))
    # The dashboard's trends (24 months by kind, each open cycle's burn-up; cpd_log/trends/).
    # `python -m bench.trends` turns them off for its reference; nothing else needs to.
    DASHBOARD_TRENDS = _bool("DASHBOARD_TRENDS", True)
    # Open Badges: how long to wait for an issuer's hosted assertion, and whether loopback/private
    # addresses may be fetched (off: a badge URL must not reach internal servers).
    BADGE_FETCH_TIMEOUT = float(os.environ.get("BADGE_FETCH_TIMEOUT", "5"))
    BADGE_ALLOW_PRIVATE_HOSTS = _bool("BADGE_ALLOW_PRIVATE_HOSTS", False)
    # xAPI: an organisation's LRS may be on its own network; off, private addresses are refused.
    XAPI_ALLOW_PRIVATE_LRS = _bool("XAPI_ALLOW_PRIVATE_LRS", False)
    XAPI_LRS_TIMEOUT = float(os.environ.get("XAPI_LRS_TIMEOUT", "10"))
    PASSWORD_MIN_LENGTH = int(os.environ.get("PASSWORD_MIN_LENGTH", "10"))
    # zxcvbn's guessability score (0-4) a new password needs; 3 = safely unguessable online.
    PASSWORD_MIN_SCORE = int(os.environ.get("PASSWORD_MIN_SCORE", "3"))
    # werkzeug's scrypt: a slow, memory-hard KDF.
    PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "scrypt")
    # Email (Flask-Mailman, cpd_log/mail/). With MAIL_SERVER set, mail goes out over SMTP;
    # without it (development), each mail is printed on the console and kept as a .eml file in
    # MAIL_OUTBOX_DIR, listed at /dev/outbox while DEBUG (or MAIL_DEV_OUTBOX) is on.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)  # STARTTLS after connecting (usually port 587)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)  # TLS from the first byte (usually port 465)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "CPD Log <no-reply@localhost>")
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "20"))
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR", str(INSTANCE_DIR / "outbox"))
    MAIL_DEV_OUTBOX = _bool("MAIL_DEV_OUTBOX", False)
    # Where people reach the site (https://cpd.example.org): links in mails start with it, never
    # with the Host header a request claimed. Required in production when MAIL_SERVER is set.
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "").rstrip("/")
    # "Forgot password?" requests per client address; per address asked for, the login
    # throttle's counts apply (cpd_log/auth/throttle.py).
    PASSWORD_RESET_RATE_LIMIT = os.environ.get(
        "PASSWORD_RESET_RATE_LIMIT", "5 per minute;20 per hour"
    )
    # "Resend the link" for confirming an email address, per client address.
    VERIFY_RESEND_RATE_LIMIT = os.environ.get("VERIFY_RESEND_RATE_LIMIT", "5 per hour")
    # Calendar feed fetches per client address (calendar apps poll every few hours).
    FEED_RATE_LIMIT = os.environ.get("FEED_RATE_LIMIT", "30 per minute;300 per hour")
    # A password reset link works for an hour (issue 15); an email confirmation link for 3 days.
    PASSWORD_RESET_MINUTES = 60
    EMAIL_VERIFY_HOURS = int(os.environ.get("EMAIL_VERIFY_HOURS", "72"))
    # Between a right password and the two-factor code, a login waits this long (then it
    # starts again from the password).
    TWO_FACTOR_PENDING_MINUTES = int(os.environ.get("TWO_FACTOR_PENDING_MINUTES", "5"))
    # The security event log (cpd_log/security_log.py): `text` lines or `json` lines on stderr.
    SECURITY_LOG_FORMAT = os.environ.get("SECURITY_LOG_FORMAT", "text")


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing"  # noqa: S105 - tests only
    SQLALCHEMY_DATABASE_URI = os.environ.get("CPD_LOG_TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    PASSWORD_MIN_LENGTH = 10
    # No sweep thread behind a test's back; tests call housekeeping.sweep(now=...) themselves.
    HOUSEKEEPING_EVERY_MINUTES = 0
    # Each job runs at once in the request that starts it; tests/background/ start real workers.
    QUEUE_URL = os.environ.get("CPD_LOG_TEST_QUEUE_URL", "immediate")
    # Never the real instance folder; tests that look at files give each app its own folder.
    UPLOAD_DIR = os.environ.get(
        "CPD_LOG_TEST_UPLOAD_DIR", str(Path(tempfile.gettempdir()) / "cpd_log-test-uploads")
    )
    # Tests create hundreds of accounts; a cheap hash keeps the suite fast. Never in production.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - a method name, not a secret
    # Never a real mail server unless a test starts one (tests/mail/smtp.py: MAIL_SERVER, and
    # MAIL_BACKEND None to choose SMTP); other tests' mail stays in memory (Flask-Mailman's
    # locmem backend), never on the console or on disk.
    MAIL_SERVER = ""
    MAIL_BACKEND = "locmem"
    MAIL_OUTBOX_DIR = str(Path(tempfile.gettempdir()) / "cpd_log-test-outbox")


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECRET_KEY = os.environ.get("SECRET_KEY")  # no default
    # create_app refuses to start when SECRET_KEY is missing or the development default.
    REQUIRE_SECRET_KEY = True
    SECURITY_LOG_FORMAT = os.environ.get("SECURITY_LOG_FORMAT", "json")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
