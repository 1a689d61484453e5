"""A search box's text read as words, and the match expression each database gets from them.

Nothing the user types is passed through as query syntax: quotes, `*`, `NEAR`, `-`, `:`, `&`,
parentheses and the like only separate words, so no input can make a query fail. Each word
matches itself stemmed ("risks" finds "risk" and "risk" finds "risks") or as the start of a
longer word; the last word is the one still being typed, so on SQLite it also matches a word
whose stem it has already run past ("managem" finds "management", indexed as "manag"): the
porter stemmer stems a prefix query too, so `"managem"*` alone would find nothing. PostgreSQL
keeps each word unstemmed beside its stem (index.py), so a prefix there needs no such help.

Pure Python: no Flask, no SQLAlchemy.
"""

import re
import unicodedata

MAX_WORDS = 16  # a longer query adds cost, not precision
MAX_WORD = 64  # characters of one word that take part
MAX_TEXT = 2_000  # characters read from the box (the list's form allows 200)
# A word is a run of letters and digits, as FTS5's unicode61 tokenizer and PostgreSQL's parser
# see words; an underscore is a separator for both.
_WORD = re.compile(r"[^\W_]+")
# How many letters a half-typed last word may have run past its stem ("managem" is two past
# "manag"), and the shortest stem tried: a heuristic, kept tight because every shorter form is
# also matched exactly ("gateway" must not find "gates" through "gate").
_STEM_CUT = 3
_SHORTEST_STEM = 5


def words(text: str) -> list[str]:
    """The distinct words of `text`, lower-cased, in order, at most MAX_WORDS."""
    found: list[str] = []
    normal = unicodedata.normalize("NFKC", text[:MAX_TEXT]).casefold()
    for match in _WORD.finditer(normal):
        word = match.group()[:MAX_WORD]
        if word not in found:
            found.append(word)
        if len(found) == MAX_WORDS:
            break
    return found


def _quoted(word: str) -> str:
    # A word holds no double quote (only letters and digits), so quoting cannot be escaped.
    return f'"{word}"'


def _fts5_word(word: str, last: bool) -> str:
    forms = [_quoted(word), _quoted(word) + "*"]
    if last:
        shortest = max(_SHORTEST_STEM, len(word) - _STEM_CUT)
        forms += [_quoted(word[:end]) for end in range(len(word) - 1, shortest - 1, -1)]
    return "(" + " OR ".join(forms) + ")"


def fts5_match(found: list[str], columns: tuple[str, ...]) -> str:
    """The FTS5 MATCH string: every word, in one of `columns` (the owner is a rowid range)."""
    terms = " AND ".join(
        _fts5_word(word, last=index == len(found) - 1) for index, word in enumerate(found)
    )
    return f"{{{' '.join(columns)}}} : ({terms})"
