"""The account format's codec: declared keys read with their kinds and defaults, unknown keys
counted, and the declarations themselves consistent (every key that may be absent has a default,
no key is newer than the release, nested records are declared)."""

from datetime import UTC, date, datetime

import pytest

from cpd_log.account import account_format
from cpd_log.account.account_format import RECORDS
from cpd_log.account.codec import Key, Many, Notes, One, Reader, Record, write
from cpd_log.account.transfer import ACTIVITY_FIELDS, VERSION, BadFile


def _reader() -> Reader:
    return Reader(RECORDS, Notes())


def _activity(**changes) -> dict:
    """An activity as version 1 wrote it: none of the keys version 2 added."""
    record = {
        "key": "a1",
        "title": "Risk workshop",
        "kind": "webinar",
        "provider": "",
        "start_date": "2026-03-10",
        "end_date": None,
        "minutes": 90,
        "delivery": "online",
        "participatory": False,
        "description": "",
        "url": "",
        "status": "completed",
        "source": "manual",
        "external_uid": None,
        "created_at": "2026-12-01T07:02:42",
        "updated_at": "2026-12-01T07:02:42",
        "competencies": [],
        "evidence": [],
    }
    return {**record, **changes}


def test_a_missing_required_key_names_the_record_and_the_key():
    review = {"reviewer_name": "Dr R", "reviewer_role": "", "signed_off": True}
    with pytest.raises(BadFile, match="^Portfolio 1, review 2: “comment” is missing.$"):
        _reader().read("review", {**review, "created_at": "2026-01-01"}, "Portfolio 1, review 2")
    with pytest.raises(BadFile, match="^Activity 3: “title” is missing.$"):
        _reader().read("activity", "not a record", "Activity 3")


def test_keys_an_older_version_lacks_read_as_their_defaults():
    values = _reader().read("activity", _activity(), "Activity 1")
    assert values["badge"] is None and values["quick_capture"] is None
    assert values["apply_prompt_dismissals"] == []
    assert values["created_at"] == datetime(2026, 12, 1, 7, 2, 42, tzinfo=UTC)
    assert values["start_date"] == date(2026, 3, 10) and values["end_date"] is None
    link = {"title": "Slides", "url": "https://example.org/", "created_at": "2026-01-01"}
    evidence = _reader().read("evidence", link, "Activity 1, evidence 1")
    assert evidence["original_name"] == "" and evidence["sha256"] is None
    assert evidence["file"] is None and evidence["missing"] is False
    portfolio = {"title": "P", "audience": "appraisal", "date_from": None, "date_to": None}
    portfolio |= {"include_evidence": True, "created_at": "2026-01-01T00:00:00"}
    values = _reader().read("portfolio", portfolio, "Portfolio 1")
    assert values["cycle"] is None and values["updated_at"] is None and values["reviews"] == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"minutes": "60"}, "Activity 1: “minutes” has an invalid value."),
        ({"minutes": True}, "Activity 1: “minutes” has an invalid value."),
        ({"kind": "party"}, "Activity 1: “kind” has an invalid value."),
        ({"start_date": "31/12/2026"}, "Activity 1: “start_date” has an invalid value."),
        ({"title": None}, "Activity 1: “title” has an invalid value."),
        ({"participatory": "yes"}, "Activity 1: “participatory” has an invalid value."),
        ({"competencies": "A1.1"}, "Activity 1: “competencies” must be a list."),
        ({"evidence": None}, "Activity 1: “evidence” must be a list."),
        ({"quick_capture": "soon"}, "Activity 1: “quick_capture” has an invalid value."),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_with_where_it_is(change, message):
    with pytest.raises(BadFile) as problem:
        _reader().read("activity", _activity(**change), "Activity 1")
    assert str(problem.value) == message


def test_keys_not_declared_are_ignored_and_counted_by_record_type():
    document = {
        "format": "cpd-log-account",
        "version": 7,
        "signed_by": "a later release",
        "activities": [
            _activity(
                mood="curious",
                badge={"badge_name": "B", "glow": True},
                evidence=[{"title": "x", "thumbnail": "t.png"}],
                apply_prompt_dismissals=[{"checkpoint": 30, "snoozed": 2}],
            )
        ],
        "portfolios": [{"title": "P", "reviews": [{"stars": 5}, {"stars": 4}]}],
    }
    notes = Notes()
    reader = account_format.reader(document, notes)
    assert notes.newer == 7
    assert notes.unknown == {
        "document": 1,
        "activity": 1,
        "badge": 1,
        "evidence": 1,
        "dismissal": 1,
        "review": 2,
    }
    assert "mood" not in reader.read("activity", document["activities"][0], "Activity 1")
    assert notes.counts()["unknown keys ignored"] == 7
    summary = notes.summary()
    assert "newer release of CPD Log (format version 7)" in summary
    assert "1 in activity" in summary and "2 in review" in summary


@pytest.mark.parametrize("version", [None, 0, -1, "2", 2.5, True])
def test_a_version_that_is_not_a_whole_number_from_1_is_refused(version):
    document = {"format": "cpd-log-account", "version": version}
    with pytest.raises(BadFile, match="is not supported"):
        account_format.reader(document, Notes())
    with pytest.raises(BadFile, match="not a CPD Log account export"):
        account_format.reader({"format": "cpd-log-other", "version": 1}, Notes())


def test_a_key_added_later_reads_as_its_default_from_older_files_and_is_always_written():
    """What a new field does (the merger's `objective`, since=3): a synthetic record type."""
    records = {
        "note": Record(
            Key("title", str),
            Key("objective", str, since=3),
            Key("rating", int, since=3, default=0),
            Key("reviewed_on", date, nullable=True, since=4),
            Key("legacy", str, nullable=True, until=2),
        )
    }
    reader = Reader(records, Notes())
    assert reader.read("note", {"title": "Old"}, "Note 1") == {
        "title": "Old",
        "objective": "",
        "rating": 0,
        "reviewed_on": None,
        "legacy": None,
    }
    newer = {"title": "New", "objective": "Learn", "rating": 3, "reviewed_on": "2027-01-02"}
    assert reader.read("note", newer, "Note 1")["reviewed_on"] == date(2027, 1, 2)
    with pytest.raises(BadFile, match="Note 1: “rating” has an invalid value"):
        reader.read("note", {**newer, "rating": "3"}, "Note 1")

    class Row:
        title, objective, rating, reviewed_on, legacy = "T", "O", 2, date(2027, 1, 2), "L"

    assert write(records["note"], Row()) == {
        "title": "T",
        "objective": "O",
        "rating": 2,
        "reviewed_on": "2027-01-02",
    }
    with pytest.raises(KeyError, match="not declared"):
        write(records["note"], Row(), colour="red")


def _declared_keys():
    for record_type, record in RECORDS.items():
        for key in record.keys.values():
            yield record_type, key


def test_the_declarations_are_complete_and_consistent():
    for record_type, key in _declared_keys():
        where = f"{record_type}.{key.name}"
        assert 1 <= key.since <= VERSION, where  # a new key comes with VERSION's bump
        if key.may_be_absent:
            key.absent()  # raises when a key that may be absent has no default
        if isinstance(key.kind, One | Many):
            assert key.kind.record in RECORDS, where
    for record in RECORDS.values():
        for name in record.same_when:
            assert name in record.keys or name.endswith("_id")
    activity = RECORDS["activity"].keys
    assert all(name in activity and activity[name].stored for name in ACTIVITY_FIELDS)
