"""Benchmark: a 5,000-event calendar (≈1.6 MB) from upload to import, through the real pages.

    python -m bench.calendar [--repeat 3] [--profile FILE]

The file is shaped like an Outlook export of many busy years: Windows zone names with their
VTIMEZONE blocks, long UIDs, organisers, locations and descriptions; ≈4,900 single events of
which ≈360 fall in the import window (the last three years and the next one, views.py), the rest
older; 60 repeating series — 48 that ended years before the window, 10 weekly ones inside it
with an EXDATE each and a moved occurrence (RECURRENCE-ID), and 2 monthly ones running since
2008 — so ≈500 events are offered. Each run, for a new user on a fresh migrated SQLite file
(Flask's test client, CSRF off): upload (parse and store the batch) → preview page → import every
event offered with one kind. Targets (issue 16): ≤ 2 s wall clock and ≤ 100 MB peak, the peak
measured by tracemalloc in a run of its own (tracemalloc slows what it watches, so the timed
runs go without it).
"""

import argparse
import cProfile
import io
import re
import resource
import statistics
import time
import tracemalloc
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from bench.databases import fresh_database
from bench.run import bench_app, logged_in_client
from cpd_log.auth.services import register_user
from cpd_log.extensions import db
from cpd_log.imports import batch_jobs
from cpd_log.imports.ics import import_window
from cpd_log.models import Activity, ImportBatch

PASSWORD = "bench password 123"
EVENTS = 5000
TARGET_SECONDS = 2.0
TARGET_MB = 100
ZONE = "GMT Standard Time"
VTIMEZONE = (
    "BEGIN:VTIMEZONE\r\nTZID:GMT Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16011028T020000\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:-0000\r\n"
    "END:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010325T010000\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nTZOFFSETFROM:-0000\r\nTZOFFSETTO:+0100\r\n"
    "END:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
)
TOPICS = ["Portfolio reporting", "Risk appetite", "Benefits tracking", "PMO maturity", "Agile PMO"]
PLACES = ["Conference Room 4\\, London", "Microsoft Teams Meeting", "Zoom", "Training room B"]
ENDED_SERIES = 48  # weekly, 8 times, all years before the window
WINDOW_SERIES = 10  # weekly, 6 times inside the window, one EXDATE and one moved occurrence each
MONTHLY_SINCE = date(2008, 1, 15)  # 2 series on the 15th of every month, never ending
WINDOW_SINGLES = 360


def _stamp(day: date, hour: int) -> str:
    return f"{day:%Y%m%d}T{hour:02d}0000"


def _event(uid: str, day: date, title: str, n: int, extra: str = "") -> str:
    """One Outlook-style event of ≈320 bytes, 10:00–11:30 in the Windows-named zone."""
    place = PLACES[n % len(PLACES)]
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20250101T000000Z\r\n"
        f'DTSTART;TZID="{ZONE}":{_stamp(day, 10)}\r\nDTEND;TZID="{ZONE}":{day:%Y%m%d}T113000\r\n'
        f"SUMMARY:{title}\r\nLOCATION:{place}\r\n"
        f"ORGANIZER;CN=PMO Team {n % 9}:mailto:pmo{n % 9}@example.org\r\n"
        f"DESCRIPTION:Agenda\\, notes and links.\r\n"
        f"{extra}END:VEVENT\r\n"
    )


def _uid(n: int) -> str:
    return f"040000008200E00074C5B7101A82E008{n:08X}"


def make_calendar(today: date, events: int = EVENTS) -> tuple[bytes, int]:
    """The calendar and how many of its events (occurrences) fall in the import window."""
    start, end = import_window(today)
    parts, expected = [], 0
    for i in range(ENDED_SERIES):
        first = start - timedelta(days=400 + 60 * i)
        rule = "RRULE:FREQ=WEEKLY;COUNT=8\r\n"
        parts.append(_event(_uid(i), first, f"Weekly stand-up {i}", i, rule))
    for i in range(WINDOW_SERIES):
        n = ENDED_SERIES + i
        first = start + timedelta(days=30 + 120 * i)
        gone = first + timedelta(weeks=2)
        extra = f'RRULE:FREQ=WEEKLY;COUNT=6\r\nEXDATE;TZID="{ZONE}":{_stamp(gone, 10)}\r\n'
        parts.append(_event(_uid(n), first, f"Study group {i}", n, extra))
        moved = first + timedelta(weeks=1)
        extra = f'RECURRENCE-ID;TZID="{ZONE}":{_stamp(moved, 10)}\r\n'
        moved_to = moved + timedelta(days=1)
        parts.append(_event(_uid(n), moved_to, f"Study group {i} (moved)", n, extra))
        expected += 5
    for i in range(2):
        n = ENDED_SERIES + WINDOW_SERIES + i
        rule = "RRULE:FREQ=MONTHLY;BYMONTHDAY=15\r\n"
        parts.append(_event(_uid(n), MONTHLY_SINCE, f"Monthly PMO forum {i}", n, rule))
        expected += sum(1 for day in _fifteenths(start, end))
    singles = events - len(parts)
    span = (end - start).days - 4
    for k in range(singles):
        n = 1000 + k
        if k < WINDOW_SINGLES:
            day = start + timedelta(days=2 + k * span // WINDOW_SINGLES)
            expected += 1
        else:
            day = start - timedelta(days=2 + (k - WINDOW_SINGLES) % 6000)
        parts.append(_event(_uid(n), day, f"{TOPICS[k % len(TOPICS)]} session {k}", n))
    head = "BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\n"
    body = f"{head}VERSION:2.0\r\nMETHOD:PUBLISH\r\n{VTIMEZONE}{''.join(parts)}END:VCALENDAR\r\n"
    return body.encode(), expected


def _fifteenths(start: date, end: date):
    day = MONTHLY_SINCE
    while day < end:
        if day >= start:
            yield day
        day = date(day.year + day.month // 12, day.month % 12 + 1, 15)


def import_calendar(app, client, data: bytes) -> tuple[int, list[float]]:
    """Upload, (the worker's reading), preview and import every event offered; (events offered,
    seconds per step: upload, worker, preview, import). A calendar of more than
    IMPORT_BACKGROUND_AT events is read by a job: it runs here where a worker would (no worker
    runs), timed apart; a smaller one is read in the upload and the worker's step is 0."""
    marks = [time.perf_counter()]
    upload = client.post(
        "/imports/calendar",
        data={"calendar": (io.BytesIO(data), "outlook.ics")},
        content_type="multipart/form-data",
    )
    if upload.status_code != 302:
        errors = re.findall(r'class="invalid-feedback[^"]*">(.*?)</div>', upload.text, re.S)
        raise RuntimeError(f"the upload answered {upload.status_code}: {errors}")
    marks.append(time.perf_counter())
    location = upload.headers["Location"]
    batch_id = int(location.rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        queued = db.session.get(ImportBatch, batch_id).job_state == "queued"
    if queued:
        batch_jobs.run(app, batch_id)
    marks.append(time.perf_counter())
    page = client.get(location)
    offered = page.data.count(b'name="events"')
    marks.append(time.perf_counter())
    form = {"events": [str(i) for i in range(offered)], "kind": "course"}
    done = client.post(location, data=form)
    if done.status_code != 302:
        raise RuntimeError(f"the import answered {done.status_code}")
    marks.append(time.perf_counter())
    return offered, [b - a for a, b in zip(marks, marks[1:], strict=False)]


def new_client(app, label: str):
    with app.app_context():
        user = register_user(f"{label}-{time.monotonic_ns()}@example.com", "Bench", PASSWORD)
        db.session.commit()
        email, user_id = user.email, user.id
    return logged_in_client(app, email, PASSWORD), user_id


def imported(app, user_id: int) -> int:
    with app.app_context():
        query = select(func.count(Activity.id)).where(Activity.user_id == user_id)
        return db.session.scalar(query)


def run(args) -> None:
    data, expected = make_calendar(date.today())
    print(f"calendar: {EVENTS:,} events, {len(data) / 1e6:.2f} MB, {expected} in the window")
    with fresh_database(None, "calendar") as url:
        app = bench_app(url)
        walls, cpus = [], []
        for n in range(args.repeat):
            client, user_id = new_client(app, f"run{n}")
            cpu = time.process_time()
            offered, steps = import_calendar(app, client, data)
            cpus.append(time.process_time() - cpu)
            walls.append(sum(steps))
            count = imported(app, user_id)
            print(
                f"  run {n + 1}: {sum(steps):.2f} s (upload {steps[0]:.2f}, worker {steps[1]:.2f},"
                f" preview {steps[2]:.2f}, import {steps[3]:.2f}); offered {offered},"
                f" imported {count}; slowest request {max(steps[0], *steps[2:]):.2f} s"
            )
            if count != expected:
                raise SystemExit(f"imported {count} events, expected {expected}")
        client, _ = new_client(app, "memory")
        tracemalloc.start()
        import_calendar(app, client, data)
        peak_mb = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        if args.profile:
            client, _ = new_client(app, "profile")
            cProfile.runctx("import_calendar(app, client, data)", globals(), locals(), args.profile)
        with app.app_context():
            db.engine.dispose()
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{datetime.now():%Y-%m-%d %H:%M}, median of {args.repeat}:")
    verdict = "ok" if wall <= TARGET_SECONDS else "ABOVE TARGET"
    print(f"  upload → import: wall {wall:.2f} s, CPU {cpu:.2f} s (target ≤ 2 s: {verdict})")
    verdict = "ok" if peak_mb <= TARGET_MB else "ABOVE TARGET"
    print(f"  peak traced memory {peak_mb:.1f} MB (target ≤ {TARGET_MB} MB: {verdict});", end="")
    print(f" process max RSS {rss_mb:.0f} MB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", help="write a cProfile of one more run to this file")
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
