"""Lines of a user's text file with their length bounded (issue 10, defect 6). Pure.

csv.reader builds a whole row before anyone can count its cells: one 8 MB line of "a,a,a,…" is
four million strings (82 MB) before a column limit could refuse it. Feeding it lines that are
refused past a length bounds every row, whatever the delimiter. The csv module's own field limit
is 128 K characters, so MAX_LINE matches it: a quoted field may still span several lines.
"""

import io
from collections.abc import Callable, Iterator

MAX_LINE = 128 * 1024


def bounded_lines(
    text: str, refuse: Callable[[int], Exception], max_line: int = MAX_LINE
) -> Iterator[str]:
    """The lines of `text` (endings kept, for csv), raising `refuse(line number)` at the first
    longer than `max_line` characters."""
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > max_line:
            raise refuse(number)
        yield line
