"""The rules engine alone: worked examples from the bodies' published rules, and properties."""

from datetime import date

import pytest

from cpd_log.schemes.checking import DATA_DIR, read_scheme_file
from cpd_log.schemes.rules import MET, NOT_MET, UNMEASURED, CategoryShare, carry_over, evaluate


def scheme(slug):
    return read_scheme_file(DATA_DIR / f"{slug}.json")[1]


def share(activity_id, category, hours, on=date(2025, 6, 1)):
    return CategoryShare(activity_id, category, round(hours * 60), on)


def test_pmp_complete_cycle():
    """60 PDUs: 8 in each area plus 11 more Education (35), 25 Giving Back."""
    pmp = scheme("pmi-pmp")
    shares = [
        share(1, "EDU.WOW", 8),
        share(2, "EDU.PS", 8),
        share(3, "EDU.BA", 8),
        share(4, "EDU.NONE", 11),
        share(5, "GB.WORK", 8),
        share(6, "GB.VOL", 17),
    ]
    progress = evaluate(pmp, shares)
    assert progress.total == 60 * 60
    assert progress.complete
    assert progress.rule("min:EDU").counted == 35 * 60


def test_pmp_giving_back_caps_and_practitioner_cap():
    """30 PDUs of Giving Back count as 25; 12 of working as a practitioner count as 8."""
    pmp = scheme("pmi-pmp")
    progress = evaluate(pmp, [share(1, "GB.WORK", 12), share(2, "GB.VOL", 18)])
    assert progress.by_category["GB.WORK"] == 8 * 60
    assert progress.by_category["GB"] == 25 * 60
    assert progress.total == 25 * 60
    cap = progress.rule("max:GB.WORK")
    assert cap.logged == 12 * 60 and "4 PDUs do not count" in cap.explanation
    total = progress.rule("total")
    assert total.status == NOT_MET and total.needed == 35 * 60
    assert "35 PDUs more are needed" in total.explanation


def test_pmp_triangle_minimum_not_met_even_with_enough_education():
    """35 Education PDUs all in Ways of Working leave Power Skills and Business Acumen unmet."""
    progress = evaluate(scheme("pmi-pmp"), [share(1, "EDU.WOW", 35)])
    assert progress.rule("min:EDU").status == MET
    assert progress.rule("min:EDU.PS").status == NOT_MET
    assert progress.rule("min:EDU.PS").needed == 8 * 60
    assert "8 PDUs more needed" in progress.rule("min:EDU.BA").explanation


def test_education_counts_in_quarter_pdu_steps_giving_back_in_whole_pdus():
    """PMI: Education in 0.25 increments; a 50-minute webinar counts 0.75, 100 minutes of
    Giving Back counts 1 whole PDU."""
    progress = evaluate(
        scheme("pmi-pmp"),
        [
            CategoryShare(1, "EDU.PS", 50, date(2025, 1, 1)),
            CategoryShare(2, "GB.VOL", 100, date(2025, 1, 1)),
        ],
    )
    assert progress.by_category["EDU.PS"] == 45
    assert progress.by_category["GB.VOL"] == 60


def test_acp_and_capm_figures():
    acp, capm = scheme("pmi-acp"), scheme("pmi-capm")
    assert (acp.total_min, acp.category("EDU").min, acp.category("EDU.PS").min) == (1800, 1080, 240)
    assert (acp.category("GB").max, acp.category("GB.WORK").max) == (720, 240)
    assert (capm.total_min, capm.category("EDU").min, capm.category("EDU.BA").min) == (
        900,
        540,
        120,
    )
    assert (capm.category("GB").max, capm.category("GB.WORK").max) == (360, 120)


def test_pmp_carry_over_only_surplus_from_the_last_12_months_up_to_20():
    pmp = scheme("pmi-pmp")
    end = date(2028, 3, 13)
    early = [
        share(i, c, 8, date(2025, 6, 1)) for i, c in enumerate(["EDU.WOW", "EDU.PS", "EDU.BA"])
    ]
    base = [
        *early,
        share(10, "EDU.NONE", 11, date(2025, 7, 1)),
        share(11, "GB.VOL", 25, date(2026, 1, 1)),
    ]
    # 30 more Education PDUs in the last year: surplus 30, but at most 20 carry over.
    late = [share(12, "EDU.WOW", 30, date(2027, 12, 1))]
    assert carry_over(pmp, evaluate(pmp, base + late), end) == 20 * 60
    # The same surplus earned before the last 12 months carries nothing.
    old = [share(12, "EDU.WOW", 30, date(2026, 2, 1))]
    assert carry_over(pmp, evaluate(pmp, base + old), end) == 0
    # 5 late PDUs of surplus carry 5.
    assert (
        carry_over(pmp, evaluate(pmp, base + [share(12, "EDU.PS", 5, date(2028, 1, 1))]), end)
        == 300
    )


def test_carried_in_counts_to_the_total_and_is_limited():
    pmp = scheme("pmi-pmp")
    progress = evaluate(pmp, [share(1, "EDU.WOW", 10)], carried_in=50 * 60)
    assert progress.carried_in == 20 * 60
    assert progress.total == 30 * 60
    assert "including 20 PDUs carried over" in progress.rule("total").explanation


def test_peoplecert_per_activity_limits_and_category_caps():
    """Each activity 0.5–15 points: 20 minutes counts nothing, 18 hours count 15."""
    pc = scheme("peoplecert-axelos")
    progress = evaluate(
        pc,
        [CategoryShare(1, "PED", 20, date(2025, 1, 1)), share(2, "PED", 18), share(3, "PE", 4)],
    )
    assert progress.by_category["PED"] == 15 * 60
    assert progress.rule("min:PE").status == NOT_MET and progress.rule("min:PE").needed == 60
    note = progress.rule("per_activity").explanation
    assert "1 activity is below the minimum of 0.5 points" in note
    assert "capped at 15 points" in note
    assert progress.total == 19 * 60


def test_apm_needs_more_than_one_activity_and_statements_unmeasured():
    apm = scheme("apm")
    progress = evaluate(apm, [share(1, "CPD", 35)])
    assert progress.rule("total").status == MET
    assert progress.rule("activities").status == NOT_MET
    assert progress.rule("statements").status == UNMEASURED
    assert not progress.complete
    two = evaluate(
        apm, [share(1, "CPD", 30), share(2, "CPD", 5)], counts={"reflective_statements": 2}
    )
    assert two.complete


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "0 reflective statements on how learning was applied"),
        (1, "1 reflective statement on how learning was applied"),
        (2, "2 reflective statements on how learning was applied"),
    ],
)
def test_a_count_of_one_is_said_in_the_singular(number, words):
    """Issue 14, defect 9: never "1 reflective statements"."""
    apm = scheme("apm")
    progress = evaluate(apm, [share(1, "CPD", 35)], counts={"reflective_statements": number})
    assert progress.rule("statements").explanation.startswith(f"{words} so far")


def test_nmc_participatory_minimum_and_reflective_accounts():
    nmc = scheme("nmc-style")
    progress = evaluate(nmc, [share(1, "PART", 15), share(2, "IND", 20)], counts={"reflections": 3})
    assert progress.rule("total").status == MET
    assert progress.rule("min:PART").needed == 5 * 60
    reflections = progress.rule("reflections")
    assert (reflections.status, reflections.needed) == (NOT_MET, 2)


def test_rics_formal_minimum():
    rics = scheme("rics-style")
    progress = evaluate(rics, [share(1, "FORMAL", 9), share(2, "INFORMAL", 11)])
    assert progress.rule("total").status == MET
    assert progress.rule("min:FORMAL").status == NOT_MET


@pytest.mark.parametrize("slug", ["pmi-pmp", "apm", "custom"])
def test_nothing_logged_is_an_honest_zero(slug):
    progress = evaluate(scheme(slug), [])
    assert progress.total == 0
    assert progress.rule("total").counted == 0
