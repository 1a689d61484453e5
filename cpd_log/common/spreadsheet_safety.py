"""One rule for every CSV cell we write and every spreadsheet cell we read back. Pure.

A cell whose text starts with = + - @ runs as a formula in spreadsheet programs, and one starting
with TAB or CR is read the same way by some of them (OWASP "CSV injection"). So every exported cell
that starts with one of these gains an apostrophe, and every import takes exactly that apostrophe
off again: export → import gives back the text as it was.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISED = tuple("'" + start for start in FORMULA_STARTS)


def neutralise(value) -> str:
    """The cell text for a value, with an apostrophe before a formula-like start."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unneutralise(cell: str) -> str:
    """A read cell without the apostrophe `neutralise` put there; any other cell as it is."""
    return cell[1:] if cell.startswith(NEUTRALISED) else cell
