"""Login protection: per-account back-off (known and unknown emails alike), equal-time checks,
and the registration limit."""

import statistics
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from cpd_log.auth import throttle
from cpd_log.extensions import db
from cpd_log.models import User
from cpd_log.models.user import LoginThrottle
from tests import factories

WRONG = "not the password"
LOCKED = b"Too many failed attempts for this account. Try again in 1 minute."


def post_login(client, email, password=WRONG, **kwargs):
    return client.post("/account/login", data={"email": email, "password": password}, **kwargs)


def test_an_account_is_locked_after_repeated_failures_whether_or_not_it_exists(app_factory):
    app = app_factory(LOGIN_LOCK_AFTER=3, LOGIN_LOCK_SECONDS=60)
    with app.app_context():
        factories.make_user(email="ada@example.com")
        client = app.test_client()
        pages = {}
        for email in ("ada@example.com", "nobody@example.com"):
            answers = [post_login(client, email) for _ in range(3)]
            assert [LOCKED in a.data for a in answers] == [False, False, True]
            pages[email] = answers[-1].data
            # Locked: even the right password is not checked, and says the same.
            locked = post_login(client, email, factories.PASSWORD)
            assert locked.status_code == 200 and LOCKED in locked.data
        assert pages["ada@example.com"].replace(b"ada@", b"nobody@") == pages["nobody@example.com"]
        assert client.get("/dashboard").status_code == 302
        # Letter case and spaces are the same account.
        assert LOCKED in post_login(client, "  ADA@Example.com ", factories.PASSWORD).data
        assert db.session.scalar(select(func.count()).select_from(LoginThrottle)) == 2


def test_the_lock_ends_and_a_success_clears_the_count(app_factory):
    app = app_factory(LOGIN_LOCK_AFTER=2)
    with app.app_context():
        user = factories.make_user()
        client = app.test_client()
        post_login(client, user.email)
        assert LOCKED in post_login(client, user.email).data
        db.session.execute(
            update(LoginThrottle).values(locked_until=datetime.now(UTC) - timedelta(seconds=1))
        )
        db.session.commit()
        assert post_login(client, user.email, factories.PASSWORD).status_code == 302
        assert db.session.scalar(select(func.count()).select_from(LoginThrottle)) == 0


def test_the_lock_doubles_with_each_failure_up_to_the_cap(app_factory):
    app = app_factory(LOGIN_LOCK_AFTER=5, LOGIN_LOCK_SECONDS=60, LOGIN_LOCK_MAX_SECONDS=900)
    with app.app_context():
        key = throttle.account_key("ada@example.com")
        start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        locks = []
        for n in range(10):
            now = start + timedelta(hours=n)  # each failure after the previous lock ended
            assert throttle.seconds_locked(key, now) == 0
            locks.append(throttle.record_failure(key, now))
        assert locks == [0, 0, 0, 0, 60, 120, 240, 480, 900, 900]
        assert throttle.seconds_locked(key, start + timedelta(hours=9, seconds=100)) == 800
        # A day without failures and the count starts again.
        assert throttle.record_failure(key, start + timedelta(days=3)) == 0
        throttle.clear(key)
        assert throttle.seconds_locked(key, start) == 0


def test_every_worker_and_every_address_counts_toward_one_lock(app_factory):
    """Two app instances (two workers) on one database, attempts from different addresses."""
    first = app_factory(LOGIN_LOCK_AFTER=4, PROXY_FIX_HOPS=1)
    second = app_factory(LOGIN_LOCK_AFTER=4, PROXY_FIX_HOPS=1)
    with first.app_context():
        email = factories.make_user().email
    clients = [first.test_client(), second.test_client()]
    for n in range(3):
        address = {"X-Forwarded-For": f"203.0.113.{n}"}
        assert LOCKED not in post_login(clients[n % 2], email, headers=address).data
    address = {"X-Forwarded-For": "198.51.100.9"}
    assert LOCKED in post_login(clients[1], email, headers=address).data


def test_failures_at_the_same_moment_are_all_counted(app_factory):
    app = app_factory(LOGIN_LOCK_AFTER=1000)
    key = "k" * 64
    errors = []

    def fail_once():
        try:
            with app.app_context():
                throttle.record_failure(key, datetime.now(UTC))
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=fail_once) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    with app.app_context():
        assert db.session.scalar(select(LoginThrottle.failures)) == 8


@pytest.mark.serial  # a ratio of times: no other worker's load beside it
def test_unknown_emails_cost_as_much_as_wrong_passwords(app_factory):
    """Equal-time checks under the production hash (scrypt): the dummy hash an unknown email is
    checked against uses the configured method. A ratio of medians, never an absolute time; the
    two kinds of login alternate, so a change in the machine's load falls on both alike."""
    app = app_factory(PASSWORD_HASH_METHOD="scrypt", LOGIN_LOCK_AFTER=1000)
    with app.app_context():
        user = factories.make_user(email="ada@example.com")
        assert user.password_hash.startswith("scrypt:")
        client = app.test_client()
        times: dict[str, list[float]] = {"ada@example.com": [], "nobody@example.com": []}
        for email in times:
            post_login(client, email)  # warm-up
        for _ in range(7):
            for email, taken in times.items():
                start = time.perf_counter()
                assert post_login(client, email).status_code == 200
                taken.append(time.perf_counter() - start)
        known, unknown = (statistics.median(taken) for taken in times.values())
        assert 0.5 < unknown / known < 2, (unknown, known)


def test_registration_is_rate_limited_per_address(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, REGISTER_RATE_LIMIT="2 per hour")
    with app.app_context():
        client = app.test_client()
        codes = []
        for n in range(3):
            data = {
                "email": f"new{n}@example.com",
                "display_name": "New",
                "password": "a long enough password",
                "confirm": "a long enough password",
            }
            codes.append(client.post("/account/register", data=data).status_code)
            client.post("/account/logout")
        assert codes == [302, 302, 429]
        assert client.get("/account/register").status_code == 200  # reading the form is free
        assert db.session.scalar(select(func.count(User.id))) == 2
