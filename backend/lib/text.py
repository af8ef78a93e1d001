"""Vietnamese text folding: the one function used both when storing search keys and when querying.

"Nguyễn Văn Á" -> "nguyen van a", "Đặng" -> "dang". No contrib extension (unaccent) is needed because
the folded form is computed in Python and stored in an indexed column.
"""

import re
import unicodedata

_COMBINING_MARKS = re.compile(r"[\u0300-\u036f]")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ/Đ -> d), keep letters and digits, collapse everything else to one space."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = _COMBINING_MARKS.sub("", decomposed).replace("đ", "d").replace("Đ", "d")
    return _NON_WORD.sub(" ", stripped.lower()).strip()


def search_terms(query: str) -> list[str]:
    """The folded words of a search query, in order, without repeats."""
    return list(dict.fromkeys(fold(query).split()))


def prefix_tsquery(query: str) -> str:
    """A PostgreSQL `simple` tsquery that matches every word of the query as a prefix: 'hoan:* & kiem:*'.

    Folded words contain only [0-9a-z], so they need no escaping inside the tsquery syntax.
    """
    return " & ".join(f"{term}:*" for term in search_terms(query))
