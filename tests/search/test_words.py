"""Search words and the FTS5 match string: pure Python, no app."""

import pytest

from cpd_log.search.words import MAX_WORD, MAX_WORDS, fts5_match, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Risk  management", ["risk", "management"]),
        ('"risk" OR NEAR(a b) -c *', ["risk", "or", "near", "a", "b", "c"]),
        ("stake_holder's (plan)", ["stake", "holder", "s", "plan"]),
        ("Café ＰＭＯ ² risk risk", ["café", "pmo", "2", "risk"]),
        ("\"'*:&|!()-^{}", []),
        ("", []),
    ],
)
def test_only_words_are_read(text, expected):
    assert words(text) == expected


def test_long_text_is_cut_to_a_bounded_query():
    found = words(" ".join(f"w{n}" for n in range(5_000)))
    assert len(found) == MAX_WORDS
    assert words("x" * 10_000) == ["x" * MAX_WORD]


def test_match_string_quotes_every_word_in_the_searched_columns():
    match = fts5_match(["near", "managem"], ("title", "provider"))
    assert match.startswith("{title provider} : (")
    assert '("near" OR "near"*)' in match  # NEAR quoted is a word, not an operator
    # The last word is being typed: it also matches stems it has run past.
    assert '"managem"*' in match and '"manage"' in match and '"manag"' in match
    assert '"mana"' not in match
