"""Benchmark (not a test): the PMI audit pack of a 1,000-activity cycle against the plain portfolio
PDF of the same activities (target <= 1.3x). Both include gathering their data from the database;
each measurement runs in a fresh process (fonts loaded before the clock starts); the median of
`--repeats` runs is printed, wall clock and CPU time.

    python -m bench.packs [--activities 1000] [--repeats 3]
"""

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.pdf import WORDS

# Education kinds only: PMI caps Giving Back, so past the cap an activity would count toward
# nothing, leave the claim list and make the pack smaller than the portfolio.
KINDS = ("COURSE", "WEBINAR", "CONFERENCE", "READING")


def _seed(n: int):
    """A user enrolled in PMP with `n` activities in cycle 1, and a portfolio of them all."""
    from cpd_log.extensions import db
    from cpd_log.models import Activity, ActivityKind, Delivery
    from tests import factories
    from tests.portfolio.builders import make_portfolio
    from tests.schemes.helpers import make_enrolment

    rng = random.Random(n)
    user = factories.make_user(email=f"pack{n}@example.com", display_name="Bench Ada")
    start = date.today() - timedelta(days=1000)
    cycle = make_enrolment(user, "pmi-pmp", start).cycles[0]
    for i in range(n):
        db.session.add(
            Activity(
                user_id=user.id,
                title=f"Activity {i}: {rng.choice(WORDS)} {rng.choice(WORDS)}",
                kind=ActivityKind[rng.choice(KINDS)],
                provider="PMO Flashmob",
                start_date=start + timedelta(days=1 + i % 990),
                minutes=rng.choice([30, 60, 90, 120, 240]),
                delivery=Delivery.ONLINE,
                description=" ".join(rng.choice(WORDS) for _ in range(150)),
                url="https://example.org/course",
            )
        )
    db.session.commit()
    return user, cycle, make_portfolio(user, title="Benchmark portfolio")


def _app(folder: Path):
    from flask_migrate import upgrade

    from cpd_log import create_app

    app = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}",
            "UPLOAD_DIR": str(folder / "uploads"),
        },
    )
    with app.app_context():
        upgrade()
    return app


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _run(n: int, mode: str) -> None:
    from cpd_log.claims import pack_pdf, packs
    from cpd_log.documents import fonts, pdf
    from cpd_log.portfolio import services

    with tempfile.TemporaryDirectory() as folder:
        app = _app(Path(folder))
        with app.app_context():
            user, cycle, portfolio = _seed(n)
            fonts.register()
            fonts.markup("a")
            start, cpu_start = time.perf_counter(), _cpu()
            with tempfile.TemporaryFile() as out:
                if mode == "pack":
                    pack = packs.gather(user, cycle, date.today())
                    pack_pdf.render(pack, out)
                    items = len(pack.cards)
                else:
                    content = services.gather(portfolio)
                    pdf.render(content, out)
                    items = len(content.activities)
            seconds, cpu = time.perf_counter() - start, _cpu() - cpu_start
    print(json.dumps({"seconds": seconds, "cpu": cpu, "items": items}))


def _measure(n: int, mode: str) -> dict:
    output = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bench.packs", "--child", str(n), mode],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("N", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _run(int(args.child[0]), args.child[1])
        return
    n = args.activities
    pack = [_measure(n, "pack") for _ in range(args.repeats)]
    plain = [_measure(n, "portfolio") for _ in range(args.repeats)]
    t_pack = statistics.median(r["seconds"] for r in pack)
    t_plain = statistics.median(r["seconds"] for r in plain)
    cpu = statistics.median(r["cpu"] for r in pack) / statistics.median(r["cpu"] for r in plain)
    header = ("activities", 10), ("claims", 7), ("pack s", 7), ("portfolio s", 12), ("ratio", 6)
    print(" ".join(f"{name:>{width}}" for name, width in header), f"{'CPU':>5}")
    print(
        f"{n:>10} {pack[0]['items']:>7} {t_pack:>7.2f} {t_plain:>12.2f} "
        f"{t_pack / t_plain:>6.2f} {cpu:>5.2f}"
    )


if __name__ == "__main__":
    main()
