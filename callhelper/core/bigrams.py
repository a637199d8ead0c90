"""Two-character search: a text as the words of its overlapping character pairs.

"返金します" is written as "返金 金し しま ます"; a query of two characters is then one word
to look up (store/grams.py keeps the words in a full-text index). Pairs that hold white
space are left out: a query never does (it is stripped, and two characters with a space
between them are three). Letters are kept as they are, so the index folds the case of
ASCII letters only, as SQLite's LIKE does; the search checks every hit with LIKE anyway.

The index's tokenizer splits words at every ASCII character that is not a letter or digit,
so those characters stand for themselves shifted into a private-use block (U+F000…U+F07F),
which the tokenizer keeps: "A-1" gives the words "A\\uf02d \\uf02d1".
"""

from __future__ import annotations

#: ASCII characters other than letters and digits, each to a private-use character.
_KEEP_WHOLE = {code: 0xF000 + code for code in range(128) if not chr(code).isalnum()}


def bigram_words(text: str) -> str:
    """The distinct overlapping character pairs of ``text``, space-separated, in the order
    they first appear; empty when the text has no two neighbouring non-space characters."""
    seen: dict[str, None] = {}
    for word in text.split():
        if len(word) > 1:
            word = word.translate(_KEEP_WHOLE)
            seen.update(dict.fromkeys(map(str.__add__, word, word[1:])))
    return " ".join(seen)


def bigram_query(query: str) -> str | None:
    """The index's word for a two-character query, as a full-text phrase; None when the
    query is not two characters without white space."""
    if len(query) != 2 or any(char.isspace() for char in query):
        return None
    return '"' + query.translate(_KEEP_WHOLE) + '"'
