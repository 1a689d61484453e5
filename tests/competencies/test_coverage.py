"""The coverage heat-map's counting and layout (issue 12, item 5): pure, no app."""

from datetime import date

from cpd_log.competencies import heatmap
from cpd_log.competencies.coverage import Line, Logged, by_framework, by_quarter, quarters
from cpd_log.crosswalks.mapping import CrosswalkMap, Mapping
from cpd_log.templating import hours

TT = "talent-triangle"
LINES = [
    Line(1, "WOW", "Ways of Working"),
    Line(2, "TT.WOW", "Ways of Working", "WOW"),
    Line(3, "PS", "Power Skills"),
    Line(4, "TT.PS", "Power Skills", "PS"),
    Line(5, "TT.LEAD", "Leadership", "PS"),
]
CROSSWALKS = CrosswalkMap(
    [
        Mapping(1, "PMO crosswalk", "pmo", "STK.3", TT, "TT.PS", "narrower"),
        Mapping(1, "PMO crosswalk", "pmo", "STK.4", TT, "TT.PS", "narrower"),
        Mapping(1, "PMO crosswalk", "pmo", "STK.4", TT, "TT.LEAD", "narrower"),
        Mapping(1, "PMO crosswalk", "pmo", "FIN.1", TT, "TT.WOW", "related"),
        Mapping(2, "APM crosswalk", "apm", "APM-1", TT, "TT.PS", "exact"),
    ]
)
PERIODS = quarters(date(2026, 5, 20))


def _cells(coverage, line_id):
    return [(c.direct, c.via) for c in coverage.cells[line_id]]


def test_quarters_are_the_last_two_years_in_calendar_quarters():
    assert [q.label for q in PERIODS] == [
        "2024 Q3", "2024 Q4", "2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2",
    ]  # fmt: skip
    assert (PERIODS[0].start, PERIODS[-1].end) == (date(2024, 7, 1), date(2026, 6, 30))
    assert PERIODS[3].end == date(2025, 6, 30) and PERIODS[4].start == date(2025, 7, 1)
    january = quarters(date(2026, 1, 1))
    assert (january[0].label, january[-1].label) == ("2024 Q2", "2026 Q1")
    assert january[-1].end == date(2026, 3, 31) and january[-2].end == date(2025, 12, 31)


def test_direct_and_crosswalk_hours_are_apart_and_an_activity_counts_once_per_cell():
    activities = [
        Logged(1, 60, date(2026, 4, 2), frozenset({"TT.PS"})),
        # Two PMO tags reaching TT.PS: 120 minutes once, not twice; STK.4 also reaches TT.LEAD.
        Logged(2, 120, date(2026, 4, 3), elsewhere=frozenset({("pmo", "STK.3"), ("pmo", "STK.4")})),
        # Tagged here and reached by a crosswalk: direct only.
        Logged(3, 30, date(2025, 1, 5), frozenset({"TT.PS"}), frozenset({("apm", "APM-1")})),
        Logged(4, 45, date(2025, 1, 6), elsewhere=frozenset({("pmo", "FIN.1")})),  # related
        Logged(5, 600, date(2024, 6, 30), frozenset({"TT.PS"})),  # before the two years
    ]
    coverage = by_quarter(LINES, activities, TT, CROSSWALKS, PERIODS)
    assert coverage.columns[-1] == "2026 Q2"
    assert _cells(coverage, 4)[-1] == (60, 120)
    assert _cells(coverage, 5)[-1] == (0, 120)
    assert _cells(coverage, 4)[2] == (30, 0)  # 2025 Q1
    # The area counts each activity once, though activity 2 reaches both its competencies.
    assert _cells(coverage, 3)[-1] == (60, 120)
    assert all(cell == (0, 0) for cell in _cells(coverage, 1) + _cells(coverage, 2))
    assert sum(c.total for row in coverage.cells.values() for c in row) == 60 * 2 + 120 * 3 + 30 * 2


def test_a_crosswalk_into_an_area_counts_for_the_area_only():
    to_area = CrosswalkMap([Mapping(3, "Areas", "pmo", "LDR", TT, "PS", "broader")])
    activity = Logged(1, 90, date(2026, 5, 1), elsewhere=frozenset({("pmo", "LDR")}))
    coverage = by_quarter(LINES, [activity], TT, to_area, PERIODS)
    assert _cells(coverage, 3)[-1] == (0, 90)
    assert _cells(coverage, 4)[-1] == (0, 0)


def test_by_framework_a_column_per_framework_tagged_in():
    activities = [
        Logged(1, 60, date(2026, 4, 2), frozenset({"TT.PS"}), frozenset({("pmo", "STK.3")})),
        Logged(2, 120, date(2025, 4, 3), elsewhere=frozenset({("pmo", "STK.3"), ("apm", "APM-1")})),
    ]
    names = {"apm": "APM Competence Framework", "pmo": "PMO Practitioner"}
    coverage = by_framework(LINES, activities, TT, CROSSWALKS, names)
    assert coverage.columns == ["Tagged here", "APM Competence Framework", "PMO Practitioner"]
    assert [c.total for c in coverage.cells[4]] == [60, 120, 180]
    assert [(c.direct, c.via) for c in coverage.cells[4]][:2] == [(60, 0), (0, 120)]
    assert [c.total for c in coverage.cells[3]] == [60, 120, 180]
    assert [c.total for c in coverage.cells[2]] == [0, 0, 0]


def test_the_scale_is_sequential_and_the_legend_says_each_step():
    assert heatmap.colour(0) == (heatmap.NONE_FILL, heatmap.NONE_TEXT)
    fills = [heatmap.colour(m)[0] for m in (1, 59, 60, 119, 120, 240, 480, 960, 1920, 10**6)]
    assert fills[0] == fills[1] and fills[2] == fills[3]
    assert len(set(fills)) == len(heatmap.STEPS)
    steps = heatmap.legend(hours)
    assert [s.label for s in steps] == [
        "None", "Under 1 h", "1–2 h", "2–4 h", "4–8 h", "8–16 h", "16–32 h", "32 h or more",
    ]  # fmt: skip
    assert [s.fill for s in steps[1:]] == [fill for _, fill, _ in heatmap.STEPS]
    # Light to dark: every step darker than the one before (relative luminance).
    lightness = [_luminance(s.fill) for s in steps[1:]]
    assert lightness == sorted(lightness, reverse=True) and len(set(lightness)) == len(lightness)


def _luminance(fill: str) -> float:
    red, green, blue = (int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def test_the_chart_splits_quarter_cells_into_halves_and_labels_them():
    activity = Logged(1, 90, date(2026, 4, 2), frozenset({"TT.PS"}), frozenset({("pmo", "STK.3")}))
    coverage = by_quarter(LINES, [activity], TT, CROSSWALKS, PERIODS)
    chart = heatmap.chart(coverage, hours, split=True)
    assert chart["width"] == heatmap.LABEL_WIDTH + 8 * heatmap.QUARTER_WIDTH
    row = chart["rows"][3]
    assert (row.label, row.area, row.indent) == ("TT.PS Power Skills", False, heatmap.INDENT)
    assert len(row.rects) == 16
    here, via = row.rects[-2:]
    assert (here.text, via.text) == ("1.5", "")  # tagged here, so not again via the crosswalk
    assert here.title == "TT.PS Power Skills, 2026 Q2, tagged here: 1.5 h"
    assert here.fill == heatmap.colour(90)[0] and via.fill == heatmap.NONE_FILL
    one = heatmap.chart(
        by_framework(LINES, [activity], TT, CROSSWALKS, {"pmo": "PMO"}), hours, False
    )
    assert [r.title for r in one["rows"][3].rects] == [
        "TT.PS Power Skills, Tagged here, tagged here: 1.5 h",
        "TT.PS Power Skills, PMO, via a crosswalk: 1.5 h",
    ]
