"""The body's vocabulary in the scheme files: declared by the schema, checked, read; every source
a file may name has a reader; the cards' values for every source. Pure: no app needed."""

import json
from datetime import date

import pytest

from cpd_log.activities.choices import ActivityKind, Delivery
from cpd_log.claims.cards import SOURCES, ActivityDetails, Status, Totals, card, totals
from cpd_log.claims.choices import ClaimState
from cpd_log.claims.vocabulary import GENERIC, Vocabulary
from cpd_log.schemes.checking import (
    DATA_DIR,
    SCHEMA_PATH,
    SchemeError,
    check_scheme,
    read_scheme_file,
    shipped_scheme_files,
)

PMI_TYPES = [
    "Course or Training",
    "Organization Meetings",
    "Online or Digital Media",
    "Read",
    "Informal Learning",
    "Work as a Practitioner",
    "Create Content",
    "Give a Presentation",
    "Share Knowledge",
    "Volunteer",
]


def _content(slug: str) -> dict:
    return read_scheme_file(DATA_DIR / f"{slug}.json")[0]


def test_the_schema_names_exactly_the_sources_the_cards_read():
    schema = json.loads(SCHEMA_PATH.read_text())
    fields = schema["properties"]["claims"]["properties"]["fields"]
    assert set(fields["items"]["properties"]["from"]["enum"]) == set(SOURCES)


@pytest.mark.parametrize("slug", ["pmi-pmp", "pmi-acp", "pmi-capm"])
def test_pmi_files_use_the_ccr_handbooks_types_and_ccrs_fields_in_order(slug):
    vocabulary = Vocabulary.of(_content(slug))
    assert list(vocabulary.choices) == PMI_TYPES
    assert [(f.label, f.source) for f in vocabulary.fields] == [
        ("Provider", "provider"),
        ("Activity title", "title"),
        ("Date started", "start_date"),
        ("Date completed", "completed_on"),
        ("Description", "description"),
        ("URL", "url"),
        ("Activity type", "type"),
        ("PDUs per Talent Triangle area", "units"),
    ]
    assert "ccrs.pmi.org" in vocabulary.source
    assert vocabulary.body_type("course", "in_person") == "Course or Training"
    assert vocabulary.body_type("course", "self_paced") == "Online or Digital Media"
    assert vocabulary.body_type("on_the_job", "in_person") == "Work as a Practitioner"
    assert vocabulary.body_type("exam", "online") == "Informal Learning"  # the default


@pytest.mark.parametrize("path", shipped_scheme_files(), ids=lambda p: p.stem)
def test_every_shipped_body_names_its_fields_cites_its_source_and_types_every_kind(path):
    content = read_scheme_file(path)[0]
    vocabulary = Vocabulary.of(content)
    if path.stem == "custom":
        assert vocabulary is GENERIC  # the blank scheme: CPD Log's own words
        return
    assert len(vocabulary.source) > 80 and len(vocabulary.fields) >= 6
    assert {f.source for f in vocabulary.fields} >= {"title", "type"}
    for kind in ActivityKind:
        for delivery in Delivery:
            assert vocabulary.body_type(kind, delivery) in vocabulary.choices


def _with_claims(**changes) -> dict:
    content = _content("pmi-pmp")
    content["claims"] = {**content["claims"], **changes}
    return content


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"types": {"seminar": "Read"}}, "claims/types: seminar is not an activity kind"),
        ({"types": {"course+radio": "Read"}}, "claims/types: course+radio is not an activity"),
        ({"types": {"course": "Lecture"}}, "claims: “Lecture” is not one of claims/choices."),
        ({"default_type": "Misc"}, "claims: “Misc” is not one of claims/choices."),
        ({"fields": [{"label": "Mood", "from": "mood"}]}, "claims/fields/0/from"),
        ({"choices": []}, "claims/choices"),
        (
            {"certificate_kinds": ["diploma"]},
            "claims/certificate_kinds: diploma is not an activity",
        ),
        ({"certificate_kinds": "course"}, "claims/certificate_kinds"),
    ],
)
def test_a_vocabulary_that_does_not_hold_together_is_refused(changes, problem):
    with pytest.raises(SchemeError) as error:
        check_scheme(_with_claims(**changes))
    assert any(problem in p for p in error.value.problems), error.value.problems


def test_certificate_kinds_come_from_the_file_or_default_to_course_conference_exam():
    assert Vocabulary.of(_content("pmi-pmp")).certificate_kinds == ("course", "conference", "exam")
    assert GENERIC.certificate_kinds == ("course", "conference", "exam")
    declared = _with_claims(certificate_kinds=["course", "volunteering"])
    check_scheme(declared)
    assert Vocabulary.of(declared).certificate_kinds == ("course", "volunteering")


def _details(**changes) -> ActivityDetails:
    values = {
        "id": 7,
        "title": "Ward teaching",
        "kind": "community_event",
        "delivery": "in_person",
        "provider": "Trust",
        "start_date": date(2026, 3, 10),
        "end_date": date(2026, 3, 11),
        "minutes": 135,
        "participatory": True,
        "description": "Sepsis screening",
        "objective": None,
        "url": "",
        "evidence": ("Certificate", "Slides"),
    }
    return ActivityDetails(**{**values, **changes})


def test_nmc_cards_give_dates_hours_participatory_hours_and_evidence():
    content = _content("nmc-style")
    scheme = check_scheme(content)
    vocabulary = Vocabulary.of(content)
    made = card(vocabulary, scheme, _details(), (("PART", 135),), Status())
    values = {v.label: v.text for v in made.values}
    assert values["Dates"] == "2026-03-10 – 2026-03-11"
    assert values["Method"] == "Workshop or learning event"
    assert values["Number of hours"] == "2.25"
    assert values["Number of participatory hours"] == "2.25"
    assert values["Link to the Code"] == ""  # CPD Log does not hold it: "to complete"
    assert values["Evidence"] == "Certificate; Slides"
    alone = card(vocabulary, scheme, _details(participatory=False), (("IND", 135),), Status())
    assert {v.label: v.text for v in alone.values}["Number of participatory hours"] == "0"


def test_units_become_one_value_per_category_and_a_chosen_type_wins_while_it_is_the_bodys():
    content = _content("pmi-pmp")
    scheme, vocabulary = check_scheme(content), Vocabulary.of(content)
    shares = (("EDU.PS", 60), ("EDU.BA", 45))
    made = card(vocabulary, scheme, _details(kind="course"), shares, Status(body_type="Read"))
    values = [(v.label, v.text) for v in made.values]
    assert values[-2:] == [
        ("PDUs per Talent Triangle area: Power Skills", "1"),
        ("PDUs per Talent Triangle area: Business Acumen", "0.75"),
    ]
    assert ("Activity type", "Read") in values and made.type_overridden
    stale = card(vocabulary, scheme, _details(kind="course"), shares, Status(body_type="Old"))
    assert stale.body_type == "Course or Training" and not stale.type_overridden


def test_totals_add_the_cards_minutes_by_status():
    content = _content("apm")
    scheme, vocabulary = check_scheme(content), Vocabulary.of(content)
    made = [
        card(vocabulary, scheme, _details(id=1), (("CPD", 60),), Status()),
        card(vocabulary, scheme, _details(id=2), (("CPD", 90),), Status(ClaimState.CLAIMED)),
        card(vocabulary, scheme, _details(id=3), (("CPD", 30),), Status(ClaimState.REJECTED)),
    ]
    assert totals(made, 120) == Totals(claimed=90, to_claim=60, rejected=30, still_needed=120)
