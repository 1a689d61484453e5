"""The pre-audit check's rules, one finding kind at a time, without a database: what an auditor
would query, and the page each finding links to."""

import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from cpd_log.claims import preaudit
from cpd_log.claims.cards import Status
from cpd_log.claims.choices import ClaimState
from cpd_log.claims.vocabulary import GENERIC, Vocabulary
from cpd_log.schemes.checking import DATA_DIR
from cpd_log.schemes.counting import Line
from cpd_log.schemes.rules import SchemeRules, Tally

START, END = date(2026, 1, 1), date(2026, 12, 31)
ROOT = Path(__file__).resolve().parents[2]


def _scheme(slug: str) -> SchemeRules:
    return SchemeRules.from_dict(json.loads((DATA_DIR / f"{slug}.json").read_text()))


@dataclass(frozen=True)
class _Logged:
    """The columns of schemes.counting.Logged the check reads."""

    id: int
    title: str
    kind: str
    last_date: date


def _line(scheme, aid, minutes, kind="course", title=None, last=date(2026, 3, 1)):
    category = scheme.leaves()[0].code
    activity = _Logged(aid, title or f"Activity {aid}", kind, last)
    return Line(activity, {category: minutes} if minutes else {}, False, scheme)


def _view(scheme, lines, counts=None):
    cycle = SimpleNamespace(id=7, start=START, end=END)
    return SimpleNamespace(
        cycle=cycle, scheme=scheme, lines=lines, progress=_progress(scheme, counts)
    )


def _progress(scheme, counts):
    return Tally(scheme).progress(counts or {"reflections": 9, "reflective_statements": 9})


def _facts(*ids, evidence=(), started=None):
    return {
        aid: preaudit.Facts((started or {}).get(aid, date(2026, 3, 1)), aid in evidence)
        for aid in ids
    }


def _kinds(found):
    return [(f.kind, f.subject) for f in found]


def test_a_course_conference_or_exam_without_evidence_is_queried():
    scheme = _scheme("pmi-pmp")
    lines = [
        _line(scheme, 1, 60, "course", "Course without"),
        _line(scheme, 2, 60, "conference", "Conference with"),
        _line(scheme, 3, 60, "exam", "Exam without"),
        _line(scheme, 4, 60, "reading", "Reading without"),
        _line(scheme, 5, 0, "course", "Counts toward nothing"),
    ]
    found = preaudit.check(_view(scheme, lines), _facts(1, 2, 3, 4, 5, evidence={2}), {}, GENERIC)
    assert _kinds(found) == [("certificate", "Course without"), ("certificate", "Exam without")]
    assert found[0].endpoint == "evidence.attach" and found[0].url_args == {"activity_id": 1}
    assert found[0].heading == "No certificate"


def test_the_scheme_file_says_which_kinds_need_a_certificate():
    scheme = _scheme("pmi-pmp")
    lines = [_line(scheme, 1, 60, "course"), _line(scheme, 2, 60, "reading", "A book")]
    reading_only = Vocabulary.of({"claims": {**_claims(), "certificate_kinds": ["reading"]}})
    found = preaudit.check(_view(scheme, lines), _facts(1, 2), {}, reading_only)
    assert _kinds(found) == [("certificate", "A book")]


def _claims() -> dict:
    return json.loads((DATA_DIR / "pmi-pmp.json").read_text())["claims"]


def test_an_activity_over_the_per_activity_limit_is_queried():
    scheme = _scheme("peoplecert-axelos")  # 15 points at most per activity
    assert scheme.activity_max == 15 * scheme.unit_minutes
    lines = [_line(scheme, 1, 16 * scheme.unit_minutes, "webinar", "Long"), _line(scheme, 2, 60)]
    found = preaudit.check(_view(scheme, lines), _facts(1, 2, evidence={2}), {}, GENERIC)
    assert _kinds(found) == [("over_limit", "Long")]
    assert "16 points logged; the scheme counts at most 15 points" in found[0].text
    assert found[0].endpoint == "activities.edit" and found[0].url_args == {"activity_id": 1}


def test_an_activity_that_started_before_the_cycle_is_queried():
    scheme = _scheme("pmi-pmp")
    lines = [_line(scheme, 1, 60, "webinar", "Spans the start"), _line(scheme, 2, 60, "webinar")]
    facts = _facts(1, 2, started={1: date(2025, 12, 20)})
    found = preaudit.check(_view(scheme, lines), facts, {}, GENERIC)
    assert _kinds(found) == [("outside_cycle", "Spans the start")]
    assert (
        "It ran 2025-12-20 – 2026-03-01; the cycle runs 2026-01-01 – 2026-12-31." in found[0].text
    )
    assert found[0].endpoint == "activities.edit"


def test_an_activity_ending_after_the_cycle_is_queried_too():
    scheme = _scheme("pmi-pmp")
    lines = [_line(scheme, 1, 60, "webinar", "Late", last=date(2027, 1, 2))]
    found = preaudit.outside_cycle(START, END, preaudit.counting(scheme, lines), _facts(1))
    assert _kinds(found) == [("outside_cycle", "Late")]


@pytest.mark.parametrize(
    ("status", "queried"),
    [
        (Status(ClaimState.CLAIMED, date(2026, 4, 1), claimed_minutes=90), True),
        (Status(ClaimState.CLAIMED, date(2026, 4, 1), claimed_minutes=60), False),
        (Status(ClaimState.CLAIMED, date(2026, 4, 1)), False),  # claimed before it was recorded
        (Status(ClaimState.REJECTED, reason="No", claimed_minutes=90), False),
        (Status(), False),
    ],
)
def test_a_claim_whose_counted_minutes_changed_is_queried(status, queried):
    scheme = _scheme("pmi-pmp")
    lines = [_line(scheme, 1, 60, "webinar", "Changed")]
    found = preaudit.check(_view(scheme, lines), _facts(1), {1: status}, GENERIC)
    assert _kinds(found) == ([("claimed_hours", "Changed")] if queried else [])
    if queried:
        assert "Claimed as 1.5 PDUs; it counts 1 PDU now." in found[0].text
        assert found[0].endpoint == "claims.status"
        assert found[0].url_args == {"cycle_id": 7, "activity_id": 1}


def test_a_claimed_activity_that_no_longer_counts_is_queried():
    scheme = _scheme("pmi-pmp")
    lines = [_line(scheme, 1, 0, "webinar", "Split away")]
    status = Status(ClaimState.CLAIMED, date(2026, 4, 1), claimed_minutes=60)
    found = preaudit.check(_view(scheme, lines), _facts(1), {1: status}, GENERIC)
    assert _kinds(found) == [("claimed_hours", "Split away")]


def test_a_claimed_activity_moved_out_of_the_cycle_is_queried_on_its_dates():
    scheme = _scheme("pmi-pmp")
    facts = {9: preaudit.Facts(date(2027, 2, 1), True, "Moved away", in_cycle=False)}
    status = Status(ClaimState.CLAIMED, date(2026, 4, 1), claimed_minutes=60)
    found = preaudit.check(_view(scheme, []), facts, {9: status}, GENERIC)
    assert _kinds(found) == [("claimed_hours", "Moved away")]
    assert "Claimed as 1 PDU; it counts 0 PDUs now. Its dates no longer fall" in found[0].text
    assert found[0].endpoint == "activities.edit" and found[0].url_args == {"activity_id": 9}


def test_fewer_reflective_accounts_than_the_scheme_needs_are_queried():
    scheme = _scheme("nmc-style")  # five reflective accounts
    found = preaudit.check(_view(scheme, [], {"reflections": 3}), {}, {}, GENERIC)
    (finding,) = found
    assert finding.kind == "reflections" and finding.subject == scheme.count_rules[0].name
    assert finding.text == "3 of the 5 the scheme needs; 2 more."
    assert finding.endpoint == "reflections.create" and finding.url_args == {}
    assert preaudit.check(_view(scheme, [], {"reflections": 5}), {}, {}, GENERIC) == []


def test_apm_reflective_statements_count_too_and_other_count_rules_do_not():
    scheme = _scheme("apm")  # two activities, one reflective statement
    found = preaudit.check(_view(scheme, [], {"reflective_statements": 0}), {}, {}, GENERIC)
    assert [f.kind for f in found] == ["reflections"]


def test_a_clean_cycle_has_no_finding():
    scheme = _scheme("pmi-pmp")
    lines = [_line(scheme, 1, 60, "course"), _line(scheme, 2, 60, "reading")]
    assert preaudit.check(_view(scheme, lines), _facts(1, 2, evidence={1}), {}, GENERIC) == []


def test_the_check_imports_where_flask_and_sqlalchemy_cannot():
    probe = (
        "import sys\n"
        "class Blocker:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('flask', 'sqlalchemy', 'werkzeug'):\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, Blocker())\n"
        "import cpd_log.claims.preaudit\n"
        "print('pure')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.stdout.strip() == "pure", done.stderr
