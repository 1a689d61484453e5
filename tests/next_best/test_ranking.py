"""The next best activity's ranking (issue 12, item 6): pure, no database."""

import dataclasses
import subprocess
import sys
from pathlib import Path

from cpd_log.crosswalks.mapping import CrosswalkMap, Mapping
from cpd_log.next_best.ranking import Competence, CycleNeeds, choose, needs, rank
from cpd_log.schemes import rules
from cpd_log.schemes.checking import DATA_DIR, read_scheme_file
from cpd_log.templating import hours
from tests.crosswalks.shipped import SHIPPED, shipped_mappings

_, PMP = read_scheme_file(DATA_DIR / "pmi-pmp.json")
_, ACP = read_scheme_file(DATA_DIR / "pmi-acp.json")
_, APM = read_scheme_file(DATA_DIR / "apm.json")
TT, PMO = "pmi-talent-triangle", "pmo-practitioner"


def cycle(scheme=PMP, label="PMP", crosswalks=SHIPPED, **counted) -> CycleNeeds:
    """A cycle with `counted` minutes per category (EDU_PS=240 -> EDU.PS)."""
    tally = rules.Tally(scheme)
    for code, minutes in counted.items():
        tally.add(rules.count_activity(scheme, ((code.replace("_", "."), minutes),)))
    return CycleNeeds(label, scheme, tally.progress(), crosswalks)


def pmo(code, name="", **where) -> Competence:
    return Competence((PMO, code), name or code, **where)


def sentences(cycles, competences) -> list[str]:
    return [s.sentence(hours) for s in rank(cycles, competences)]


def test_a_pmo_competency_closes_power_skills_through_the_crosswalk():
    half_done = cycle(EDU_PS=240, EDU_WOW=480, EDU_BA=480)
    stk3 = pmo("STK.3", "Influencing and negotiation")
    assert sentences([half_done], [stk3]) == [
        "4 h on STK.3 Influencing and negotiation closes Power Skills for PMP."
    ]


def test_an_open_goal_is_named_and_ranks_first_largest_gap_first():
    pmp = cycle(EDU_WOW=480, EDU_BA=480)
    plain = pmo("STK.3", "Influencing and negotiation", order=0)
    small = pmo("STK.1", "Stakeholder analysis", current=2, target=3, order=1)
    large = pmo("STK.2", "Engagement", current=0, target=3, order=2)
    ranked = rank([pmp], [plain, small, large])
    assert [s.competence.tag[1] for s in ranked] == ["STK.2", "STK.1", "STK.3"]
    assert ranked[0].sentence(hours) == (
        "8 h on STK.2 Engagement closes Power Skills for PMP and works toward your goal for STK.2."
    )


def test_learning_that_counts_for_every_unmet_scheme_comes_before_a_goal():
    schemes = [cycle(EDU_WOW=480, EDU_BA=480), cycle(ACP, "ACP", EDU_WOW=480, EDU_BA=480)]
    goal = Competence(("apm-competence-framework", "X"), "Elsewhere", target=4)
    both = pmo("STK.3", "Influencing and negotiation")
    ranked = rank(schemes, [goal, both])
    assert [s.competence.tag[1] for s in ranked] == ["STK.3"]  # X reaches nothing
    assert len(ranked[0].closes) == 2
    own = Mapping(99, "Test", "own", "X", TT, "TT.PS", "exact")
    walk = CrosswalkMap([*shipped_mappings(), own])
    only_pmp = [cycle(EDU_WOW=480, EDU_BA=480, crosswalks=walk), schemes[1]]  # X: PMP only
    ranked = rank(only_pmp, [Competence(("own", "X"), "Elsewhere", target=4), both])
    assert [s.competence.tag[1] for s in ranked] == ["STK.3", "X"]


def test_several_schemes_needing_different_hours_say_each():
    schemes = [
        cycle(EDU_WOW=480, EDU_BA=480, EDU_PS=420),
        cycle(ACP, "ACP", EDU_WOW=480, EDU_BA=480),
    ]
    assert sentences(schemes, [pmo("STK.3", "Influencing and negotiation")]) == [
        "4 h on STK.3 Influencing and negotiation closes Power Skills for PMP (1 h) "
        "and Power Skills for ACP (4 h)."
    ]


def test_a_competency_reaching_two_areas_needs_its_share_to_close_one():
    walk = CrosswalkMap(
        [
            Mapping(1, "Test", "own", "X", TT, "TT.PS", "narrower"),
            Mapping(1, "Test", "own", "X", TT, "TT.BA", "narrower"),
        ]
    )
    pmp = cycle(EDU_WOW=480, EDU_PS=420, EDU_BA=470, crosswalks=walk)
    ranked = rank([pmp], [Competence(("own", "X"), "Both")])
    # Power Skills needs 60 minutes: half of each activity goes there, so 120
    # Business Acumen needs 10, but counts in quarter-PDU steps: 15 arrive from 30
    assert [(need.area, minutes) for need, minutes in ranked[0].closes] == [
        ("EDU.PS", 120),
        ("EDU.BA", 30),
    ]


def test_related_mappings_count_only_where_the_scheme_says():
    walk = CrosswalkMap([Mapping(1, "Test", "own", "X", TT, "TT.PS", "related")])
    related = Competence(("own", "X"), "Nearby")
    assert rank([cycle(crosswalks=walk)], [related]) == []
    acp_related = dataclasses.replace(ACP, allocation=_with_related(ACP.allocation))
    assert len(rank([cycle(acp_related, "ACP", crosswalks=walk)], [related])) == 1


def _with_related(allocation: dict) -> dict:
    return {**allocation, "competencies": {**allocation["competencies"], "related": True}}


def test_the_schemes_own_codes_count_and_met_or_untagged_schemes_ask_for_nothing():
    tt = Competence((TT, "TT.BA"), "Business Acumen")
    assert sentences([cycle(EDU_WOW=480, EDU_PS=480)], [tt]) == [
        "8 h on TT.BA Business Acumen closes Business Acumen for PMP."
    ]
    done = cycle(EDU_WOW=480, EDU_PS=480, EDU_BA=480)
    assert needs(done) == [] and rank([done], [tt]) == []
    assert needs(cycle(APM, "APM")) == []  # APM counts no competency area


def test_choose_gives_every_rule_its_best_before_filling_and_keeps_the_order():
    pmp = cycle()  # all three areas unmet
    ps = [pmo(code, order=n) for n, code in enumerate(("STK.1", "STK.2", "STK.3", "STK.4"))]
    ba = pmo("FIN.1", order=10)
    ranked = rank([pmp], [*ps, ba])
    chosen = choose(ranked, limit=3, per_rule=2)
    codes = [s.competence.tag[1] for s in chosen]
    assert "FIN.1" in codes and len(codes) == 3
    assert codes == [s.competence.tag[1] for s in ranked if s in chosen]
    assert len(choose(ranked, limit=10, per_rule=2)) == 3  # two for Power Skills, one for BA


def test_the_ranking_imports_without_flask_or_sqlalchemy():
    probe = (
        "import sys\n"
        "class Blocker:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('flask', 'sqlalchemy', 'werkzeug'):\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, Blocker())\n"
        "import cpd_log.next_best.ranking\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
