"""Coverage of one framework: hours per area and competency, per quarter or per framework tagged in.

Pure Python (no Flask, no SQLAlchemy): `coverage_loading.py` reads the rows, this module counts.
An activity counts where it is tagged ("direct") or where its tags in another framework reach
through a crosswalk ("via"), by the versions in force today and only through the relations a
scheme counts by default (exact, broader, narrower). An activity's minutes count once per cell:
two tags reaching one competency do not double it, and an activity both tagged and reached there
counts as direct. An area's row counts an activity once if it reaches the area or any competency
in it.
"""

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from cpd_log.crosswalks.mapping import CrosswalkMap, Tag

QUARTERS = 8  # the last two years, the current quarter last
TAGGED_HERE = "Tagged here"


@dataclass(frozen=True)
class Quarter:
    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"


def quarters(today: date, count: int = QUARTERS) -> list[Quarter]:
    """The `count` calendar quarters ending with the one `today` is in, oldest first."""
    index = today.year * 4 + (today.month - 1) // 3
    found = []
    for i in range(index - count + 1, index + 1):
        year, q = divmod(i, 4)
        nxt_year, nxt = divmod(i + 1, 4)
        end = date.fromordinal(date(nxt_year, nxt * 3 + 1, 1).toordinal() - 1)
        found.append(Quarter(date(year, q * 3 + 1, 1), end))
    return found


@dataclass(frozen=True)
class Line:
    """A row of the heat-map: an area (`area` None) or a competency inside `area` (its code)."""

    id: int
    code: str
    name: str
    area: str | None = None


@dataclass(frozen=True)
class Logged:
    """A completed activity as coverage sees it: its tags in the framework (codes) and elsewhere."""

    id: int
    minutes: int
    day: date  # the day it ended
    codes: frozenset[str] = frozenset()
    elsewhere: frozenset[Tag] = frozenset()


@dataclass
class Cell:
    direct: int = 0  # minutes of activities tagged here
    via: int = 0  # minutes of activities reaching here only through a crosswalk

    @property
    def total(self) -> int:
        return self.direct + self.via


@dataclass(frozen=True)
class Coverage:
    lines: list[Line]
    columns: list[str]  # the column headings, in order
    cells: dict[int, list[Cell]] = field(default_factory=dict)  # line id -> a cell per column

    def row(self, line: Line) -> list[Cell]:
        return self.cells[line.id]


def _reach(lines: list[Line]) -> dict[str, frozenset[int]]:
    """code -> the lines a tag on it counts toward: its own and, for a competency, its area's."""
    areas = {line.code: line.id for line in lines if line.area is None}
    found: dict[str, set[int]] = {}
    for line in lines:
        found.setdefault(line.code, set()).add(line.id)
        if line.area in areas:
            found[line.code].add(areas[line.area])
    return {code: frozenset(ids) for code, ids in found.items()}


class _Counter:
    """Adds an activity's minutes to the cells it reaches, once per cell."""

    def __init__(self, lines: list[Line], columns: list[str]):
        self.coverage = Coverage(
            lines, columns, {line.id: [Cell() for _ in columns] for line in lines}
        )
        self.reach = _reach(lines)

    def _lines(self, codes: Iterable[str]) -> set[int]:
        return {line_id for code in codes for line_id in self.reach.get(code, ())}

    def add(self, column: int, minutes: int, direct: Iterable[str], via: Iterable[str]) -> None:
        here = self._lines(direct)
        for line_id in here:
            self.coverage.cells[line_id][column].direct += minutes
        for line_id in self._lines(via) - here:
            self.coverage.cells[line_id][column].via += minutes


def by_quarter(
    lines: list[Line],
    activities: Iterable[Logged],
    framework: str,
    crosswalks: CrosswalkMap,
    periods: list[Quarter],
) -> Coverage:
    """A column per quarter; each cell holds direct and via minutes apart. Activities outside
    the quarters are left out."""
    counter = _Counter(lines, [q.label for q in periods])
    starts = [q.start for q in periods]
    for activity in activities:
        if starts[0] <= activity.day <= periods[-1].end:
            reached = crosswalks.reached(activity.elsewhere, framework)
            column = bisect_right(starts, activity.day) - 1
            counter.add(column, activity.minutes, activity.codes, reached)
    return counter.coverage


def by_framework(
    lines: list[Line],
    activities: Iterable[Logged],
    framework: str,
    crosswalks: CrosswalkMap,
    names: dict[str, str],
) -> Coverage:
    """The first column is the framework itself (hours tagged here, direct); then one column per
    other framework whose tags reach this one (via), in the order of `names`
    ({framework key: name}, this framework's own key left out)."""
    others = [slug for slug in names if slug != framework]
    counter = _Counter(lines, [TAGGED_HERE] + [names[slug] for slug in others])
    for activity in activities:
        counter.add(0, activity.minutes, activity.codes, ())
        for index, slug in enumerate(others, start=1):
            tags = [tag for tag in activity.elsewhere if tag[0] == slug]
            if tags:
                counter.add(index, activity.minutes, (), crosswalks.reached(tags, framework))
    return counter.coverage
