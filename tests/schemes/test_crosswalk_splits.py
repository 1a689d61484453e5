"""Default splits through crosswalks (issue 12, item 3): pure, with the shipped crosswalk files."""

from copy import deepcopy

from cpd_log.schemes.checking import DATA_DIR, check_scheme, read_scheme_file
from cpd_log.schemes.counting import Counter
from cpd_log.schemes.splits import ActivityFacts, default_split, explain_default
from tests.crosswalks.shipped import SHIPPED

PMP_DATA, PMP = read_scheme_file(DATA_DIR / "pmi-pmp.json")
TT, PMO, APM = "pmi-talent-triangle", "pmo-practitioner", "apm-competence-framework"


def facts(*tags, kind="course", minutes=240):
    return ActivityFacts(kind, minutes, False, frozenset(tags))


def test_a_course_tagged_only_with_the_pmo_influencing_competency_counts_as_power_skills():
    course = facts((PMO, "STK.3"))
    assert default_split(PMP, course) == {"EDU.NONE": 240}  # without crosswalks, as before
    assert default_split(PMP, course, SHIPPED) == {"EDU.PS": 240}
    assert explain_default(PMP, course, SHIPPED) == (
        "STK.3 Influencing and negotiation → Power Skills (PMO framework crosswalk): "
        "the minutes go there."
    )


def test_areas_share_in_proportion_to_the_codes_reaching_each_in_scheme_order():
    # FIN.1 -> Business Acumen, STK.3 -> Power Skills, TT.WOW own: three codes, three areas
    three = facts((PMO, "FIN.1"), (PMO, "STK.3"), (TT, "TT.WOW"), minutes=100)
    split = default_split(PMP, three, SHIPPED)
    assert list(split) == ["EDU.WOW", "EDU.PS", "EDU.BA"]  # the scheme's order
    assert split == {"EDU.WOW": 40, "EDU.PS": 30, "EDU.BA": 30}  # 0.25-PDU steps, rest first
    reason = explain_default(PMP, three, SHIPPED)
    assert reason.startswith("TT.WOW → Ways of Working (tagged); STK.3 Influencing")
    assert "FIN.1 Budget planning → Business Acumen (PMO framework crosswalk)" in reason
    assert reason.endswith("in proportion to the tags reaching each.")


def test_an_own_tag_and_a_crosswalked_tag_to_the_same_area_count_once():
    both = facts((TT, "TT.PS"), (PMO, "STK.3"), (APM, "APM-15"), (PMO, "FIN.4"))
    assert default_split(PMP, both, SHIPPED) == {"EDU.PS": 120, "EDU.BA": 120}
    assert sum(default_split(PMP, both, SHIPPED).values()) == 240


def test_related_mappings_count_only_where_the_scheme_says_so():
    # GOV.1 is narrower than Business Acumen and related to Ways of Working
    governance = facts((PMO, "GOV.1"))
    assert default_split(PMP, governance, SHIPPED) == {"EDU.BA": 240}
    data = deepcopy(PMP_DATA)
    data["allocation"]["competencies"]["related"] = True
    with_related = check_scheme(data)  # the scheme file's schema allows "related"
    assert default_split(with_related, governance, SHIPPED) == {"EDU.WOW": 120, "EDU.BA": 120}


def test_tags_do_not_move_minutes_outside_the_mapped_category():
    practice = facts((PMO, "STK.3"), kind="on_the_job")
    assert default_split(PMP, practice, SHIPPED) == {"GB.WORK": 240}
    assert explain_default(PMP, practice, SHIPPED).startswith("A “on the job” counts as")


def test_a_scheme_without_a_competency_rule_ignores_crosswalks():
    apm = read_scheme_file(DATA_DIR / "apm.json")[1]
    course = facts((PMO, "STK.3"))
    assert default_split(apm, course, SHIPPED) == default_split(apm, course)


def test_activities_whose_tags_reach_the_same_codes_split_alike():
    counter = Counter(PMP, SHIPPED)
    influencing = counter.sees({(PMO, "STK.3"), ("someone-elses", "Z1")})
    assert influencing == counter.sees({(PMO, "STK.1"), (APM, "APM-15")}) == {"TT.PS"}
    assert counter.sees({(TT, "TT.PS"), (PMO, "FIN.1")}) == {"TT.PS", "TT.BA"}
    assert counter.sees({(PMO, "GOV.1")}) == {"TT.BA"}  # its "related" mapping is not seen
    for tags in ({(PMO, "STK.3")}, {(PMO, "STK.1"), (APM, "APM-15")}):
        assert counter.default(facts(*tags))[0] == {"EDU.PS": 240}
