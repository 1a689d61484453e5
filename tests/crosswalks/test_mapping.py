"""The pure mapping logic: steps both ways, which relations count, versions in force."""

from datetime import date

from cpd_log.crosswalks.mapping import (
    CrosswalkMap,
    Mapping,
    Override,
    Version,
    in_force,
    overridden,
)

TT = "pmi-talent-triangle"


def _map(*rows) -> CrosswalkMap:
    return CrosswalkMap(Mapping(1, "Test crosswalk", "x", a, TT, b, rel) for a, b, rel in rows)


def test_a_tag_reaches_the_codes_it_maps_to_and_related_only_when_asked():
    walks = _map(("X1", "TT.PS", "narrower"), ("X1", "TT.BA", "related"), ("X2", "TT.WOW", "exact"))
    assert set(walks.reached({("x", "X1")}, TT)) == {"TT.PS"}
    assert set(walks.reached({("x", "X1")}, TT, related=True)) == {"TT.PS", "TT.BA"}
    assert set(walks.reached({("x", "X1"), ("x", "X2")}, TT)) == {"TT.PS", "TT.WOW"}
    assert walks.reached({("x", "X9")}, TT) == {}


def test_an_own_tag_and_a_crosswalked_tag_to_the_same_code_are_one_code():
    walks = _map(("X1", "TT.PS", "narrower"), ("X2", "TT.PS", "broader"))
    found = walks.reached({(TT, "TT.PS"), ("x", "X1"), ("x", "X2")}, TT)
    assert list(found) == ["TT.PS"]
    steps = found["TT.PS"]
    assert steps[0] is None  # the own tag first
    assert [step.tag for step in steps[1:]] == [("x", "X1"), ("x", "X2")]


def test_a_mapping_is_read_both_ways_with_the_relation_turned_round():
    walks = _map(("X1", "TT.PS", "narrower"), ("X2", "TT.BA", "related"))
    assert set(walks.reached({(TT, "TT.PS")}, "x")) == {"X1"}  # broader, read back
    assert walks.reached({(TT, "TT.BA")}, "x") == {}
    assert walks.frameworks_into(TT) == {"x"} and walks.frameworks_into("x") == {TT}


def test_one_step_only():
    walks = CrosswalkMap(
        [
            Mapping(1, "a", "a", "A1", "b", "B1", "exact"),
            Mapping(2, "b", "b", "B1", "c", "C1", "exact"),
        ]
    )
    assert walks.reached({("a", "A1")}, "c") == {}


def test_the_newest_version_counts_and_an_ended_cycle_keeps_the_one_of_its_last_day():
    versions = [
        Version(1, None, "pmo", date(2025, 1, 1)),
        Version(2, None, "apm", date(2025, 1, 1)),
        Version(5, None, "pmo", date(2026, 6, 1)),
        Version(7, 3, "pmo", date(2026, 7, 1)),  # a user's own crosswalk of the same slug
    ]
    assert in_force(versions) == {2, 5, 7}
    assert in_force(versions, date(2026, 5, 31)) == {1, 2}
    assert in_force(versions, date(2026, 6, 1)) == {2, 5}
    assert in_force(versions, date(2024, 12, 31)) == frozenset()


def test_overrides_drop_change_and_add_pairs_and_say_they_are_the_users():
    shipped = [
        Mapping(7, "PMO crosswalk", "x", "X1", TT, "TT.PS", "exact"),
        Mapping(7, "PMO crosswalk", "x", "X2", TT, "TT.BA", "narrower"),
        Mapping(7, "PMO crosswalk", "x", "X3", TT, "TT.WOW", "exact"),
    ]
    day = date(2026, 12, 1)
    mine = [
        Override("pmo", "x", "X1", TT, "TT.PS", None, day),  # out
        Override("pmo", "x", "X2", TT, "TT.BA", "related", day),  # changed
        Override("pmo", "x", "X1", TT, "TT.BA", "exact", day, "One", "Business Acumen"),  # added
    ]
    found = overridden(7, "PMO crosswalk", shipped, mine)
    assert [(m.from_code, m.to_code, m.relation, m.crosswalk_name) for m in found] == [
        ("X3", "TT.WOW", "exact", "PMO crosswalk"),
        ("X2", "TT.BA", "related", "PMO crosswalk, as you changed it"),
        ("X1", "TT.BA", "exact", "PMO crosswalk, as you changed it"),
    ]
    walks = CrosswalkMap(found)
    assert set(walks.reached({("x", "X1"), ("x", "X2")}, TT)) == {"TT.BA"}


def test_a_row_holds_for_a_cycle_that_ended_between_its_edits():
    from cpd_log.crosswalks.mapping import held_on

    made, closed = date(2025, 3, 1), date(2025, 6, 1)
    assert held_on(None, None, None) and held_on(made, None, None)
    assert not held_on(made, closed, None)  # closed: not for an open cycle
    assert not held_on(made, closed, date(2025, 2, 28))  # the cycle ended before it was made
    assert held_on(made, closed, made) and held_on(made, closed, date(2025, 5, 31))
    assert not held_on(made, closed, closed)  # the day's last edit is what held that day
    assert held_on(None, closed, date(2020, 1, 1))
