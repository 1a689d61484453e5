"""What the lead's team dashboard costs: a team of 50 members with 1,000 activities each.

One database holds a lead and 50 members (1,000 tagged activities over two years each, an APM
enrolment each, everything shared, one shared portfolio each) in two teams: the first 10 members,
and all 50. Each page is timed against a trivial logged-in page in the same run (bench/run.py's
ping), and its SQL statements are counted: they must be the same for 10 and 50 members.
"team 10*" and "team 50*" are timed right after every member's data changed (their `data_version`
raised outside the timed request), so no member's figures and no page body are kept
(cpd_log/teams/progress.py, cpd_log/page_cache.py): the cost of the first view after all of them
wrote something; their queries must be the same for 10 and 50 members too. The other rows are
repeat views, served from the page cache.
Figures are printed, never asserted: `python -m bench.teams [--database-url URL]`.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta

from sqlalchemy import text

from bench.databases import fresh_database
from bench.run import PAGES, PING, RATIO_TARGET, bench_app, logged_in_client, statements_for
from cpd_log.auth.services import register_user
from cpd_log.competencies.services import seed_frameworks
from cpd_log.crosswalks.services import seed_crosswalks
from cpd_log.demo import generate_activities
from cpd_log.extensions import db
from cpd_log.models import Framework, Portfolio
from cpd_log.models.portfolio import Audience
from cpd_log.schemes.services import available_schemes, enrol, seed_schemes
from cpd_log.teams import services

PASSWORD = "bench-password"  # noqa: S105 - a throwaway database
LEAD = "lead@example.com"
SIZES = (10, 50)


def build(app, members: int, activities: int) -> dict[int, int]:
    """The lead, the members and the two teams; returns {team size: team id}."""
    today = date.today()
    with app.app_context():
        seed_frameworks()
        seed_crosswalks()
        seed_schemes()
        framework = db.session.scalar(
            db.select(Framework).where(Framework.slug == "pmo-practitioner")
        )
        lead = register_user(LEAD, "Lead", PASSWORD)
        teams = {
            size: services.create_team(lead, f"Team of {size}", framework.id) for size in SIZES
        }
        for n in range(members):
            user = register_user(f"member{n}@example.com", f"Member {n:02d}", PASSWORD)
            user.verified_at = lead.created_at
            db.session.flush()
            generate_activities(user.id, activities, years=2, tags_per_activity=3, seed=n)
            apm = next(s for s in available_schemes(user) if s.slug == "apm")
            enrol(user, apm, today - timedelta(days=100 + n), "APM", today)
            portfolio = Portfolio(
                user_id=user.id, title=f"Appraisal {n}", audience=Audience.APPRAISAL,
                competency_ids=[], excluded_activity_ids=[],
            )  # fmt: skip
            db.session.add(portfolio)
            db.session.flush()
            for size, lead_membership in teams.items():
                if n < size:
                    _, token = services.issue_invite(lead_membership.team, lead)
                    joined = services.accept_invite(user, token)
                    services.set_consent(
                        joined, progress=True, competencies=True, portfolio_ids=[portfolio.id]
                    )
            db.session.commit()
            print(f"  member {n + 1}/{members}", file=sys.stderr, end="\r")
        db.session.commit()
        vacuum(app)
        return {size: m.team_id for size, m in teams.items()}


def vacuum(app) -> None:
    """On PostgreSQL, what autovacuum does within a minute of a bulk load: planner statistics,
    and the dead row versions gone. Every activity insert raises its owner's `data_version`
    (cpd_log/page_cache_triggers.py), so the build leaves each member's one live `user` row
    behind about a thousand dead versions, which every read of the members (the dashboard's
    state query) would wade through; a live database has them vacuumed away (PostgreSQL's
    default; the project's test server runs with autovacuum off). VACUUM cannot run inside a
    transaction, hence autocommit."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def touch_members(app) -> None:
    with app.app_context():
        db.session.execute(
            text("UPDATE \"user\" SET data_version = data_version + 1 WHERE email LIKE 'member%'")
        )
        db.session.commit()


def timed(client, path: str, rounds: int, before=lambda: None) -> tuple[float, float]:
    wall, cpu = [], []
    for _ in range(rounds):
        before()
        start, start_cpu = time.perf_counter(), time.thread_time()
        response = client.get(path)
        cpu.append(time.thread_time() - start_cpu)
        wall.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.teams", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--activities", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--cold-rounds", type=int, default=3)
    args = parser.parse_args(argv)
    with fresh_database(args.database_url, "teams") as url:
        app = bench_app(url)
        try:
            teams = build(app, args.members, args.activities)
            client = logged_in_client(app, LEAD, PASSWORD)
            pages = {"ping": PAGES[PING]} | {
                f"team {size}": f"/teams/{teams[size]}/dashboard" for size in SIZES
            }
            touch = lambda: touch_members(app)  # noqa: E731
            for path in pages.values():  # warm-up: members' cycles stored, figures kept
                for _ in range(3):
                    client.get(path)
            figures = {name: timed(client, path, args.rounds) for name, path in pages.items()}
            queries = {
                name: len(statements_for(app, client, path, name, touch))
                for name, path in pages.items()
            }
            for size in SIZES:  # right after every member's data changed
                name, path = f"team {size}*", pages[f"team {size}"]
                figures[name] = timed(client, path, args.cold_rounds, touch)
                queries[name] = len(statements_for(app, client, path, name, touch))
        finally:
            with app.app_context():
                db.engine.dispose()
    ping_wall, ping_cpu = figures["ping"]
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"lead dashboard, {args.members} members × {args.activities:,} activities ({backend})")
    print(f"{'page':<10} {'median ms':>9} {'ratio':>6} {'CPU ratio':>9} {'queries':>7}")
    for name, (wall, cpu) in figures.items():
        print(
            f"{name:<10} {wall:>9.1f} {wall / ping_wall:>6.2f} {cpu / ping_cpu:>9.2f} "
            f"{queries[name]:>7}"
        )
    for kind, star in (("repeat", ""), ("first", "*")):
        same = queries[f"team 10{star}"] == queries[f"team 50{star}"]
        print(f"queries of the {kind} view, 10 vs 50 members equal: {'yes' if same else 'NO'}")
    ratio = figures["team 50"][0] / ping_wall
    verdict = "ok" if ratio <= RATIO_TARGET else "ABOVE TARGET"
    print(
        f"repeat view of 50 members: {ratio:.2f}× the trivial page "
        f"(target ≤ {RATIO_TARGET}: {verdict})"
    )


if __name__ == "__main__":
    main()
