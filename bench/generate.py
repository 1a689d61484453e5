"""A heavy user for the benchmark: ten years of activities, each tagged with three competencies.

From the command line it fills an existing database, so the heavy user's pages can also be looked
at in a browser: `python -m bench.generate --database-url URL -n 5000` (default: $DATABASE_URL).
"""

import argparse
import os
from datetime import date, timedelta

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text

from cpd_log import create_app
from cpd_log.auth.services import register_user
from cpd_log.competencies.services import seed_frameworks
from cpd_log.crosswalks.services import seed_crosswalks
from cpd_log.demo import generate_activities
from cpd_log.extensions import db
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
        if db.engine.dialect.name == "postgresql":
            # Autovacuum would gather statistics on the new rows within a minute; until then the
            # planner guesses one row per table and picks plans a live database never would.
            db.session.execute(text("ANALYZE"))
            db.session.commit()
    return email, PASSWORD


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
