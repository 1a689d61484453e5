"""A heavy user for the benchmark: ten years of activities, each tagged with three competencies.

From the command line it fills an existing database, so the heavy user's pages can also be looked
at in a browser: `python -m bench.generate --database-url URL -n 5000` (default: $DATABASE_URL).
"""

import argparse
import os
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import insert, select, text
from werkzeug.security import generate_password_hash

from cpd_log import create_app
from cpd_log.auth.services import register_user
from cpd_log.competencies.services import seed_frameworks
from cpd_log.crosswalks.services import seed_crosswalks
from cpd_log.demo import generate_activities
from cpd_log.extensions import db
from cpd_log.models import Activity, User
from cpd_log.models.portfolio import Audience
from cpd_log.portfolio.services import create_portfolio
from cpd_log.schemes.services import available_schemes, enrol, seed_schemes

PASSWORD = "bench-password"


# What a heavy user follows: (scheme slug, enrolled how many days ago, label). PMP's cycle began
# four years ago, so the dashboard counts its current cycle and the one before (carry-over).
SCHEMES = (
    ("pmi-pmp", 4 * 365, "PMP"),
    ("apm", 100, "APM"),
    ("peoplecert-axelos", 200, "PRINCE2"),
    ("rics-style", 20, "Employer year"),
)


def heavy_user(
    app: Flask,
    n: int,
    *,
    years: int = 10,
    tags: int = 3,
    email: str | None = None,
    schemes: bool = True,
) -> tuple[str, str]:
    """Create a user with `n` tagged activities in `app`'s database; returns (email, password).

    The shipped frameworks are seeded first because the activities are tagged with their
    competencies: without tags the dashboard's by-area query would have nothing to join, and the
    list nothing to eager-load, so the benchmark would flatter both pages. With `schemes` the
    shipped crosswalks and schemes are seeded too and the user follows the four SCHEMES, so the
    dashboard counts cycles as a practitioner's does.
    """
    email = email or f"heavy-{n}@example.com"
    with app.app_context():
        seed_frameworks()
        user = register_user(email, f"Heavy user ({n:,} activities)", PASSWORD)
        if schemes:
            seed_crosswalks()
            seed_schemes()
            available = {s.slug: s for s in available_schemes(user)}
            today = date.today()
            for slug, days_ago, label in SCHEMES:
                enrol(user, available[slug], today - timedelta(days=days_ago), label, today)
        generate_activities(user.id, n, years=years, tags_per_activity=tags)
        db.session.commit()
    analyse(app)
    return email, PASSWORD


@dataclass(frozen=True)
class BenchUser:
    """What the load bench needs to act as one of many users."""

    id: int
    email: str
    activities: int
    cycle_id: int
    portfolio_id: int
    # A few of the user's activities and their versions, for edits (an edit names the version
    # its form was loaded with, cpd_log/versions.py).
    editable: tuple[tuple[int, int], ...]


def analyse(app: Flask) -> None:
    """Gather planner statistics after bulk inserts (PostgreSQL; SQLite plans without them).

    Autovacuum would do it within a minute; until then the planner guesses one row per table and
    picks plans a live database never would."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()


def activity_counts(users: int, smallest: int, largest: int) -> list[int]:
    """`users` sizes spread evenly from `smallest` to `largest` activities."""
    if users == 1:
        return [largest]
    return [smallest + (largest - smallest) * i // (users - 1) for i in range(users)]


def many_users(
    app: Flask,
    counts: list[int],
    *,
    years: int = 10,
    tags: int = 3,
    portfolio_days: int = 7,
    editable: int = 5,
    scheme: str = "pmi-pmp",
) -> list[BenchUser]:
    """One account per entry of `counts` with that many tagged activities over `years`, enrolled
    in `scheme` (its current cycle is the cycle page) and with a portfolio of the last
    `portfolio_days` days (the PDF/ZIP downloads). Every password is PASSWORD.

    Bulk inserts throughout: the users in one statement with one password hash computed once
    (an scrypt hash each would take longer than the rest), the activities and tags per user as
    in generate_activities.
    """
    today = date.today()
    with app.app_context():
        seed_frameworks()
        schemes = {s.slug: s for s, _ in seed_schemes()}
        password_hash = generate_password_hash(PASSWORD, method=app.config["PASSWORD_HASH_METHOD"])
        rows = [
            {
                "email": f"load-{i:04d}@example.com",
                "display_name": f"Load user {i} ({n:,} activities)",
                "password_hash": password_hash,
            }
            for i, n in enumerate(counts)
        ]
        ids = list(
            db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), rows)
        )
        users = []
        for seed, (user_id, n) in enumerate(zip(ids, counts, strict=True)):
            user = db.session.get(User, user_id)
            generate_activities(user_id, n, years=years, tags_per_activity=tags, seed=seed)
            enrolment = enrol(user, schemes[scheme], today - timedelta(days=400), scheme, today)
            portfolio = create_portfolio(
                user,
                {
                    "title": "Load bench portfolio",
                    "audience": Audience.APPRAISAL,
                    "date_from": today - timedelta(days=portfolio_days),
                    "date_to": today,
                    "include_evidence": True,
                },
            )
            cycle_id = max(c.id for c in enrolment.cycles if c.start_date <= today)
            latest = db.session.execute(
                select(Activity.id, Activity.version)
                .where(Activity.user_id == user_id)
                .order_by(Activity.id.desc())
                .limit(editable)
            ).all()
            users.append(
                BenchUser(
                    user_id,
                    rows[seed]["email"],
                    n,
                    cycle_id,
                    portfolio.id,
                    tuple((a, v) for a, v in latest),
                )
            )
            db.session.commit()
            db.session.expunge_all()
    analyse(app)
    return users


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__spec__.name}", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("-n", "--activities", type=int, default=5000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--tags", type=int, default=3)
    parser.add_argument("--email", help="default: heavy-<n>@example.com")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")

    app = create_app("development", overrides={"SQLALCHEMY_DATABASE_URI": args.database_url})
    with app.app_context():
        upgrade()  # idempotent: a database that is already at head is left as it is
    email, password = heavy_user(
        app, args.activities, years=args.years, tags=args.tags, email=args.email
    )
    print(f"{args.activities:,} activities for {email} / {password}")


if __name__ == "__main__":
    main()
