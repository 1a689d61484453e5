"""Properties of the rules engine over random category shares, for every shipped scheme."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cpd_log.schemes.checking import read_scheme_file, shipped_scheme_files
from cpd_log.schemes.rules import CategoryShare, carry_over, evaluate

SCHEMES = [read_scheme_file(path)[1] for path in shipped_scheme_files()]
START = date(2025, 1, 1)


@st.composite
def scheme_and_shares(draw):
    scheme = draw(st.sampled_from(SCHEMES))
    leaves = [c.code for c in scheme.leaves()]
    items = draw(
        st.lists(
            st.tuples(
                st.integers(1, 12),  # activity id: several shares may have one
                st.sampled_from(leaves),
                st.integers(0, 40 * 60),
                st.integers(0, 3 * 365),
            ),
            max_size=25,
        )
    )
    shares = [
        CategoryShare(a, code, minutes, START + timedelta(days=d)) for a, code, minutes, d in items
    ]
    return scheme, shares


@settings(max_examples=150, deadline=None)
@given(scheme_and_shares(), st.data())
def test_adding_an_activity_never_lowers_progress(given_, data):
    scheme, shares = given_
    code = data.draw(st.sampled_from([c.code for c in scheme.leaves()]))
    minutes = data.draw(st.integers(0, 20 * 60))
    before = evaluate(scheme, shares)
    after = evaluate(scheme, [*shares, CategoryShare(999, code, minutes, START)])
    assert after.total >= before.total
    for rule in before.rules:
        if rule.code in {r.code for r in after.rules}:
            assert after.rule(rule.code).counted >= rule.counted, rule.code
            assert after.rule(rule.code).needed <= rule.needed, rule.code


@settings(max_examples=150, deadline=None)
@given(scheme_and_shares())
def test_nothing_counts_above_a_cap(given_):
    scheme, shares = given_
    progress = evaluate(scheme, shares)
    for category in scheme.categories:
        if category.max is not None:
            assert progress.by_category[category.code] <= category.max
    if scheme.activity_max is not None:
        per_activity = {}
        for a in progress.counted:
            per_activity[a.activity_id] = per_activity.get(a.activity_id, 0) + a.minutes
        assert all(m <= scheme.activity_max for m in per_activity.values())
    for a in progress.counted:
        assert a.minutes % scheme.category(a.category).step == 0


@settings(max_examples=150, deadline=None)
@given(scheme_and_shares(), st.integers(0, 100 * 60))
def test_total_is_the_sum_of_counted_categories(given_, carried_in):
    scheme, shares = given_
    progress = evaluate(scheme, shares, carried_in=carried_in)
    tops = [c for c in scheme.categories if c.parent is None]
    assert progress.total == sum(progress.by_category[c.code] for c in tops) + progress.carried_in
    for top in tops:
        subs = scheme.children(top.code)
        if subs:
            assert progress.by_category[top.code] <= sum(progress.by_category[s.code] for s in subs)


@settings(max_examples=150, deadline=None)
@given(scheme_and_shares(), st.integers(0, 100 * 60))
def test_carry_over_never_exceeds_its_limit(given_, carried_in):
    scheme, shares = given_
    progress = evaluate(scheme, shares, carried_in=carried_in)
    carried = carry_over(scheme, progress, START + timedelta(days=3 * 365))
    assert 0 <= carried <= (scheme.carry_over_max or 0)
    assert progress.carried_in <= (scheme.carry_over_max or 0)
