"""The monthly chart's layout: stacking, scale, colours, folding past nine kinds, the table."""

from datetime import date

from cpd_log.models import ActivityKind
from cpd_log.templating import hours
from cpd_log.trends.chart import FOLDED, MUTED, PLOT_HEIGHT, TOP, monthly_chart, nice_step
from cpd_log.trends.series import zero_filled


def test_nice_steps():
    assert [nice_step(peak) for peak in (0, 3, 10, 37, 130, 0.4)] == [1, 1, 5, 10, 50, 0.1]


def test_bars_stack_in_the_kinds_order_on_a_round_scale():
    rows = [(2026, 2, "course", 120), (2026, 2, "webinar", 60), (2026, 1, "webinar", 30)]
    layout = monthly_chart(zero_filled(rows, date(2026, 2, 10), 2), hours)
    base = TOP + PLOT_HEIGHT
    course, webinar_feb, webinar_jan = sorted(layout["segments"], key=lambda s: (-s.x, s.fill))
    # 3 h at most: steps of 1 h, so the top of the scale is 3 h and an hour is a third of it.
    assert [label for _, label in layout["ticks"]] == ["0", "1", "2", "3"]
    assert course.y + course.height == base and course.height == PLOT_HEIGHT * 2 / 3
    assert webinar_feb.y + webinar_feb.height == course.y  # on top of the course
    assert webinar_jan.height == PLOT_HEIGHT / 6
    assert (course.fill, webinar_feb.fill) == (MUTED[0], MUTED[1])
    assert course.title == "Feb 2026 · Course: 2 h"
    assert layout["table"] == [("Jan 2026", ["0", "0.5"], "0.5"), ("Feb 2026", ["2", "1"], "3")]
    assert [(month, year) for _, month, year in layout["labels"]] == [("Jan", "2026"), ("Feb", "")]


def test_past_nine_kinds_the_smallest_fold_into_other_kinds_but_not_in_the_table():
    kinds = list(ActivityKind)[:11]
    rows = [(2026, 5, kind, 60 * (index + 1)) for index, kind in enumerate(kinds)]
    layout = monthly_chart(zero_filled(rows, date(2026, 5, 1), 1), hours)
    labels = [band.label for band in layout["bands"]]
    assert len(labels) == 9 and labels[-1] == "Other kinds"
    assert (
        ActivityKind.COURSE.label not in labels and ActivityKind.COMMUNITY_EVENT.label not in labels
    )
    (other,) = [s for s in layout["segments"] if s.fill == FOLDED]
    assert other.title == "May 2026 · Other kinds: 6 h"  # the three smallest: 1 + 2 + 3 h
    assert len(layout["table"][0][1]) == 11
