"""Benchmark (not a test): the portfolio PDF for 50, 200 and 1,000 activities.

Each activity carries a 150-word learning-outcomes text (the reflections feature will add its own
text later). Time is reported as a ratio to plain ReportLab setting the same text with the same
embedded font in the same run (target <= 1.3), both wall-clock and CPU time of the child process
(steadier on a shared machine); peak memory is the child process's maximum RSS (target <= 150 MB
at 1,000 activities). Every measurement runs in a fresh process; the median of `--repeats` runs
is printed.

    python -m bench.pdf [--sizes 50 200 1000] [--repeats 3]
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

WORDS = [
    "stakeholder",
    "governance",
    "benefits",
    "realisation",
    "risk",
    "register",
    "assurance",
    "portfolio",
    "cadence",
    "reporting",
    "dashboard",
    "baseline",
    "dependency",
    "milestone",
    "café",
    "naïve",
    "résumé",
    "capacity",
    "planning",
    "prioritisation",
    "coaching",
    "facilitation",
    "retrospective",
    "lessons",
    "learned",
    "maturity",
    "standards",
]


def _text(rng: random.Random, words: int = 150) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


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


def _seed(n: int):
    """A user with `n` activities tagged across a framework, and a portfolio of them all."""
    from cpd_log.extensions import db
    from cpd_log.models import Activity, ActivityKind, Delivery
    from tests import factories
    from tests.portfolio.builders import make_portfolio

    rng = random.Random(n)
    user = factories.make_user(email=f"bench{n}@example.com", display_name="Bench Ada")
    leaves = factories.leaves(factories.make_framework(areas=4, per_area=4))
    for i in range(n):
        db.session.add(
            Activity(
                user_id=user.id,
                title=f"Activity {i}: {rng.choice(WORDS)} {rng.choice(WORDS)}",
                kind=rng.choice(list(ActivityKind)),
                provider="PMO Flashmob",
                start_date=date(2023, 1, 1) + timedelta(days=i % 1000),
                minutes=rng.choice([30, 60, 90, 120, 240]),
                delivery=Delivery.ONLINE,
                description=_text(rng),
                url="https://example.org/course",
                competencies=rng.sample(leaves, 2),
            )
        )
    db.session.commit()
    return make_portfolio(user, title="Benchmark portfolio")


def _plain(content) -> int:
    """Plain ReportLab setting the same text: for each activity its register row, its fields and
    its learning outcomes as simple paragraphs in the same font; no tables, contents, bookmarks,
    font fallback or merging."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from cpd_log.documents import fonts
    from cpd_log.templating import hours

    fonts.register()
    style = ParagraphStyle("b", fontName=fonts.MAIN, fontSize=9.5, leading=12.5)
    story = []
    for n, a in enumerate(content.activities, start=1):
        row = f"{n} {a.start_date} {a.title} {a.kind.label} {a.provider} {hours(a.minutes)}"
        fields = [
            f"{a.start_date}",
            a.kind.label,
            a.provider,
            a.delivery.label,
            hours(a.minutes),
            a.status.label,
            a.url,
            "; ".join(c.label for c in a.competencies),
        ]
        for text in (row, a.title, "<br/>".join(map(escape, fields)), a.description):
            story.append(Paragraph(escape(text) if "<br/>" not in text else text, style))
    with tempfile.TemporaryFile() as out:
        doc = SimpleDocTemplate(out, pagesize=A4)
        doc.build(story)
        return doc.page


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _child(n: int, mode: str) -> None:
    from cpd_log.documents import fonts, pdf
    from cpd_log.portfolio import services

    with tempfile.TemporaryDirectory() as folder:
        app = _app(Path(folder))
        with app.app_context():
            portfolio = _seed(n)
            fonts.register()  # loading fonts is a once-per-process cost, left out of both times
            fonts.register(fonts.BOLD)  # the labels' bold (made once per machine, then cached)
            fonts.markup("a")  # and the per-process caches of character coverage
            start, cpu_start = time.perf_counter(), _cpu_seconds()
            content = services.gather(portfolio)
            if mode == "portfolio":
                with tempfile.TemporaryFile() as out:
                    pages = pdf.render(content, out)
            else:
                pages = _plain(content)
            seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu_start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "pages": pages, "peak_mb": peak_mb}))


def _measure(n: int, mode: str) -> dict:
    output = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bench.pdf", "--child", str(n), mode],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 1000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("N", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(int(args.child[0]), args.child[1])
        return
    print(
        f"{'activities':>10} {'pages':>6} {'portfolio s':>12} {'plain s':>8} {'ratio':>6} "
        f"{'CPU ratio':>9} {'peak MB':>8} {'plain MB':>9}"
    )
    for n in args.sizes:
        ours = [_measure(n, "portfolio") for _ in range(args.repeats)]
        plain = [_measure(n, "plain") for _ in range(args.repeats)]
        t_ours = statistics.median(r["seconds"] for r in ours)
        t_plain = statistics.median(r["seconds"] for r in plain)
        cpu = statistics.median(r["cpu"] for r in ours) / statistics.median(r["cpu"] for r in plain)
        print(
            f"{n:>10} {ours[0]['pages']:>6} {t_ours:>12.2f} {t_plain:>8.2f} "
            f"{t_ours / t_plain:>6.2f} {cpu:>9.2f} {max(r['peak_mb'] for r in ours):>8.0f} "
            f"{max(r['peak_mb'] for r in plain):>9.0f}"
        )


if __name__ == "__main__":
    main()
