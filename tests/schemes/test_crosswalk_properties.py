"""Properties of counting with crosswalks (issue 12, item 4), over random crosswalks and tags, for
every shipped scheme."""

from collections import defaultdict
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cpd_log.crosswalks.mapping import CrosswalkMap, Mapping
from cpd_log.schemes.checking import read_scheme_file, shipped_scheme_files
from cpd_log.schemes.counting import Counter, Logged
from cpd_log.schemes.rules import count_activity
from cpd_log.schemes.splits import ActivityFacts, default_split

SCHEMES = [read_scheme_file(path)[1] for path in shipped_scheme_files()]
TT = "pmi-talent-triangle"
TT_CODES = ["TT.WOW", "TT.PS", "TT.BA"]
OTHER = [("x", f"X{n}") for n in range(6)] + [("y", f"Y{n}") for n in range(3)]
RELATIONS = ["exact", "broader", "narrower", "related"]
START = date(2025, 1, 1)

mappings = st.lists(
    st.tuples(st.sampled_from(OTHER), st.sampled_from(TT_CODES), st.sampled_from(RELATIONS)),
    max_size=12,
    unique_by=lambda row: row[:2],
)


def _map(rows) -> CrosswalkMap:
    return CrosswalkMap(
        Mapping(1 if tag[0] == "x" else 2, f"{tag[0]} crosswalk", *tag, TT, code, relation)
        for tag, code, relation in rows
    )


@st.composite
def activity(draw, scheme):
    kinds = sorted(scheme.allocation.get("kinds", {})) or ["course", "other"]
    tags = draw(st.sets(st.sampled_from(OTHER + [(TT, c) for c in TT_CODES]), max_size=5))
    minutes = draw(st.integers(0, 40 * 60))
    return ActivityFacts(
        draw(st.sampled_from(kinds)), minutes, draw(st.booleans()), frozenset(tags)
    )


def _by_top(scheme, shares) -> dict[str, int]:
    found: dict[str, int] = defaultdict(int)
    for code, minutes in shares:
        category = scheme.category(code)
        found[category.parent or category.code] += minutes
    return dict(found)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SCHEMES), mappings, st.data())
def test_an_activity_never_counts_more_than_its_minutes(scheme, rows, data):
    facts = data.draw(activity(scheme))
    split = default_split(scheme, facts, _map(rows))
    assert sum(split.values()) <= facts.minutes
    assert all(minutes > 0 for minutes in split.values())
    assert count_activity(scheme, tuple(split.items())).minutes <= facts.minutes


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SCHEMES), mappings, st.data())
def test_adding_a_mapping_only_moves_minutes_within_one_category(scheme, rows, data):
    facts = data.draw(activity(scheme))
    extra = data.draw(
        st.tuples(st.sampled_from(OTHER), st.sampled_from(TT_CODES), st.sampled_from(RELATIONS))
    )
    before = default_split(scheme, facts, _map(rows))
    after = default_split(scheme, facts, _map([r for r in rows if r[:2] != extra[:2]] + [extra]))
    counted_before = count_activity(scheme, tuple(before.items()))
    counted_after = count_activity(scheme, tuple(after.items()))
    assert _by_top(scheme, before.items()) == _by_top(scheme, after.items())
    assert _by_top(scheme, counted_before.shares) == _by_top(scheme, counted_after.shares)
    assert counted_before.minutes == counted_after.minutes


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(SCHEMES), mappings, st.data(), st.integers(0, 40 * 60))
def test_totals_are_the_sum_of_the_counted_categories(scheme, rows, data, carried_in):
    many = data.draw(st.lists(activity(scheme), max_size=20))
    logged = [Logged(n, "", START + timedelta(days=n * 7), facts) for n, facts in enumerate(many)]
    progress = Counter(scheme, _map(rows)).tally(logged, {}).progress({}, carried_in)
    tops = scheme.children(None)
    assert progress.total == sum(progress.by_category[c.code] for c in tops) + progress.carried_in
    for top in tops:
        subs = scheme.children(top.code)
        if subs:
            assert progress.by_category[top.code] <= sum(progress.by_category[s.code] for s in subs)
    assert progress.total - progress.carried_in <= sum(facts.minutes for facts in many)
